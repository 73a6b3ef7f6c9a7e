/* The live meeting, for the console, the projector screen and the phones (data-view).
 *
 * On every (re)connection `join_live` returns the exact current state; `live_updated` facts
 * carry the re-rendered regions of each view, swapped in place (typed text and focus are kept).
 * Forms marked data-command are sent as socket commands (they also work as plain posts).
 * A phone keeps its raised hand and its answers while offline and sends them on reconnect.
 */
(function () {
  "use strict";
  var live = window.Vendredi && window.Vendredi.live;
  var root = document.getElementById("live");
  if (!live || !root) return;
  var view = root.dataset.view;
  var meetingId = parseInt(root.dataset.meetingId, 10);
  var liveRevision = parseInt(root.dataset.liveRevision, 10) || 0;
  var agendaRevision = parseInt(root.dataset.agendaRevision, 10) || 0;
  var errorBox = document.getElementById("live-error");
  var announce = document.getElementById("live-announce");
  var outboxKey = "vendredi:live-outbox:" + meetingId;
  var answersKey = "vendredi:answers:" + meetingId;
  var lastCurrent = null;
  var timerBase = null;

  function showError(message) {
    if (!errorBox) return;
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  // -- swapping regions, keeping what is being typed ----------------------------------------

  function swap(name, html) {
    root.querySelectorAll('[data-region="' + name + '"]').forEach(function (old) {
      var kept = {};
      old.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (field) {
        if (field.type === "hidden") return;
        kept[field.id] = field.type === "radio" || field.type === "checkbox" ? field.checked : field.value;
      });
      var focused = document.activeElement && old.contains(document.activeElement) ? document.activeElement.id : null;
      var holder = document.createElement("template");
      holder.innerHTML = html.trim();
      var fresh = holder.content.firstElementChild;
      fresh.querySelectorAll('input[name="csrf_token"]').forEach(function (i) { i.value = live.csrfToken(); });
      Object.keys(kept).forEach(function (id) {
        var field = fresh.querySelector("#" + CSS.escape(id));
        if (!field) return;
        if (field.type === "radio" || field.type === "checkbox") field.checked = kept[id];
        else if (kept[id]) field.value = kept[id];
      });
      old.replaceWith(fresh);
      if (focused) {
        var again = document.getElementById(focused);
        if (again) again.focus();
      }
    });
  }

  function apply(fact) {
    if (!fact || fact.meeting_id !== meetingId) return;
    if (fact.live_revision < liveRevision) return;  // older news
    liveRevision = fact.live_revision;
    agendaRevision = fact.agenda_revision;
    var regions = fact.regions || {};  // the server sends each view only its own regions
    Object.keys(regions).forEach(function (name) { swap(name, regions[name]); });
    if (fact.timer !== undefined) timerBase = fact.timer ? { data: fact.timer, at: Date.now() } : null;
    if (fact.current_item_id !== lastCurrent) {
      if (lastCurrent !== null && announce) {
        var title = root.querySelector(".current-title");
        announce.textContent = title ? title.textContent : "";
      }
      lastCurrent = fact.current_item_id;
    }
    afterRender();
  }

  // -- the timer counts on locally between facts ----------------------------------------------

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    root.querySelectorAll("[data-timer]").forEach(function (box) {
      var elapsed = parseInt(box.dataset.elapsed, 10) || 0;
      var running = box.dataset.running === "true";
      var allowance = parseInt(box.dataset.allowance, 10) || 0;
      if (timerBase && timerBase.data) {
        elapsed = timerBase.data.elapsed;
        running = timerBase.data.running;
        allowance = timerBase.data.allowance;
        if (running) elapsed += Math.floor((Date.now() - timerBase.at) / 1000);
      }
      var clock = box.querySelector("[data-timer-clock]");
      if (clock) clock.textContent = Math.floor(elapsed / 60) + ":" + pad(elapsed % 60);
      var state = box.querySelector("[data-timer-state]");
      var over = elapsed - allowance;
      box.classList.toggle("is-over", over > 0);
      if (state) {
        state.textContent = over > 0 ? box.dataset.labelOver.replace("{n}", Math.ceil(over / 60))
          : (running ? box.dataset.labelRunning : box.dataset.labelPaused);
      }
    });
  }
  window.setInterval(tick, 1000);

  // -- phones: my hand, my answers, and what waits while offline -----------------------------

  function mine(li) {
    var member = root.dataset.memberId, attendance = root.dataset.attendanceId;
    return (member && li.dataset.memberId === member) || (attendance && li.dataset.attendanceId === attendance);
  }

  function readJSON(key, fallback) {
    try { return JSON.parse(window.localStorage.getItem(key)) || fallback; } catch (err) { return fallback; }
  }

  function afterRender() {
    if (view !== "phone") return;
    var raised = false;
    root.querySelectorAll(".queue-list li").forEach(function (li) { if (mine(li)) raised = true; });
    var pending = readJSON(outboxKey, {});
    if (pending.hand) raised = pending.hand.command === "raise_hand";
    root.querySelectorAll('[data-hand="raise"]').forEach(function (f) { f.hidden = raised; });
    root.querySelectorAll('[data-hand="lower"]').forEach(function (f) { f.hidden = !raised; });
    var answers = readJSON(answersKey, {});
    root.querySelectorAll(".answer-form").forEach(function (form) {
      var given = answers[form.dataset.roundId];
      var note = form.querySelector("[data-my-answer]");
      if (given && note) note.textContent = given.label;
    });
  }

  function remember(command, data, label) {
    if (command === "answer_round") {
      var answers = readJSON(answersKey, {});
      answers[data.round_id] = { answer: data.answer, label: label };
      window.localStorage.setItem(answersKey, JSON.stringify(answers));
    }
  }

  function queueOffline(command, data) {
    var pending = readJSON(outboxKey, {});
    if (command === "raise_hand" || command === "lower_hand") pending.hand = { command: command, data: data };
    else { pending.answers = pending.answers || {}; pending.answers[data.round_id] = { command: command, data: data }; }
    window.localStorage.setItem(outboxKey, JSON.stringify(pending));
  }

  function flushOutbox() {
    var pending = readJSON(outboxKey, {});
    var jobs = [];
    if (pending.hand) jobs.push(pending.hand);
    Object.keys(pending.answers || {}).forEach(function (k) { jobs.push(pending.answers[k]); });
    window.localStorage.removeItem(outboxKey);
    jobs.forEach(function (job) {
      live.command(job.command, job.data).then(function (ack) { if (ack && !ack.ok) showError(ack.message); });
    });
  }

  // -- forms become commands ------------------------------------------------------------------

  function payload(form, submitter) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "csrf_token" || field.name === "op" || field.disabled) return;
      if (field.type === "submit" || field.type === "button") return;
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
      var value = field.value;
      if (field.hasAttribute("data-live-revision")) value = liveRevision;
      else if (field.hasAttribute("data-agenda-revision")) value = agendaRevision;
      else if (field.hasAttribute("data-list")) value = value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      else if (field.hasAttribute("data-int")) value = value === "" ? "" : parseInt(value, 10);
      if (value === "" || (Array.isArray(value) && !value.length)) return;
      data[field.name] = value;
    });
    if (submitter && submitter.name) {
      data[submitter.name] = submitter.value;
    }
    return data;
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-command]");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    var name = form.dataset.command;
    var data = payload(form, event.submitter);
    var checked = form.querySelector('input[name="answer"]:checked');
    var label = checked ? form.querySelector('label[for="' + checked.id + '"]').textContent : "";
    var phoneCommand = name === "raise_hand" || name === "lower_hand" || name === "answer_round";
    if (phoneCommand) remember(name, data, label);
    if (phoneCommand && !live.socket.connected) {
      queueOffline(name, data);
      afterRender();
      return;
    }
    live.command(name, data).then(function (ack) {
      if (ack && ack.ok) {
        showError("");
        if (form.matches(".open-round, [data-command=record_decision], [data-command=add_action]")) {
          // The fact may have swapped the region (typed text kept) before this ack: empty the
          // form that is on the page now.
          var shown = form.isConnected ? form : root.querySelector('form[data-command="' + name + '"]');
          if (shown) shown.reset();
        }
        afterRender();
      } else if (ack) {
        showError(ack.message);
      }
    });
  });

  document.querySelectorAll("form[data-confirm]:not([data-command])").forEach(function (f) {
    f.addEventListener("submit", function (event) { if (!window.confirm(f.dataset.confirm)) event.preventDefault(); });
  });

  // -- drag and drop of the console's agenda ----------------------------------------------------

  var dragged = null;
  root.addEventListener("dragstart", function (event) {
    var li = event.target.closest && event.target.closest("li[draggable]");
    if (!li) return;
    dragged = li;
    li.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.dataset.itemId);
  });
  root.addEventListener("dragover", function (event) {
    var li = event.target.closest && event.target.closest(".agenda-list[data-sortable] li");
    if (!dragged || !li || li === dragged) return;
    event.preventDefault();
    var box = li.getBoundingClientRect();
    li.parentNode.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? li.nextSibling : li);
  });
  root.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("is-dragging");
    var list = dragged.parentNode;
    dragged = null;
    var order = Array.prototype.map.call(list.querySelectorAll("li[data-item-id]"), function (li) {
      return parseInt(li.dataset.itemId, 10);
    });
    live.command("reorder_agenda", { meeting_id: meetingId, agenda_revision: agendaRevision, order: order })
      .then(function (ack) { if (ack && !ack.ok) showError(ack.message); });
  });

  // -- (re)connection ------------------------------------------------------------------------

  live.on("live_updated", apply);
  // Another console started or closed the meeting: this one reloads for its new layout (not
  // when the page is already leaving, e.g. after its own "Commencer" form was sent).
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  live.on("meeting_status_changed", function (fact) {
    if (fact.meeting_id === meetingId && view === "console" && !leaving) window.location.reload();
  });
  function join() {
    live.command("join_live", { meeting_id: meetingId, view: view }).then(function (ack) {
      if (ack && ack.ok) {
        apply(ack);  // never older than what this page saw: the database only moves forward
        flushOutbox();
      } else if (ack) {
        showError(ack.message);
      }
    });
  }
  live.onConnect(join);
  // A fact could not be built after a committed change: read the exact state again.
  live.on("resync", join);
  afterRender();
  tick();
})();
