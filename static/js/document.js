/* The live shared document of a Friday.
 *
 * - On every (re)connection, `join_document` answers with the document exactly as it is now:
 *   the page replaces its entries (nothing is missed after sleep, Wi-Fi loss or a restart).
 * - Facts (`entry_added`, `entry_edited`, `entry_deleted`, `need_*`, `presence_changed`) swap
 *   in the fragment the server rendered from the same partial as the page.
 * - The add form keeps its draft in localStorage (survives a reload), and an entry written
 *   while offline waits in the outbox of live.js, shown as not yet sent, and is sent with its
 *   operation id once the link is back (the server applies an operation id once, even if it
 *   arrives twice).
 * - Before the Friday has a row (data-meeting-id=""), the page joins nothing: its first entry
 *   is sent with the day, and the ack's meeting_id then joins the document's room.
 * - A refusal is shown next to the form that sent it (live.showAckError). An entry the server
 *   could not take just now (the database busy, too many at once, no answer) is not refused:
 *   it waits in the outbox like one written offline and is sent again after the wait the
 *   server named; only a refusal for good leaves the outbox, shown with its text given back.
 * - Once the server has an added entry (its ack), the draft is forgotten, "Ajouté : <titre> —
 *   voir" shows beside the button, and the page scrolls to the new entry and highlights it
 *   for a moment (no smooth scroll when the reader asked for reduced motion).
 */
(function () {
  "use strict";
  var live = window.Vendredi && window.Vendredi.live;
  var root = document.getElementById("document");
  if (!live || !root) return;

  var meetingId = readMeetingId();
  var memberId = root.dataset.memberId;
  var day = root.dataset.day || dayFromUrl();
  // Who may use which control: the server's own table (permissions.ENTRY_CONTROLS).
  var access = JSON.parse(root.dataset.controls || "{}");
  var form = document.getElementById("add-entry");
  var docStatus = document.getElementById("doc-status");
  var draftKey = "vendredi:draft:" + day;
  var outbox = live.outbox("vendredi:outbox:" + memberId);
  var joined = false;
  // Facts that reached the page while a join was on its way: the join's answer was read
  // on the server before some of them, so it must not undo them (entry id -> revision,
  // or "deleted"), one record per join still waiting for its answer.
  var sinceJoin = [];

  // The Friday's id, or null while it has no row yet (data-meeting-id="").
  function readMeetingId() {
    var id = parseInt(root.dataset.meetingId, 10);
    return isNaN(id) ? null : id;
  }

  function dayFromUrl() {
    var match = window.location.pathname.match(/\/vendredi\/(\d{4}-\d{2}-\d{2})\/?/);
    return match ? match[1] : "";
  }

  // The first entry created the Friday's row: from now on the page is that meeting's.
  function setMeetingId(id) {
    if (meetingId !== null || typeof id !== "number") return;
    meetingId = id;
    root.dataset.meetingId = String(id);
    if (form) form.dataset.meetingId = String(id);
    join();
  }

  // -- rendering facts ------------------------------------------------------------------

  function fragment(html) {
    var node = live.fragment(html);
    prepare(node);
    return node;
  }

  // Keep only the controls this reader may use (the server checks again); live.fragment has
  // given the fragment's forms this page's CSRF token.
  function prepare(node) {
    var author = node.dataset.author;
    var claimer = node.dataset.claimer;
    var relations = [];
    if (author === memberId) relations.push("author");
    if (claimer && claimer === memberId) relations.push("claimer");
    if (access.facilitator) relations.push("facilitator");
    node.querySelectorAll("[data-needs]").forEach(function (control) {
      var allowed = (access.controls || {})[control.dataset.needs];
      if (!allowed) return;
      var ok = allowed.some(function (relation) { return relations.indexOf(relation) !== -1; });
      if (!ok) control.remove();
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
    sinceJoin.forEach(function (newer) { newer[fact.entry_id] = fact.revision; });
    var existing = document.getElementById("entree-" + fact.entry_id);
    if (existing) {
      if (parseInt(existing.dataset.revision, 10) > fact.revision) return;  // older news
      live.swap(existing, fact.html, prepare);  // a note being typed to claim a need is kept
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
    sinceJoin.forEach(function (newer) { newer[fact.entry_id] = "deleted"; });
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

  // `newer`: what facts told the page while the join was on its way (see sinceJoin).
  function applyState(state, newer) {
    var seen = {};
    newer = newer || {};
    state.entries.forEach(function (item) {
      seen[item.entry_id] = true;
      if (newer[item.entry_id] === "deleted") return;  // deleted after the state was read
      forgetSavedEditDrafts(item.entry_id, item.revision);
      var existing = document.getElementById("entree-" + item.entry_id);
      if (existing) {
        if (parseInt(existing.dataset.revision, 10) > item.revision) return;  // a fact was newer
        if (existing.dataset.revision !== String(item.revision) || existing.outerHTML !== item.html) {
          live.swap(existing, item.html, prepare);
        }
      } else {
        list(item.kind).appendChild(fragment(item.html));
      }
    });
    root.querySelectorAll(".entries > [data-entry-id]").forEach(function (node) {
      // Not in the state but told by a fact since: written after the state was read.
      if (!seen[node.dataset.entryId] && !(node.dataset.entryId in newer)) node.remove();
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
    // Before the Friday has a row, its pages meet under the key of its day.
    var key = meetingId !== null ? meetingId : "day:" + day;
    if (fact.meeting_id !== key) return;
    var box = document.getElementById("presence");
    if (box) box.innerHTML = fact.html;
  });
  // Someone's first change created the Friday's row: this page now joins its document.
  live.on("meeting_created", function (fact) {
    if (meetingId === null && fact.day === day) setMeetingId(fact.meeting_id);
  });
  // The Friday started or closed elsewhere: reload for its new layout — not when this page is
  // already leaving (its own "Commencer" form is taking the facilitator to the console).
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  live.on("meeting_status_changed", function (fact) {
    if (fact.meeting_id === meetingId && !leaving) window.location.reload();
  });

  // -- the outbox: entries written offline (kept by live.js) -------------------------------

  function forThisPage(item) {
    var data = item.data || {};
    return (meetingId !== null && data.meeting_id === meetingId) || (!!day && data.day === day);
  }

  // What waits is shown as not yet sent ("En attente d’envoi", "pas encore envoyé" beside the
  // add button).
  function showOutbox() {
    var box = document.getElementById("outbox");
    var ul = document.getElementById("outbox-list");
    if (!box || !ul) return;
    var mine = outbox.all().filter(forThisPage);
    box.hidden = mine.length === 0;
    if (form) {
      if (mine.length) live.showNotSent(form); else live.clearNotSent(form);
    }
    ul.innerHTML = "";
    mine.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.data.title || String(item.data.body || "").slice(0, 60);
      ul.appendChild(li);
    });
  }

  // What a pass of the outbox settled (the first one, and each retry while the server is busy).
  function settled(results) {
    results.forEach(function (result) {
      var ack = result.ack;
      if (ack && ack.ok && ack.meeting_id !== undefined) setMeetingId(ack.meeting_id);
      // Refused for good (e.g. the Friday was closed meanwhile): it leaves the outbox, and
      // its refusal is shown next to the add form, with its text given back if the form is
      // empty. A "try again" refusal (busy, too many at once) or no answer keeps it waiting.
      if (ack && !ack.ok && !result.kept && form) {
        if (!form.elements.body.value && result.entry.data.body) {
          form.elements.body.value = result.entry.data.body;
          form.elements.title.value = result.entry.data.title || "";
          saveDraft();
        }
        live.showAckError(form, ack);
      }
    });
    showOutbox();
  }

  function flushOutbox() {
    if (!live.socket.connected) return;
    outbox.flush(function (name, data) {
      return live.command(name, data).then(function (ack) {
        showOutbox();
        return ack;
      });
    }, settled);
  }

  // Sent while connected, the server said "try again" (the database busy, too many at once)
  // or did not answer: the entry waits in the outbox with its operation id (applied once),
  // shown as not yet sent, and goes again after the wait the refusal names.
  function queueAfter(ack, data) {
    outbox.put(data.op_id, "add_entry", data);
    live.clearAckError(form);
    // Words typed while waiting for the answer stay in the form, as a new draft.
    if (form.elements.body.value === data.body) resetForm();
    else form.elements.op_id.value = newOpId();
    showOutbox();
    var wait = ack && ack.retry_after > 0 ? ack.retry_after * 1000 : 1000;
    window.setTimeout(flushOutbox, wait);
  }

  function newOpId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  // -- the add form ----------------------------------------------------------------------

  function formData() {
    var kind = form.querySelector('input[name="kind"]:checked');
    var data = {
      kind: kind ? kind.value : "mood",
      body: form.elements.body.value,
      op_id: form.elements.op_id.value || newOpId()
    };
    if (form.elements.title.value.trim()) data.title = form.elements.title.value;
    // The anonymous weather goes with a billet d'humeur only ("Ne rien dire" sends nothing).
    var weather = form.querySelector('input[name="weather"]:checked');
    if (data.kind === "mood" && weather && weather.value) data.weather = weather.value;
    // No row yet: the day names the Friday, and the first entry creates it.
    if (meetingId !== null) data.meeting_id = meetingId; else data.day = day;
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
    var oldKey = meetingId !== null ? "vendredi:draft:" + meetingId : null;  // drafts kept by id before
    if (!raw && oldKey && window.localStorage.getItem(oldKey)) {
      raw = window.localStorage.getItem(oldKey);
      window.localStorage.setItem(draftKey, raw);
      window.localStorage.removeItem(oldKey);
    }
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
    var status = document.getElementById("draft-status");
    if (status) status.textContent = "";  // "Brouillon retrouvé" is about a text now sent
    live.clearAckError(form);
  }

  // -- once added: say so beside the button, then show the entry -------------------------

  var ADDED_WAIT = 5000;  // the entry's fact may come after the ack (or with the room joined)
  var HIGHLIGHT = 4000;

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function whenPresent(id, then) {
    var node = document.getElementById(id);
    if (node) { then(node); return; }
    var observer = new MutationObserver(function () {
      var found = document.getElementById(id);
      if (!found) return;
      observer.disconnect();
      window.clearTimeout(timer);
      then(found);
    });
    var timer = window.setTimeout(function () { observer.disconnect(); }, ADDED_WAIT);
    observer.observe(root, { childList: true, subtree: true });
  }

  function showAdded(entryId, typedTitle) {
    var note = document.getElementById("entry-added");
    var id = "entree-" + entryId;
    function write(title) {
      if (!note) return;
      note.textContent = "";
      note.appendChild(document.createTextNode((note.dataset.added || "") + " " + title + " — "));
      var link = document.createElement("a");
      link.href = "#" + id;
      link.textContent = note.dataset.see || "";
      link.addEventListener("click", function (event) {
        var target = document.getElementById(id);
        if (!target) return;
        event.preventDefault();
        reveal(target);
      });
      note.appendChild(link);
      note.hidden = false;
    }
    write(typedTitle || "");
    whenPresent(id, function (node) {
      var heading = node.querySelector("h3");
      write(heading ? heading.textContent.trim() : typedTitle || "");
      reveal(node);
    });
  }

  function reveal(node) {
    node.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth", block: "center" });
    node.classList.remove("is-added");
    void node.offsetWidth;  // restart the highlight when shown again
    node.classList.add("is-added");
    window.setTimeout(function () { node.classList.remove("is-added"); }, HIGHLIGHT);
  }

  var lastTyping = 0;
  function typing() {
    var now = Date.now();
    if (joined && live.socket.connected && now - lastTyping > 3000) {
      lastTyping = now;
      live.command("set_typing", meetingId !== null ? { meeting_id: meetingId, typing: true }
                                                    : { day: day, typing: true });
    }
  }

  if (form) {
    // A copy the service worker kept (read offline) holds the operation id the form had when
    // it was saved, perhaps sent since: what is written on it is a new operation.
    if (document.documentElement.dataset.pageSource === "copy") form.elements.op_id.value = newOpId();
    restoreDraft();
    form.addEventListener("input", function () { saveDraft(); typing(); });
    form.addEventListener("change", saveDraft);
    // A weather is given once per Friday: the choice goes once it is sent.
    var weatherGiven = function () {
      var choice = document.getElementById("weather-choice");
      if (choice) choice.remove();
    };
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      event.preventDefault();
      var data = formData();
      form.elements.op_id.value = data.op_id;
      if (submitter && submitter.value === "preview") {
        live.submit(form, "preview_markdown", { body: data.body }).then(function (ack) {
          var preview = document.getElementById("entry-preview");
          if (ack && ack.ok && preview) {
            preview.querySelector(".preview-body").innerHTML = ack.html;
            preview.hidden = false;
          }
        });
        return;
      }
      if (!data.body.trim()) {
        live.showAckError(form, { ok: false, message: form.dataset.emptyMessage });
        return;
      }
      if (!live.socket.connected) {
        live.clearAckError(form);
        outbox.put(data.op_id, "add_entry", data);
        showOutbox();
        resetForm();
        if (data.weather) weatherGiven();
        return;
      }
      live.submit(form, "add_entry", data, submitter).then(function (ack) {
        if (live.retryable(ack)) {
          if (data.weather) weatherGiven();
          queueAfter(ack, data);
          return;
        }
        if (ack && ack.ok) {
          if (data.weather) weatherGiven();
          // Sent: the draft goes. Words typed while waiting for the ack are a new draft.
          if (form.elements.body.value === data.body) resetForm();
          else form.elements.op_id.value = newOpId();
          if (ack.meeting_id !== undefined) setMeetingId(ack.meeting_id);
          showAdded(ack.entry_id, data.title);
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
    // A met need's estimated value goes with "Satisfait" only (the server ignores it otherwise).
    if (name === "resolve_need" && data.outcome === "met" && control.elements.value &&
        control.elements.value.value.trim()) {
      data.value = control.elements.value.value;
    }
    // Pending until the ack; a refusal is shown next to this control (the entry may have been
    // swapped meanwhile: live.js finds the control again).
    live.submit(control, name, data);
  });
  document.querySelectorAll("form[data-confirm]:not([data-command])").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      if (!window.confirm(f.dataset.confirm)) event.preventDefault();
    });
  });

  // -- (re)connection ------------------------------------------------------------------

  function join() {
    var asked = meetingId;
    // Before the Friday has a row, the page waits in its day's room (nothing is stored yet).
    var data = asked !== null ? { meeting_id: asked } : { day: day };
    var newer = {};
    sinceJoin.push(newer);
    live.command("join_document", data).then(function (ack) {
      sinceJoin.splice(sinceJoin.indexOf(newer), 1);
      if (asked !== meetingId) return;
      if (ack && ack.ok) {
        if (asked === null && typeof ack.meeting_id === "number") { setMeetingId(ack.meeting_id); return; }
        joined = true;
        if (asked !== null) applyState(ack, newer);  // before the row: nothing stored
        root.dataset.joins = String((parseInt(root.dataset.joins, 10) || 0) + 1);  // answered
        flushOutbox();
      }
    });
  }

  showOutbox();
  live.onConnect(function () {
    if (meetingId === null) flushOutbox();  // entries written offline create the Friday
    join();
  });
})();
