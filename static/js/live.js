/* Vendredi live link: owns the one Socket.IO connection of the page.
 *
 *   Vendredi.live.on("trace_added", fact => …)      listen to a past-tense fact
 *   Vendredi.live.command("sync_traces", {…})       send a command, get a Promise of the ack
 *   Vendredi.live.onConnect(() => …)                run on every (re)connection, to resync
 *
 * While the link is down a visible "hors ligne" banner is shown; on reconnect every
 * onConnect handler runs again so that the page catches up with what it missed.
 */
(function () {
  "use strict";
  var body = document.body;
  var banner = document.getElementById("hors-ligne");
  var connectHandlers = [];
  var everConnected = false;
  var offlineTimer = null;

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

  function command(name, data) {
    return new Promise(function (resolve) {
      socket.emit(name, data || {}, function (ack) { resolve(ack); });
    });
  }

  window.Vendredi = window.Vendredi || {};
  window.Vendredi.live = {
    socket: socket,
    on: function (event, handler) { socket.on(event, handler); },
    command: command,
    onConnect: function (handler) {
      connectHandlers.push(handler);
      if (socket.connected) handler();
    },
    csrfToken: function () {
      var meta = document.querySelector('meta[name="csrf-token"]');
      return meta ? meta.content : "";
    }
  };
})();
