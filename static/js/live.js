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
 *                                                    all(), flush(send) on reconnect
 *   Vendredi.live.submit(form, name, data)          send a command for a form: pending until the
 *                                                    ack, then its refusal shown next to the form
 *   Vendredi.live.showAckError(form, ack)           a refusal's French message next to the form
 *   Vendredi.live.clearAckError(form)
 *   Vendredi.live.showNotSent(form[, text])         "pas encore envoyé" next to a form whose
 *   Vendredi.live.clearNotSent(form)                 command waits in an outbox
 *
 * While the link is down a visible "hors ligne" banner is shown; on reconnect every
 * onConnect handler runs again so that the page catches up with what it missed.
 * Texts the script shows come from data-* attributes of <body> when the page gives them
 * (data-label-not-sent, data-label-no-answer), else the French below.
 */
(function () {
  "use strict";
  var body = document.body;
  var banner = document.getElementById("hors-ligne");
  var connectHandlers = [];
  var everConnected = false;
  var offlineTimer = null;
  var ACK_TIMEOUT = 15000;
  // Refusals that say "try again later": a queued command is kept and sent again.
  var RETRYABLE = ["server_error", "busy", "retry"];

  function label(name, fallback) {
    return (body && body.dataset[name]) || fallback;
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

  // -- refusals and waiting commands, next to the form that sent them ---------------------------

  // A form's own placeholder ([data-ack-error] or .js-error inside it), else a note made right
  // after the form (inline forms sit in a row of buttons). Either is marked with the form's
  // key, so that a swap carries a shown refusal over to the fresh form.
  function noteFor(form, kind, create) {
    var attr = kind === "error" ? "ackErrorFor" : "notSentFor";
    var key = formKey(form);
    var own = form.querySelector(kind === "error" ? "[data-ack-error], .js-error" : "[data-not-sent]");
    if (own) { own.dataset[attr] = key; return own; }
    var next = form.nextElementSibling;
    if (next && next.dataset[attr] === key) return next;
    if (!create) return null;
    var note = document.createElement("p");
    if (kind === "error") {
      note.className = "form-error";
      note.setAttribute("role", "alert");
    } else {
      note.className = "hint not-sent";
      note.setAttribute("role", "status");
    }
    note.dataset[attr] = key;
    note.id = "note-" + kind + "-" + Math.random().toString(36).slice(2, 10);
    form.insertAdjacentElement("afterend", note);
    return note;
  }

  function describe(form, note, on) {
    if (form.contains(note)) return;
    var ids = (form.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== note.id;
    });
    if (on && note.id) ids.push(note.id);
    if (ids.length) form.setAttribute("aria-describedby", ids.join(" "));
    else form.removeAttribute("aria-describedby");
  }

  function hideNote(form, note) {
    if (form.contains(note)) { note.textContent = ""; note.hidden = true; }
    else { describe(form, note, false); note.remove(); }
  }

  // `ack` null or without message: no answer came.
  function showAckError(form, ack, quiet) {
    form = current(form);
    if (!form) return null;
    var message = ack && ack.message ? ack.message
      : label("labelNoAnswer", "Pas de réponse du serveur : rien ne dit que c’est enregistré. Réessayez.");
    var note = noteFor(form, "error", true);
    note.setAttribute("role", "alert");
    // Carried over a swap: shown again, not announced again at every fact.
    if (quiet) note.setAttribute("aria-live", "off"); else note.removeAttribute("aria-live");
    note.textContent = message;
    note.hidden = false;
    describe(form, note, true);
    return note;
  }

  function clearAckError(form) {
    form = current(form);
    var note = form && noteFor(form, "error", false);
    if (note) hideNote(form, note);
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
  // The session was closed (sign-out elsewhere, account deactivated): stop and reload.
  socket.on("connection_closed", function () {
    socket.disconnect();
    window.location.reload();
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

  // Send a form's command: the form is marked busy until the ack (CONVENTIONS 17), and a
  // refusal (or no answer) is shown next to it. Resolves with the ack (null: none came).
  function submit(form, name, data) {
    clearAckError(form);
    form.setAttribute("aria-busy", "true");
    return command(name, data).then(function (ack) {
      var shown = current(form);
      form.removeAttribute("aria-busy");
      if (shown) shown.removeAttribute("aria-busy");
      if (!ack || !ack.ok) showAckError(form, ack);
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
      // refusal stays (and so do the ones after it, to keep their order), sent again later.
      // Resolves with [{entry, ack, kept}] for what was tried.
      flush: function (send) {
        send = send || function (name, data) { return command(name, data); };
        lastSend = send;
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
                retryTimer = window.setTimeout(function () { retryTimer = null; box.flush(lastSend); }, retryDelay);
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
    showNotSent: showNotSent,
    clearNotSent: clearNotSent,
    formKey: formKey
  };
})();
