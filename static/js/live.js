/* Vendredi live link: owns the one Socket.IO connection of the page, and the few things every
 * live page does the same way.
 *
 *   Vendredi.live.on("trace_added", fact => …)      listen to a past-tense fact
 *   Vendredi.live.command("sync_traces", {…})       send a command, get a Promise of the ack
 *                                                    (null when no ack came: link lost, timeout)
 *   Vendredi.live.onConnect(() => …)                run on every (re)connection, to resync
 *
 *   Vendredi.live.fragment(html)                    a server-rendered fragment as an element
 *   Vendredi.live.swap(oldElement, html[, prepare]) replace an element by a fresh fragment,
 *                                                    keeping typed text, checked boxes, focus and
 *                                                    the ack errors shown next to its forms
 *   Vendredi.live.outbox(key)                       commands kept in localStorage while offline:
 *                                                    put(id, command, data[, meta]), remove(id),
 *                                                    all(), flush(send[, report]) on reconnect
 *                                                    (report(results) after every pass, the
 *                                                    retries' of a busy server included)
 *   Vendredi.live.retryable(ack)                    no ack, or a "try again later" refusal
 *   Vendredi.live.submit(form, name, data[, submitter, {done}])
 *                                                    send a command for a form: its button marked
 *                                                    and "Envoi…" beside it until the ack, then the
 *                                                    refusal beside the field(s) it names or beside
 *                                                    the button (focus moves there), or `done`
 *   Vendredi.live.showAckError(form, ack)           a refusal: `ack.field`/`ack.fields` beside each
 *   Vendredi.live.clearAckError(form)                field (aria-invalid, "error-<name>"), else
 *                                                    its message beside the button (role=alert)
 *   Vendredi.live.showDone(form, text) / clearDone  a confirmation beside the button, once acked
 *   Vendredi.live.isPending(form)                   sent, its ack not yet back
 *   Vendredi.live.showNotSent(form[, text])         "pas encore envoyé" next to a form whose
 *   Vendredi.live.clearNotSent(form)                 command waits in an outbox
 *
 * While the link is down a visible "hors ligne" banner is shown; on reconnect every
 * onConnect handler runs again so that the page catches up with what it missed.
 * Texts the script shows come from data-* attributes of <body> or #live when the page gives
 * them (data-label-sending, data-label-not-sent, data-label-no-answer), else the French below.
 */
(function () {
  "use strict";
  var body = document.body;
  var banner = document.getElementById("hors-ligne");
  var connectHandlers = [];
  var everConnected = false;
  var offlineTimer = null;
  var ACK_TIMEOUT = 15000;
  // Refusals that say "try again later": a queued command is kept and sent again, after the
  // `retry_after` seconds the refusal names ("busy": the database is busy, full or restarting,
  // meeting/faults.py; "rate_limited": too many at once). Any other refusal is for good, an
  // unexpected "server_error" too: the command leaves the outbox and is shown beside its control
  // (a command that fails the same way every time would otherwise hold back all behind it).
  var RETRYABLE = ["busy", "retry", "rate_limited"];

  // A text the page gives (data-label-… on <body>, else on the live page's #live root).
  function label(name, fallback) {
    var page = document.getElementById("live");
    return (body && body.dataset[name]) || (page && page.dataset[name]) || fallback;
  }

  function setOffline(offline) {
    if (!banner) return;
    if (offline) {
      // A short grace period avoids flashing the banner on a quick reconnect.
      if (offlineTimer === null) {
        offlineTimer = window.setTimeout(function () { banner.hidden = false; }, 300);
      }
    } else {
      if (offlineTimer !== null) { window.clearTimeout(offlineTimer); offlineTimer = null; }
      banner.hidden = true;
    }
    body.classList.toggle("is-offline", offline);
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // -- fragments: swapped in place, keeping what is being typed -----------------------------

  function fragment(html) {
    var holder = document.createElement("template");
    holder.innerHTML = String(html).trim();
    var node = holder.content.firstElementChild;
    if (node) {
      node.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
        input.value = csrfToken();
      });
    }
    return node;
  }

  function isToggle(field) { return field.type === "radio" || field.type === "checkbox"; }

  // What the reader changed in a field (null when it still shows what the server rendered:
  // then the fresh fragment's value wins, e.g. an item renamed from another console).
  function typed(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button" ||
        field.type === "file" || field.name === "csrf_token") return null;
    if (isToggle(field)) return field.checked !== field.defaultChecked ? { checked: field.checked } : null;
    if (field.tagName === "SELECT") {
      var changed = Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
      if (!changed) return null;
      return { selected: Array.prototype.filter.call(field.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; }) };
    }
    return field.value !== field.defaultValue ? { value: field.value } : null;
  }

  function restore(field, kept) {
    if (kept.checked !== undefined && isToggle(field)) field.checked = kept.checked;
    else if (kept.selected && field.tagName === "SELECT") {
      Array.prototype.forEach.call(field.options, function (o) { o.selected = kept.selected.indexOf(o.value) >= 0; });
    } else if (kept.value !== undefined && !isToggle(field) && field.tagName !== "SELECT") field.value = kept.value;
  }

  // The same control in a fresh fragment: by id, else by its place among the same controls
  // (same tag, name and text: a "Suivant" button without id keeps the focus too).
  function controlSignature(el) {
    return [el.tagName, el.getAttribute("name") || "", el.getAttribute("value") || "",
            (el.textContent || "").trim()].join("\u0001");
  }
  function findSame(oldRoot, freshRoot, el) {
    if (el.id) {
      if (freshRoot.id === el.id) return freshRoot;
      return freshRoot.querySelector("#" + CSS.escape(el.id));
    }
    var sig = controlSignature(el);
    var before = Array.prototype.filter.call(oldRoot.querySelectorAll(el.tagName), function (c) {
      return controlSignature(c) === sig;
    });
    var index = before.indexOf(el);
    var after = Array.prototype.filter.call(freshRoot.querySelectorAll(el.tagName), function (c) {
      return controlSignature(c) === sig;
    });
    return index >= 0 && after.length === before.length ? after[index] : null;
  }

  function swap(old, html, prepare) {
    var fresh = typeof html === "string" ? fragment(html) : html;
    if (!old || !fresh) return fresh;
    var kept = [];
    old.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (field) {
      var value = typed(field);
      if (value) kept.push({ id: field.id, value: value });
    });
    var active = document.activeElement;
    var focused = active && active !== document.body && old.contains(active) ? active : null;
    var selection = null;
    if (focused) {
      try {
        if (typeof focused.selectionStart === "number") {
          selection = [focused.selectionStart, focused.selectionEnd, focused.selectionDirection];
        }
      } catch (err) { selection = null; }  // inputs without a selection (checkbox…)
    }
    var errors = [];
    old.querySelectorAll("[data-ack-error-for]").forEach(function (note) {
      if (!note.hidden && note.textContent) errors.push({ key: note.dataset.ackErrorFor, text: note.textContent });
    });
    // Field errors of a refusal (and the document's own, whatever their form) are carried too.
    var fieldErrors = {};
    old.querySelectorAll("[data-field-error-for]").forEach(function (note) {
      var key = note.dataset.fieldErrorFor;
      if (!note.textContent) return;
      (fieldErrors[key] = fieldErrors[key] || {})[note.dataset.field] = note.textContent;
    });
    if (prepare) prepare(fresh);
    kept.forEach(function (item) {
      var field = fresh.id === item.id ? fresh : fresh.querySelector("#" + CSS.escape(item.id));
      if (field) restore(field, item.value);
    });
    var target = focused ? findSame(old, fresh, focused) : null;
    old.replaceWith(fresh);
    errors.forEach(function (item) {
      var form = findForm(item.key, fresh);
      if (form) showAckError(form, { ok: false, message: item.text }, true);
    });
    Object.keys(fieldErrors).forEach(function (key) {
      var form = findForm(key, fresh);
      if (form) showFieldErrors(form, fieldErrors[key], true);
    });
    if (target && typeof target.focus === "function") {
      target.focus({ preventScroll: true });
      if (selection && typeof target.setSelectionRange === "function") {
        try { target.setSelectionRange(selection[0], selection[1], selection[2]); } catch (err) { /* not text */ }
      }
    }
    return fresh;
  }

  // -- a form's identity, to find it again after a swap ---------------------------------------

  function formKey(form) {
    if (form.id) return "#" + form.id;
    var parts = [form.dataset.command || form.getAttribute("action") || ""];
    Object.keys(form.dataset).sort().forEach(function (name) {
      if (/Id$/.test(name)) parts.push(name + "=" + form.dataset[name]);
    });
    Array.prototype.forEach.call(form.querySelectorAll('input[type="hidden"]'), function (input) {
      // Revisions change with every fact: they do not make another form.
      if (!input.name || input.name === "csrf_token" || input.name === "op_id" || /revision$/.test(input.name)) return;
      parts.push(input.name + "=" + input.value);
    });
    return parts.join("&");
  }

  function findForm(key, scope) {
    if (key.charAt(0) === "#") return document.getElementById(key.slice(1));
    var forms = (scope || document).querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      if (formKey(forms[i]) === key) return forms[i];
    }
    return scope && scope !== document ? findForm(key, document) : null;
  }

  // The form as it is on the page now (a fact may have swapped it while its command was sent).
  function current(form) {
    if (!form || form.isConnected) return form;
    return findForm(formKey(form)) || form;
  }

  // -- refusals, pending commands and confirmations, beside the control that sent them ----------

  function isSubmitButton(el) {
    return !!el && ((el.tagName === "BUTTON" && el.type === "submit") ||
                    (el.tagName === "INPUT" && el.type === "submit"));
  }

  // The button that sent a form: the one given, else the focused one, else its first.
  function submitterOf(form, given) {
    if (isSubmitButton(given) && form.contains(given)) return given;
    var active = document.activeElement;
    if (isSubmitButton(active) && form.contains(active)) return active;
    return Array.prototype.filter.call(form.querySelectorAll("button, input[type=submit]"), isSubmitButton)[0] || null;
  }

  // The same button in the form on the page now (a fact may have swapped the form).
  function sameButton(form, button) {
    if (!button || !form) return null;
    if (form.contains(button)) return button;
    var sig = controlSignature(button);
    return Array.prototype.filter.call(form.querySelectorAll(button.tagName), function (c) {
      return controlSignature(c) === sig;
    })[0] || null;
  }

  // Where a note about a button goes: after the block that holds the button inside the form
  // (the <p> of a stacked form), or after the form itself when the button sits directly in it
  // (inline forms in a row of buttons).
  function anchorFor(form, button) {
    var block = button && form.contains(button) ? button : null;
    while (block && block.parentElement !== form) block = block.parentElement;
    return block || form;
  }

  // A form's own placeholder ([data-ack-error] or .js-error inside it), else a note made right
  // beside the button that sent the form. Either is marked with the form's key, so that a
  // swap carries a shown refusal over to the fresh form.
  var NOTE_KINDS = {
    error: { attr: "ackErrorFor", own: "[data-ack-error], .js-error", className: "form-error", role: "alert" },
    pending: { attr: "notSentFor", own: "[data-not-sent]", className: "hint not-sent", role: "status" },
    done: { attr: "doneFor", own: "[data-done]", className: "hint done-note", role: "status" }
  };
  function noteFor(form, kind, create, button) {
    var spec = NOTE_KINDS[kind];
    var key = formKey(form);
    var own = form.querySelector(spec.own);
    if (own) { own.dataset[spec.attr] = key; return own; }
    var found = null;
    var candidates = form.parentNode ? form.parentNode.querySelectorAll("[data-" + kebab(spec.attr) + "]") : [];
    Array.prototype.forEach.call(candidates, function (note) { if (!found && note.dataset[spec.attr] === key) found = note; });
    if (found || !create) return found;
    var note = document.createElement("p");
    note.className = spec.className;
    note.setAttribute("role", spec.role);
    note.dataset[spec.attr] = key;
    note.id = "note-" + kind + "-" + Math.random().toString(36).slice(2, 10);
    anchorFor(form, button || submitterOf(form)).insertAdjacentElement("afterend", note);
    return note;
  }

  function kebab(name) { return name.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); }); }

  function describedBy(el, id, on) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on && id) ids.push(id);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }

  // The form's buttons are described by a note beside them (read when they get focus).
  function describe(form, note, on) {
    Array.prototype.filter.call(form.querySelectorAll("button, input[type=submit]"), isSubmitButton)
      .forEach(function (button) { describedBy(button, note.id, on); });
  }

  function hideNote(form, note) {
    describe(form, note, false);
    if (note.matches("[data-ack-error], .js-error, [data-not-sent], [data-done]")) { note.textContent = ""; note.hidden = true; }
    else note.remove();
  }

  function fieldsOf(ack) {
    if (!ack) return null;
    if (ack.fields && typeof ack.fields === "object" && Object.keys(ack.fields).length) return ack.fields;
    if (ack.field) { var one = {}; one[ack.field] = ack.message; return one; }
    return null;
  }

  // The visible controls of a form named `name` (radios: all of the group).
  function controlsNamed(form, name) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name === name && el.type !== "hidden" && !el.disabled && el.getClientRects().length;
    });
  }

  // A refusal's French message. When the ack names fields (`field` / `fields`), each message
  // goes right after its field, marked aria-invalid and described by it; otherwise beside the
  // button that sent the form. Focus moves to the first invalid field or to the message, so
  // screen readers announce it (`quiet`: shown again after a swap, not announced again).
  // `ack` null or without message: no answer came.
  function showAckError(form, ack, quiet, button) {
    form = current(form);
    if (!form) return null;
    var fields = fieldsOf(ack);
    if (fields && showFieldErrors(form, fields, quiet)) return form.querySelector("[aria-invalid=true]");
    var message = ack && ack.message ? ack.message
      : label("labelNoAnswer", "Pas de réponse du serveur : rien ne dit que c’est enregistré. Réessayez.");
    var note = noteFor(form, "error", true, sameButton(form, button));
    note.setAttribute("role", "alert");
    // Carried over a swap: shown again, not announced again at every fact.
    if (quiet) note.setAttribute("aria-live", "off"); else note.removeAttribute("aria-live");
    note.textContent = message;
    note.hidden = false;
    note.setAttribute("tabindex", "-1");
    describe(form, note, true);
    if (!quiet) note.focus({ preventScroll: false });
    return note;
  }

  // Each field's message beside it, all at once; returns false when the form has none of the
  // named fields (the caller then shows the message beside the button).
  function showFieldErrors(form, fields, quiet) {
    form = current(form);
    var key = formKey(form);
    var first = null;
    var shown = 0;
    Object.keys(fields).forEach(function (name) {
      var controls = controlsNamed(form, name);
      if (!controls.length) return;
      var id = "error-" + name;
      var existing = document.getElementById(id);
      if (existing && !form.contains(existing)) id = "error-" + key.replace(/[^A-Za-z0-9_-]+/g, "-") + "-" + name;
      var note = form.querySelector("#" + CSS.escape(id));
      if (!note) {
        note = document.createElement("span");
        note.id = id;
        var last = controls[controls.length - 1];
        var group = controls.length > 1 || last.type === "radio" || last.type === "checkbox"
          ? last.closest("fieldset") || last.parentElement : last;
        group.insertAdjacentElement("afterend", note);
      }
      note.className = "field-error";
      note.dataset.fieldErrorFor = key;
      note.dataset.field = name;
      note.textContent = fields[name];
      controls.forEach(function (control) {
        control.setAttribute("aria-invalid", "true");
        describedBy(control, note.id, true);
      });
      if (!first) first = controls.filter(function (c) { return c.checked; })[0] || controls[0];
      shown += 1;
    });
    if (first && !quiet) first.focus();
    return shown > 0;
  }

  // Before the next send: the form's field errors (a swap's or the server page's) are gone.
  function clearFieldErrors(form) {
    form = current(form);
    if (!form) return;
    form.querySelectorAll(".field-error").forEach(function (note) {
      form.querySelectorAll('[aria-describedby~="' + note.id + '"]').forEach(function (control) {
        describedBy(control, note.id, false);
      });
      note.remove();
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (control) { control.removeAttribute("aria-invalid"); });
  }

  function clearAckError(form) {
    form = current(form);
    if (!form) return;
    var note = noteFor(form, "error", false);
    if (note) hideNote(form, note);
    clearFieldErrors(form);
  }

  function showNotSent(form, text) {
    form = current(form);
    if (!form) return null;
    var note = noteFor(form, "pending", true);
    note.textContent = text || label("labelNotSent", "pas encore envoyé");
    note.hidden = false;
    describe(form, note, true);
    return note;
  }

  function clearNotSent(form) {
    form = current(form);
    var note = form && noteFor(form, "pending", false);
    if (note) hideNote(form, note);
  }

  // A confirmation the server's ack allows ("Ajouté au document"), beside the button.
  function showDone(form, text, button) {
    form = current(form);
    if (!form) return null;
    var note = noteFor(form, "done", true, sameButton(form, button));
    note.textContent = text;
    note.hidden = false;
    return note;
  }

  function clearDone(form) {
    form = current(form);
    var note = form && noteFor(form, "done", false);
    if (note) hideNote(form, note);
  }

  // Waiting for the ack: the button that sent the form can't be pressed again (aria-disabled
  // keeps the focus where it is, unlike `disabled`) and "Envoi…" shows beside it.
  function setPending(form, button, on) {
    if (!form) return;
    form.querySelectorAll("[data-sending]").forEach(function (el) { el.remove(); });
    form.querySelectorAll('[aria-disabled][data-pending-button]').forEach(function (el) {
      el.removeAttribute("aria-disabled");
      el.removeAttribute("data-pending-button");
    });
    if (on) {
      form.setAttribute("aria-busy", "true");
      form.classList.add("is-pending");
      if (button) {
        button.setAttribute("aria-disabled", "true");
        button.setAttribute("data-pending-button", "");
        var note = document.createElement("span");
        note.className = "sending";
        note.setAttribute("role", "status");
        note.dataset.sending = "";
        note.textContent = label("labelSending", "Envoi…");
        button.insertAdjacentElement("afterend", note);
      }
    } else {
      form.removeAttribute("aria-busy");
      form.classList.remove("is-pending");
    }
  }

  function isPending(form) {
    form = current(form);
    return !!form && form.getAttribute("aria-busy") === "true";
  }

  if (typeof window.io !== "function") { return; }
  var socket = window.io("/live", {
    path: body.dataset.socketPath || "/socket.io",
    transports: ["websocket", "polling"],
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000
  });

  socket.on("connect", function () {
    everConnected = true;
    setOffline(false);
    body.dataset.live = "connected";
    connectHandlers.forEach(function (fn) {
      try { fn(); } catch (err) { window.console.error(err); }
    });
  });
  socket.on("disconnect", function () {
    body.dataset.live = "disconnected";
    setOffline(true);
  });
  socket.on("connect_error", function () {
    body.dataset.live = "disconnected";
    if (everConnected || socket.io.engine) setOffline(true);
  });
  // The server's processes lost each other for a while (Redis away, then back): this page may
  // have missed facts, so it catches up as after a reconnection (every onConnect handler).
  socket.on("resync", function () {
    connectHandlers.forEach(function (fn) {
      try { fn(); } catch (err) { window.console.error(err); }
    });
  });
  // The session was closed (sign-out elsewhere, account deactivated): stop and reload — not
  // when this page is the one leaving (its own sign-out form: a reload would cancel that
  // navigation before its answer cleared the session and the browser's offline copies).
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  socket.on("connection_closed", function () {
    socket.disconnect();
    if (!leaving) window.location.reload();
  });

  // The ack, or null when none came (the link dropped, or no answer within the timeout: the
  // command is then also taken out of Socket.IO's send buffer, so it is never sent later).
  function command(name, data, timeout) {
    return new Promise(function (resolve) {
      socket.timeout(typeof timeout === "number" && timeout > 0 ? timeout : ACK_TIMEOUT).emit(name, data || {}, function (err, ack) {
        resolve(err ? null : ack);
      });
    });
  }

  // Send a form's command (CONVENTIONS 17): pending until the ack (the button that sent it
  // marked, "Envoi…" beside it), then the refusal (or "no answer") beside the control, or
  // `options.done` ("Ajouté au document") beside the button. Field errors and notes of the
  // previous send are cleared first. Resolves with the ack (null: none came).
  function submit(form, name, data, submitter, options) {
    options = options || {};
    if (isPending(form)) return Promise.resolve(null);  // already sent, waiting for its ack
    var button = submitterOf(form, submitter);
    clearAckError(form);
    clearDone(form);
    setPending(form, button, true);
    return command(name, data).then(function (ack) {
      var shown = current(form);
      setPending(form, null, false);
      if (shown && shown !== form) setPending(shown, null, false);
      if (!ack || !ack.ok) showAckError(shown || form, ack, false, button);
      else if (options.done) showDone(shown || form, options.done, button);
      return ack;
    });
  }

  // -- the outbox: commands kept while offline --------------------------------------------------

  function isRetryable(ack) {
    return !ack || (!ack.ok && RETRYABLE.indexOf(ack.error) >= 0);
  }

  var seq = 0;
  function outbox(key) {
    var flushing = null;
    var retryTimer = null;
    var retryDelay = 1000;
    var lastSend = null;
    var lastReport = null;

    function read() {
      var raw;
      try { raw = JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (err) { raw = []; }
      if (!Array.isArray(raw)) raw = [];
      // Entries written before ids existed ({command, data}) take their operation id.
      return raw.filter(function (e) { return e && e.command; }).map(function (e, i) {
        if (e.id === undefined || e.id === null) e.id = (e.data && e.data.op_id) || "entry-" + i;
        return e;
      });
    }
    function write(entries) {
      if (entries.length) window.localStorage.setItem(key, JSON.stringify(entries));
      else window.localStorage.removeItem(key);
    }

    var box = {
      // A later put with the same id replaces the waiting one (e.g. raise, then lower a hand).
      put: function (id, command, data, meta) {
        var entries = read().filter(function (e) { return e.id !== id; });
        var entry = { id: id, command: command, data: data || {}, stamp: Date.now() + "-" + (seq++) };
        if (meta !== undefined) entry.meta = meta;
        entries.push(entry);
        write(entries);
        return entry;
      },
      remove: function (id) { write(read().filter(function (e) { return e.id !== id; })); },
      all: function () { return read(); },
      // Send the waiting commands one by one, in order. An entry leaves the outbox when the
      // server answered ok or refused it for good; one that got no ack or a "try again"
      // refusal stays (and so do the ones after it, to keep their order), sent again later:
      // on reconnect, or while connected after the refusal's `retry_after` (backing off up to
      // 30 s). Resolves with [{entry, ack, kept}] for what was tried; `report`, when given, gets
      // that list after every pass, the later retries' too (so a page shows what they settled).
      flush: function (send, report) {
        send = send || function (name, data) { return command(name, data); };
        lastSend = send;
        if (report) lastReport = report;
        if (flushing) return flushing;
        if (retryTimer !== null) { window.clearTimeout(retryTimer); retryTimer = null; }
        var results = [];
        function step() {
          if (!socket.connected) return Promise.resolve(results);
          var entry = read()[0];
          if (!entry) { retryDelay = 1000; return Promise.resolve(results); }
          var answered = Promise.resolve(send(entry.command, entry.data, entry)).catch(function () { return null; });
          var timeout = new Promise(function (resolve) { window.setTimeout(function () { resolve(null); }, ACK_TIMEOUT + 1000); });
          return Promise.race([answered, timeout]).then(function (ack) {
            var kept = isRetryable(ack);
            results.push({ entry: entry, ack: ack, kept: kept });
            if (kept) {
              if (socket.connected) {  // a busy server: try again a little later
                var wait = ack && ack.retry_after > 0 ? Math.max(retryDelay, ack.retry_after * 1000) : retryDelay;
                retryTimer = window.setTimeout(function () { retryTimer = null; box.flush(lastSend, lastReport); }, wait);
                retryDelay = Math.min(retryDelay * 2, 30000);
              }
              return results;
            }
            // Gone unless it was replaced meanwhile (a newer put of the same id waits on).
            write(read().filter(function (e) { return !(e.id === entry.id && e.stamp === entry.stamp); }));
            return step();
          });
        }
        flushing = step().then(function (done) { flushing = null; return done; },
                                function () { flushing = null; return results; });
        if (lastReport) {
          var reportTo = lastReport;
          flushing.then(function (done) {
            try { reportTo(done); } catch (err) { window.console.error(err); }
          });
        }
        return flushing;
      }
    };
    return box;
  }

  window.Vendredi = window.Vendredi || {};
  window.Vendredi.live = {
    socket: socket,
    on: function (event, handler) { socket.on(event, handler); },
    command: command,
    submit: submit,
    onConnect: function (handler) {
      connectHandlers.push(handler);
      if (socket.connected) handler();
    },
    csrfToken: csrfToken,
    fragment: fragment,
    swap: swap,
    outbox: outbox,
    retryable: isRetryable,
    showAckError: showAckError,
    clearAckError: clearAckError,
    showFieldErrors: showFieldErrors,
    showDone: showDone,
    clearDone: clearDone,
    isPending: isPending,
    showNotSent: showNotSent,
    clearNotSent: clearNotSent,
    formKey: formKey
  };
})();
