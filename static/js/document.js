/* The live shared document of a Friday.
 *
 * - On every (re)connection, `join_document` answers with the document exactly as it is now:
 *   the page replaces its entries (nothing is missed after sleep, Wi-Fi loss or a restart).
 * - Facts (`entry_added`, `entry_edited`, `entry_deleted`, `need_*`, `presence_changed`) swap
 *   in the fragment the server rendered from the same partial as the page.
 * - The add form keeps its draft in localStorage (survives a reload), and an entry written
 *   while offline waits in an outbox, sent with its operation id once the link is back (the
 *   server applies an operation id once, even if it arrives twice).
 */
(function () {
  "use strict";
  var live = window.Vendredi && window.Vendredi.live;
  var root = document.getElementById("document");
  if (!live || !root) return;

  var meetingId = parseInt(root.dataset.meetingId, 10);
  var memberId = root.dataset.memberId;
  var isFacilitator = root.dataset.role === "facilitator" || root.dataset.role === "admin";
  var form = document.getElementById("add-entry");
  var liveError = document.getElementById("add-entry-live-error");
  var docStatus = document.getElementById("doc-status");
  var draftKey = "vendredi:draft:" + meetingId;
  var outboxKey = "vendredi:outbox:" + memberId;
  var joined = false;

  // -- rendering facts ------------------------------------------------------------------

  function fragment(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var node = holder.content.firstElementChild;
    prepare(node);
    return node;
  }

  // Keep only the controls this reader may use (the server checks again), and give the
  // fragment's forms this page's CSRF token.
  function prepare(node) {
    var author = node.dataset.author;
    var claimer = node.dataset.claimer;
    node.querySelectorAll("[data-needs]").forEach(function (control) {
      var need = control.dataset.needs;
      var ok = true;
      if (need === "edit") ok = author === memberId || isFacilitator;
      if (need === "delete") ok = author === memberId;
      if (need === "release") ok = claimer === memberId || isFacilitator;
      if (need === "resolve") ok = claimer === memberId || author === memberId || isFacilitator;
      if (!ok) control.remove();
    });
    node.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
      input.value = live.csrfToken();
    });
  }

  function list(kind) { return root.querySelector('.entries[data-kind="' + kind + '"]'); }

  function refreshCounts() {
    ["mood", "need", "proposal", "topic"].forEach(function (kind) {
      var n = list(kind).children.length;
      var count = root.querySelector('[data-count="' + kind + '"]');
      if (count) count.textContent = n;
      var empty = root.querySelector('[data-empty="' + kind + '"]');
      if (empty) empty.hidden = n > 0;
    });
  }

  function upsert(fact) {
    if (fact.meeting_id !== meetingId) return;
    var existing = document.getElementById("entree-" + fact.entry_id);
    if (existing) {
      if (parseInt(existing.dataset.revision, 10) > fact.revision) return;  // older news
      existing.replaceWith(fragment(fact.html));
    } else {
      list(fact.kind).appendChild(fragment(fact.html));
      announce(fact);
    }
    refreshCounts();
  }

  function announce(fact) {
    if (!docStatus) return;
    var node = document.getElementById("entree-" + fact.entry_id);
    var title = node && node.querySelector("h3");
    docStatus.textContent = title ? title.textContent : "";
  }

  function remove(fact) {
    if (fact.meeting_id !== meetingId) return;
    var node = document.getElementById("entree-" + fact.entry_id);
    if (node) node.remove();
    refreshCounts();
  }

  // Edit drafts are kept per (entry, revision it started from). One that was sent and is
  // older than the entry was saved (or refused as stale, its text then kept by the merge
  // view); one never sent is someone's unsaved words (edit.js offers it again): keep it.
  function forgetSavedEditDrafts(entryId, revision) {
    for (var i = window.localStorage.length - 1; i >= 0; i--) {
      var key = window.localStorage.key(i);
      var parts = key && key.split(":");
      if (parts && parts[1] === "edit" && parts[2] === String(entryId) &&
          parseInt(parts[3], 10) < revision && sentDraft(key)) {
        window.localStorage.removeItem(key);
      }
    }
  }

  function sentDraft(key) {
    try { return JSON.parse(window.localStorage.getItem(key)).sent === true; }
    catch (err) { return true; }  // unreadable: nothing to keep
  }

  function applyState(state) {
    var seen = {};
    state.entries.forEach(function (item) {
      seen[item.entry_id] = true;
      forgetSavedEditDrafts(item.entry_id, item.revision);
      var existing = document.getElementById("entree-" + item.entry_id);
      if (existing) {
        if (existing.dataset.revision !== String(item.revision) || existing.outerHTML !== item.html) {
          existing.replaceWith(fragment(item.html));
        }
      } else {
        list(item.kind).appendChild(fragment(item.html));
      }
    });
    root.querySelectorAll(".entries > [data-entry-id]").forEach(function (node) {
      if (!seen[node.dataset.entryId]) node.remove();
    });
    refreshCounts();
    if (state.status !== root.dataset.status) window.location.reload();
  }

  live.on("entry_added", upsert);
  live.on("entry_edited", upsert);
  live.on("need_claimed", upsert);
  live.on("need_released", upsert);
  live.on("need_resolved", upsert);
  live.on("entry_deleted", remove);
  live.on("presence_changed", function (fact) {
    if (fact.meeting_id !== meetingId) return;
    var box = document.getElementById("presence");
    if (box) box.innerHTML = fact.html;
  });
  live.on("meeting_status_changed", function (fact) {
    if (fact.meeting_id === meetingId) window.location.reload();
  });

  // -- the outbox: entries written offline ---------------------------------------------

  function readOutbox() {
    try { return JSON.parse(window.localStorage.getItem(outboxKey) || "[]"); }
    catch (err) { return []; }
  }
  function writeOutbox(items) {
    window.localStorage.setItem(outboxKey, JSON.stringify(items));
    showOutbox(items);
  }
  function showOutbox(items) {
    var box = document.getElementById("outbox");
    var ul = document.getElementById("outbox-list");
    if (!box || !ul) return;
    var mine = items.filter(function (item) { return item.data.meeting_id === meetingId; });
    box.hidden = mine.length === 0;
    ul.innerHTML = "";
    mine.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.data.title || item.data.body.slice(0, 60);
      ul.appendChild(li);
    });
  }

  var flushing = false;
  function flushOutbox() {
    if (flushing || !live.socket.connected) return;
    var items = readOutbox();
    if (!items.length) return;
    flushing = true;
    var item = items[0];
    live.command(item.command, item.data).then(function (ack) {
      flushing = false;
      // Sent (or refused for good, e.g. the meeting closed): it leaves the outbox.
      var rest = readOutbox().filter(function (other) { return other.data.op_id !== item.data.op_id; });
      writeOutbox(rest);
      if (ack && !ack.ok) showError(ack.message);
      flushOutbox();
    });
  }

  function newOpId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  // -- the add form ----------------------------------------------------------------------

  function showError(message) {
    if (!liveError) return;
    liveError.textContent = message || "";
    liveError.hidden = !message;
  }

  function formData() {
    var kind = form.querySelector('input[name="kind"]:checked');
    var data = {
      meeting_id: meetingId,
      kind: kind ? kind.value : "mood",
      body: form.elements.body.value,
      op_id: form.elements.op_id.value || newOpId()
    };
    if (form.elements.title.value.trim()) data.title = form.elements.title.value;
    return data;
  }

  function saveDraft() {
    var kind = form.querySelector('input[name="kind"]:checked');
    var draft = { kind: kind ? kind.value : "mood", title: form.elements.title.value,
                  body: form.elements.body.value };
    if (draft.title || draft.body) window.localStorage.setItem(draftKey, JSON.stringify(draft));
    else window.localStorage.removeItem(draftKey);
  }

  function restoreDraft() {
    var raw = window.localStorage.getItem(draftKey);
    if (!raw) return;
    try {
      var draft = JSON.parse(raw);
      if (!form.elements.body.value && draft.body) form.elements.body.value = draft.body;
      if (!form.elements.title.value && draft.title) form.elements.title.value = draft.title;
      var radio = form.querySelector('input[name="kind"][value="' + draft.kind + '"]');
      if (radio) radio.checked = true;
      var status = document.getElementById("draft-status");
      if (status && draft.body) status.textContent = status.dataset.restored || "";
    } catch (err) { window.localStorage.removeItem(draftKey); }
  }

  function resetForm() {
    form.elements.title.value = "";
    form.elements.body.value = "";
    form.elements.op_id.value = newOpId();
    window.localStorage.removeItem(draftKey);
    var preview = document.getElementById("entry-preview");
    if (preview) preview.hidden = true;
    showError("");
  }

  var lastTyping = 0;
  function typing() {
    var now = Date.now();
    if (joined && live.socket.connected && now - lastTyping > 3000) {
      lastTyping = now;
      live.command("set_typing", { meeting_id: meetingId, typing: true });
    }
  }

  if (form) {
    restoreDraft();
    form.addEventListener("input", function () { saveDraft(); typing(); });
    form.addEventListener("change", saveDraft);
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      event.preventDefault();
      var data = formData();
      form.elements.op_id.value = data.op_id;
      if (submitter && submitter.value === "preview") {
        live.command("preview_markdown", { body: data.body }).then(function (ack) {
          var preview = document.getElementById("entry-preview");
          if (ack && ack.ok && preview) {
            preview.querySelector(".preview-body").innerHTML = ack.html;
            preview.hidden = false;
          } else if (ack) { showError(ack.message); }
        });
        return;
      }
      if (!data.body.trim()) {
        showError(form.dataset.emptyMessage);
        return;
      }
      if (!live.socket.connected) {
        var items = readOutbox();
        items.push({ command: "add_entry", data: data });
        writeOutbox(items);
        resetForm();
        return;
      }
      live.command("add_entry", data).then(function (ack) {
        if (ack && ack.ok) {
          resetForm();
        } else if (ack) {
          showError(ack.message);
        }
      });
    });
  }

  // -- entry controls: need actions and removal -----------------------------------------

  root.addEventListener("submit", function (event) {
    var control = event.target.closest("form[data-command]");
    if (!control || !root.contains(control) || control === form) return;
    event.preventDefault();
    if (control.dataset.confirm && !window.confirm(control.dataset.confirm)) return;
    var entryId = parseInt(control.dataset.entryId, 10);
    var name = control.dataset.command;
    var data = { entry_id: entryId };
    if (name === "claim_need" && control.elements.note && control.elements.note.value.trim()) {
      data.note = control.elements.note.value;
    }
    if (name === "resolve_need") data.outcome = event.submitter ? event.submitter.value : "met";
    live.command(name, data).then(function (ack) {
      if (ack && !ack.ok) {
        var node = document.getElementById("entree-" + entryId);
        var note = document.createElement("p");
        note.className = "form-error";
        note.setAttribute("role", "alert");
        note.textContent = ack.message;
        if (node) node.appendChild(note); else showError(ack.message);
      }
    });
  });
  document.querySelectorAll("form[data-confirm]:not([data-command])").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      if (!window.confirm(f.dataset.confirm)) event.preventDefault();
    });
  });

  // -- (re)connection ------------------------------------------------------------------

  showOutbox(readOutbox());
  live.onConnect(function () {
    live.command("join_document", { meeting_id: meetingId }).then(function (ack) {
      if (ack && ack.ok) {
        joined = true;
        applyState(ack);
        flushOutbox();
      }
    });
  });
})();
