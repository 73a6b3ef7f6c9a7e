/* Vendredi as an installed app: registers the service worker ({prefix}/sw.js, built by
 * meeting/pwa/views.py) and talks to it. Included at the end of both layouts, and by the
 * offline page the worker shows for a page it has no copy of.
 *
 * Its <script> tag says (data-*): the worker's URL and scope, the opaque key of whoever reads
 * (`data-audience`: the worker drops every other reader's copies), whether this page is one
 * of those kept for offline reading (`data-offline`: document, phone, screen) and the sign-out
 * URL (signing out drops this reader's copies at once; the server's Clear-Site-Data header
 * says the same to the browsers that know it).
 *
 * - A page kept offline that was loaded before the worker ran asks the worker to keep it;
 *   one being left (hidden) asks again, at most once a minute, so the copy is recent.
 * - A page the worker gave back from its copy (<html data-page-source="copy">) shows its
 *   banner ("Hors ligne : vous lisez la version enregistrée le … à …"); once the live link is
 *   back it says the page is still that copy, with a reload button (the projector reloads by
 *   itself: nobody types there). What was written offline
 *   is sent by the page's own outbox (live.js) when the link is back, not by the worker.
 * - The offline page lists the copies this device holds (#copies).
 * Texts come from the page (server-rendered, through Flask-Babel).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var options = script ? script.dataset : {};
  var root = document.documentElement;
  var SAVE_EVERY = 60000;

  // -- a saved copy says so until it is reloaded ---------------------------------------------

  var banner = document.getElementById("copie-enregistree");
  if (root.dataset.pageSource === "copy" && banner) {
    var whenOnline = banner.querySelector("[data-copy-online]");
    var whileOffline = banner.querySelector("[data-copy-offline]");
    var reload = banner.querySelector("[data-copy-reload]");
    if (reload) reload.addEventListener("click", function () { window.location.reload(); });
    var showOnline = function () {
      if (document.body.dataset.live !== "connected" || !whenOnline) return;
      // Nobody types on the projector: it simply becomes the fresh page again.
      if (options.offline === "screen") { window.location.reload(); return; }
      whenOnline.hidden = false;
      if (whileOffline) whileOffline.hidden = true;
      banner.classList.add("is-online");
    };
    new MutationObserver(showOnline).observe(document.body, { attributes: true, attributeFilter: ["data-live"] });
    showOnline();
  }

  if (!("serviceWorker" in navigator)) return;
  var worker = navigator.serviceWorker;

  // -- the offline page: which copies this device holds --------------------------------------

  var copies = document.getElementById("copies");
  if (copies && window.caches) {
    window.caches.keys().then(function (names) {
      var pages = names.filter(function (name) { return name.indexOf("vendredi-pages-") === 0; });
      if (pages.length !== 1) return null;
      return window.caches.open(pages[0]).then(function (cache) {
        return cache.keys().then(function (keys) {
          return Promise.all(keys.map(function (key) {
            return cache.match(key).then(function (copy) {
              return { url: key.url, kind: copy && copy.headers.get("X-Vendredi-Offline") };
            });
          }));
        });
      });
    }).then(function (found) {
      var list = document.getElementById("copies-list");
      (found || []).forEach(function (copy) {
        var text = copy.kind && copies.dataset["label" + copy.kind.charAt(0).toUpperCase() + copy.kind.slice(1)];
        if (!text || !list) return;
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = copy.url;
        link.textContent = text;
        li.appendChild(link);
        list.appendChild(li);
      });
      copies.hidden = !list || !list.children.length;
    });
  }

  if (!options.worker) return;  // the offline page: the worker is there, and knows no reader

  // -- registration, and what the page tells the worker ----------------------------------------

  worker.register(options.worker, { scope: options.scope }).catch(function () {
    // No worker (a plain-http address, a browser that refuses): the pages work as before.
  });

  function post(message) {
    worker.ready.then(function (registration) {
      var target = worker.controller || registration.active;
      if (target) target.postMessage(message);
    });
  }

  if (options.audience) post({ type: "audience", audience: options.audience });

  var lastSave = 0;
  function save() {
    lastSave = Date.now();
    post({ type: "save", url: window.location.href });
  }
  if (options.offline && root.dataset.pageSource !== "copy") {
    // Loaded without the worker (its first visit): the worker never saw this page.
    if (!worker.controller) save();
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && navigator.onLine && Date.now() - lastSave > SAVE_EVERY) save();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form && form.getAttribute && form.getAttribute("action");
    if (!action || !options.signOut) return;
    if (new URL(action, window.location.href).pathname === options.signOut) post({ type: "forget" });
  }, true);
})();
