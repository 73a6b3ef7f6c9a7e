/* The live meeting, for the console, the projector screen and the phones (data-view).
 *
 * On every (re)connection `join_live` ({meeting_id, view}) returns the exact current state;
 * `live_updated` facts carry `regions` ({region: html}) rendered for this page's own view,
 * swapped in place by live.swap (typed text and focus are kept); `resync` means "join again".
 * Forms marked data-command are sent as socket commands (they also work as plain posts); an
 * action shows as done only once acked, and a refusal is shown next to the form that sent it.
 * A phone keeps its raised hand, its answers and a late billet in live.js's outbox while
 * offline, marked "pas encore envoyé", and sends them on reconnect (a billet with its operation
 * id: applied once).
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
  var outbox = live.outbox(outboxKey);
  var answersKey = "vendredi:answers:" + meetingId;
  var lastCurrent = null;
  var timerBase = null;

  function showError(message) {
    if (!errorBox) return;
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  // -- swapping regions, keeping what is being typed (live.swap) -------------------------------

  function swap(name, html) {
    root.querySelectorAll('[data-region="' + name + '"]').forEach(function (old) {
      live.swap(old, html, keepBaseRevision(old));
    });
  }

  // Shared text edited in a region (the scribe's summary) is saved against the revision it
  // started from (`data-base-revision`). While what the reader typed differs from the text the
  // fresh fragment holds, the form keeps its own base: saving is then refused as stale, never
  // a silent overwrite of what someone else saved meanwhile.
  function keepBaseRevision(old) {
    var kept = [];
    old.querySelectorAll("input[data-base-revision][id]").forEach(function (input) {
      var text = input.form && input.form.querySelector("textarea[id]");
      if (text && text.value !== text.defaultValue) {
        kept.push({ id: input.id, value: input.value, textId: text.id, typed: text.value });
      }
    });
    if (!kept.length) return null;
    return function (fresh) {
      kept.forEach(function (item) {
        var input = fresh.querySelector("#" + CSS.escape(item.id));
        var text = fresh.querySelector("#" + CSS.escape(item.textId));
        if (input && text && text.defaultValue !== item.typed) input.value = item.value;
      });
    };
  }

  // After an ack of write_summary: the revision the server holds now (a refused stale save
  // says it, so that pressing again replaces the other text knowingly).
  function adoptRevision(form, name, ack) {
    if (!ack || ack.summary_revision === undefined) return;
    var shown = form.isConnected ? form : root.querySelector('form[data-command="' + name + '"]');
    var base = shown && shown.querySelector("[data-base-revision]");
    if (base) base.value = ack.summary_revision;
  }

  function agendaList() {
    return root.querySelector('[data-region="agenda"] .agenda-list');
  }

  function patchable(fact) {
    var list = agendaList();
    if (!list || String(list.dataset.agendaRevision) !== String(fact.agenda_revision)) return false;
    return Object.keys(fact.agenda_items).every(function (id) {
      return list.querySelector('li[data-item-id="' + id + '"]');
    });
  }

  function patchAgenda(fact) {
    var list = agendaList();
    Object.keys(fact.agenda_items).forEach(function (id) {
      var li = list.querySelector('li[data-item-id="' + id + '"]');
      if (li) live.swap(li, fact.agenda_items[id]);
    });
    var end = root.querySelector('[data-region="agenda"] [data-agenda-end]');
    if (end && fact.agenda_end) live.swap(end, fact.agenda_end);
  }

  function apply(fact) {
    if (!fact || fact.meeting_id !== meetingId) return;
    // Regions rendered for another view (a console also in a phone's room) are not this page's;
    // a phone page is a member's phone or a guest's.
    if (fact.view && fact.view !== view && !(view === "phone" && fact.view === "guest")) return;
    if (fact.live_revision < liveRevision) return;  // older news
    // Only some points changed status: the fact carries them alone, for a list in the order
    // of its `agenda_revision`. A list in another order (or missing one) reads the whole state.
    if (fact.agenda_items && !patchable(fact)) { join(); return; }
    liveRevision = fact.live_revision;
    agendaRevision = fact.agenda_revision;
    var regions = fact.regions || {};  // the server sends each view only its own regions
    Object.keys(regions).forEach(function (name) { swap(name, regions[name]); });
    if (fact.agenda_items) patchAgenda(fact);
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

  // Before ids existed the outbox was {hand: {command, data}, answers: {round: {…}}}.
  (function migrateOutbox() {
    var stored = readJSON(outboxKey, null);
    if (!stored || Array.isArray(stored)) return;
    window.localStorage.removeItem(outboxKey);
    if (stored.hand) outbox.put("hand", stored.hand.command, stored.hand.data);
    Object.keys(stored.answers || {}).forEach(function (round) {
      var job = stored.answers[round];
      outbox.put("answer:" + round, job.command, job.data);
    });
  })();

  function outboxId(command, data) {
    if (command === "add_entry") return "entry:" + data.op_id;
    return command === "answer_round" ? "answer:" + data.round_id : "hand";
  }

  // The form on the page now that sends this command (regions are swapped by facts).
  function formFor(command, data) {
    if (command === "answer_round") return root.querySelector('.answer-form[data-round-id="' + data.round_id + '"]');
    if (command === "raise_hand" || command === "lower_hand") {
      return root.querySelector('form[data-hand]:not([hidden])') || root.querySelector('form[data-command="' + command + '"]');
    }
    return root.querySelector('form[data-command="' + command + '"]');
  }

  function afterRender() {
    if (view !== "phone") return;
    var raised = false;
    root.querySelectorAll(".queue-list li").forEach(function (li) { if (mine(li)) raised = true; });
    var waiting = {};
    outbox.all().forEach(function (entry) { waiting[entry.id] = entry; });
    // A hand raised or lowered offline shows as such, marked as not yet sent.
    if (waiting.hand) raised = waiting.hand.command === "raise_hand";
    root.querySelectorAll('[data-hand="raise"]').forEach(function (f) { f.hidden = raised; live.clearNotSent(f); });
    root.querySelectorAll('[data-hand="lower"]').forEach(function (f) { f.hidden = !raised; live.clearNotSent(f); });
    if (waiting.hand) {
      var shown = root.querySelector(raised ? '[data-hand="lower"]' : '[data-hand="raise"]');
      if (shown) live.showNotSent(shown);
    }
    // My answer shows only once the server took it (or, offline, marked as not yet sent).
    var answers = readJSON(answersKey, {});
    root.querySelectorAll(".answer-form").forEach(function (form) {
      var note = form.querySelector("[data-my-answer]");
      if (!note) return;
      var box = note.closest("[data-my-answer-box]");
      var prefix = box && box.querySelector("[data-my-answer-prefix]");
      var queued = waiting["answer:" + form.dataset.roundId];
      var given = answers[form.dataset.roundId];
      if (queued) {
        note.textContent = (queued.meta && queued.meta.label ? queued.meta.label + " — " : "") + notSentLabel();
        if (prefix) prefix.textContent = box.dataset.labelQueued || "";
      } else {
        note.textContent = given ? given.label : "";
        if (prefix) prefix.textContent = box.dataset.labelGiven || "";
      }
      if (box) box.hidden = !note.textContent;
    });
    // A billet written offline waits in its form, marked as not yet sent (a page read offline
    // from the service worker's copy gets its text back from the outbox).
    var late = root.querySelector('form[data-command="add_entry"]');
    var billet = outbox.all().filter(function (entry) { return entry.command === "add_entry"; })[0];
    if (late && billet) {
      if (!late.elements.body.value) {
        late.elements.body.value = billet.data.body || "";
        late.elements.title.value = billet.data.title || "";
        var kind = late.querySelector('input[name="kind"][value="' + billet.data.kind + '"]');
        if (kind) kind.checked = true;
        late.dataset.opId = billet.data.op_id;
      }
      live.showNotSent(late);
    } else if (late) {
      live.clearNotSent(late);
    }
  }

  // A billet written offline was taken: its form empties, unless it holds another text now.
  function billetSent(data) {
    var form = formFor("add_entry", data);
    if (!form || form.dataset.opId !== data.op_id) return;
    form.reset();
    delete form.dataset.opId;
    if (form.dataset.doneLabel) live.showDone(form, form.dataset.doneLabel);
  }

  function notSentLabel() {
    return document.body.dataset.labelNotSent || root.dataset.labelNotSent || "pas encore envoyé";
  }

  // An answer the server took: the phone shows it from then on (the page does not render it).
  function remember(command, data, label) {
    if (command === "answer_round") {
      var answers = readJSON(answersKey, {});
      answers[data.round_id] = { answer: data.answer, label: label };
      window.localStorage.setItem(answersKey, JSON.stringify(answers));
    }
  }

  // Sent again on reconnect, and while connected after a "try again" (busy, too many at once):
  // `settled` gets every pass's results, the later retries' too.
  function flushOutbox() {
    outbox.flush(null, function settled(results) {
      results.forEach(function (result) {
        var entry = result.entry, ack = result.ack;
        if (ack && ack.ok) remember(entry.command, entry.data, entry.meta && entry.meta.label);
        if (ack && ack.ok && entry.command === "add_entry") billetSent(entry.data);
        else if (ack && !ack.ok && !result.kept) {
          var form = formFor(entry.command, entry.data);
          if (form && entry.command === "add_entry") delete form.dataset.opId;  // nothing added
          if (form) live.showAckError(form, ack); else showError(ack.message);
        }
      });
      if (results.length) afterRender();
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
      else if (field.hasAttribute("data-bool")) value = true;  // a ticked box (unticked ones are left out)
      if (value === "" || (Array.isArray(value) && !value.length)) return;
      data[field.name] = value;
    });
    if (submitter && submitter.name) {
      data[submitter.name] = submitter.value;
    }
    return data;
  }

  function opId() {
    return "op-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-command]");
    if (!form) return;
    event.preventDefault();
    if (live.isPending(form)) return;  // sent already: its ack is awaited
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    var name = form.dataset.command;
    var submitter = event.submitter;
    var data = payload(form, submitter);
    var checked = form.querySelector('input[name="answer"]:checked');
    var label = checked ? form.querySelector('label[for="' + checked.id + '"]').textContent.trim() : "";
    var phoneCommand = name === "raise_hand" || name === "lower_hand" || name === "answer_round";
    var handCommand = name === "raise_hand" || name === "lower_hand";
    var queued = phoneCommand || (name === "add_entry" && view === "phone");
    if (name === "add_entry") data.op_id = form.dataset.opId || (form.dataset.opId = opId());  // a resend adds once
    if (queued && !live.socket.connected) {
      // Kept until the link is back, shown as not yet sent.
      live.clearAckError(form);
      outbox.put(outboxId(name, data), name, data, { label: label });
      afterRender();
      return;
    }
    var options = form.dataset.doneLabel ? { done: form.dataset.doneLabel } : {};
    live.submit(form, name, data, submitter, options).then(function (ack) {
      adoptRevision(form, name, ack);
      // Refused for good: nothing was added, the next send is a new operation.
      if (ack && !ack.ok && name === "add_entry") delete form.dataset.opId;
      if (ack && ack.ok) {
        showError("");
        if (queued) {
          remember(name, data, label);
          outbox.remove(outboxId(name, data));  // an older offline one is now out of date
        }
        if (form.matches(".open-round, [data-command=record_decision], [data-command=add_action], [data-reset-on-ok]")) {
          // The fact may have swapped the region (typed text kept) before this ack: empty the
          // form that is on the page now.
          var shown = form.isConnected ? form : root.querySelector('form[data-command="' + name + '"]');
          if (shown) shown.reset();
        }
        if (name === "add_entry") delete form.dataset.opId;
        afterRender();
        var active = document.activeElement;
        if (handCommand && (!active || active === document.body || active.closest("[hidden]"))) {
          // The button pressed is now hidden: the focus goes to the one shown in its place.
          var other = root.querySelector("form[data-hand]:not([hidden]) button");
          if (other) other.focus({ preventScroll: true });
        }
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
      .then(function (ack) {
        if (ack && ack.ok) { showAgendaError(""); return; }
        // Refused (or no answer): the agenda goes back to the server's order, the reason
        // shown just above it (no control sent it: there is no button to put it beside).
        showAgendaError((ack && ack.message) || root.dataset.labelNoAnswer ||
          "Pas de réponse du serveur : rien ne dit que c’est enregistré. Réessayez.");
        join();
      });
  });

  function showAgendaError(message) {
    var region = root.querySelector('[data-region="agenda"]');
    var note = document.getElementById("agenda-error");
    if (!region) { showError(message); return; }
    if (!message) { if (note) note.remove(); return; }
    if (!note) {
      note = document.createElement("p");
      note.id = "agenda-error";
      note.className = "form-error";
      note.setAttribute("role", "alert");
      note.setAttribute("tabindex", "-1");
      region.insertAdjacentElement("beforebegin", note);
    }
    note.textContent = message;
  }

  // -- (re)connection ------------------------------------------------------------------------

  live.on("live_updated", apply);
  // Another console started or closed the meeting: this one reloads for its new layout (not
  // when the page is already leaving, e.g. after its own "Commencer" form was sent).
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  // A member's phone started following: the console's "suivent sur leur téléphone" proposal.
  live.on("followers_changed", function (fact) {
    if (view !== "console" || fact.meeting_id !== meetingId) return;
    var box = document.getElementById("followers");
    if (box) live.swap(box, fact.html);
  });
  live.on("meeting_status_changed", function (fact) {
    if (fact.meeting_id !== meetingId) return;
    // A closed Friday's document takes nothing more: its forms leave the phone (no reload).
    if (fact.status === "closed") root.querySelectorAll("[data-open-only]").forEach(function (el) { el.hidden = true; });
    if (view === "console" && !leaving) window.location.reload();
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
