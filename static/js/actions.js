/* "Mes actions" and everyone's actions, live: the owner's buttons send `complete_action` /
 * `reopen_action` (pending until the ack, then the row moves, done only once the server said
 * so); `action_changed` facts move rows in place on every page; on every (re)connection
 * `sync_actions` joins the room and the lists are swapped for the server's current ones.
 * Without JavaScript the same buttons post their forms. */
(function () {
  "use strict";
  var live = window.Vendredi && window.Vendredi.live;
  var root = document.getElementById("actions");
  if (!live || !root) return;
  var view = root.dataset.view;
  var me = root.dataset.memberId;
  var status = document.getElementById("actions-status");
  var pending = {};   // action id -> true while its command waits for the ack
  var deferred = {};  // action id -> a fact that arrived meanwhile (applied after the ack)

  // Keep only the buttons this reader may use (the server checks again anyway).
  function prune(el) {
    el.querySelectorAll("form[data-owner-id]").forEach(function (form) {
      if (form.dataset.ownerId !== me) form.remove();
    });
    el.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
      input.value = live.csrfToken();
    });
  }

  function lists() { return document.getElementById("actions-lists"); }

  function bump(section, delta) {
    var count = root.querySelector('[data-count-for="' + section + '"]');
    if (count) count.textContent = String(Math.max(0, (parseInt(count.textContent, 10) || 0) + delta));
  }

  function refreshEmpty(section) {
    var list = document.getElementById("list-" + section);
    var empty = document.getElementById("empty-" + section);
    if (list && empty) empty.hidden = list.children.length > 0;
  }

  function setCount(text) {
    var count = document.getElementById("actions-count");
    if (!count || !text) return;
    count.textContent = text;
    document.title = text + " · " + (root.dataset.titleSuffix || "");
  }

  // Put a fact's row where it belongs: swapped in place when it stays in its list, else moved
  // to its new list, in order.
  function apply(fact) {
    if (!fact) return null;
    var mineView = view === "mine";
    if (mineView && String(fact.owner_id) !== me) return null;  // someone else's action
    var html = mineView ? fact.html_mine : fact.html_everyone;
    var old = document.getElementById("action-" + fact.action_id);
    var target = document.getElementById("list-" + fact.section);
    var fresh = live.fragment(html);
    if (!fresh || !target) return null;
    prune(fresh);
    if (old && old.dataset.section === fact.section && old.dataset.sort === fact.sort) {
      fresh = live.swap(old, fresh);
    } else {
      if (old) {
        var from = old.dataset.section;
        old.remove();
        bump(from, -1);
        refreshEmpty(from);
      }
      var before = null;
      Array.prototype.forEach.call(target.children, function (row) {
        if (!before && row.dataset.sort > fact.sort) before = row;
      });
      target.insertBefore(fresh, before);
      bump(fact.section, 1);
      refreshEmpty(fact.section);
    }
    if (mineView) setCount(fact.count_mine); else setCount(fact.count_everyone);
    return fresh;
  }

  live.on("action_changed", function (fact) {
    if (pending[fact.action_id]) { deferred[fact.action_id] = fact; return; }
    apply(fact);
  });

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-command]");
    if (!form || !root.contains(form)) return;
    event.preventDefault();
    var id = parseInt(form.dataset.actionId, 10);
    if (live.isPending(form)) return;
    pending[id] = true;
    live.submit(form, form.dataset.command, { action_id: id }, event.submitter).then(function (ack) {
      delete pending[id];
      var fact = (ack && ack.ok && ack.fact) || deferred[id];
      delete deferred[id];
      if (!ack || !ack.ok) {
        if (fact) apply(fact);  // changed meanwhile elsewhere (another tab): show it
        return;
      }
      var row = apply(fact);
      if (status) {
        var label = fact.label || "";
        status.textContent = fact.status === "done"
          ? (root.dataset.labelDone || "Marquée faite\u00a0:") + " " + label
          : (root.dataset.labelReopened || "De nouveau à faire\u00a0:") + " " + label;
      }
      // Focus follows the row to its new list (its button, now the other one).
      var button = row && row.querySelector("button");
      if (button) button.focus();
    });
  });

  live.onConnect(function () {
    live.command("sync_actions", { view: view }).then(function (ack) {
      if (!ack || !ack.ok) return;
      root.dataset.synced = "true";  // in the room: changes arrive from now on
      var busy = Object.keys(pending).length > 0;
      if (busy) return;  // the ack and facts of the pending command will bring it up to date
      var fresh = live.fragment(ack.html);
      if (!fresh) return;
      prune(fresh);
      live.swap(lists(), fresh);
      setCount(ack.count);
    });
  });
})();
