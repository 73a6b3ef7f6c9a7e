/* Vendredi's service worker, served by meeting/pwa/views.py at the app's root ({prefix}/sw.js),
 * so that its scope is the whole app, under a sub-path too. Every URL below is relative to it.
 *
 * - Static files (static/…): cache first, from a cache named after this worker's version (a
 *   hash of the static files): a new version replaces the worker and drops the old cache.
 * - Pages: the network first, always. Only a page the server marks X-Vendredi-Offline (the
 *   Friday document, the phone page, the projector) is kept, the last one of each kind, in the
 *   cache of the reader the server names in X-Vendredi-Audience. A page for another reader
 *   (sign-out, another member, a guest) drops every other reader's copies first.
 * - Without the network, a page is given back from its copy, its <html> marked
 *   data-page-source="copy" (the page then says "Hors ligne : vous lisez la version
 *   enregistrée le … à …"), else the offline page; a copy is never given as fresh.
 * - Nothing else is ever kept: form posts and commands, JSON, feeds, exports, socket.io go to
 *   the network as if there were no worker.
 */
"use strict";

var VERSION = {{ version|tojson }};
var STATIC_CACHE = "vendredi-static-" + VERSION;
var PAGES = "vendredi-pages-";  // + the reader's key
var PRECACHE = {{ precache|tojson }}.concat([{{ offline_page|tojson }}]);
var OFFLINE_PAGE = {{ offline_page|tojson }};
var KIND_HEADER = "X-Vendredi-Offline";
var AUDIENCE_HEADER = "X-Vendredi-Audience";
var STATIC_PATH = new URL("static/", self.location).pathname;
// The proxy could not reach the app: as good as no network, when there is a copy.
var UNREACHABLE = [502, 503, 504];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC_CACHE).then(function (cache) {
    return cache.addAll(PRECACHE.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("vendredi-static-") === 0 && name !== STATIC_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (url.pathname.indexOf(STATIC_PATH) === 0) {
    event.respondWith(asset(request));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "audience" && typeof data.audience === "string") {
    event.waitUntil(forgetOthers(data.audience));
  } else if (data.type === "save" && typeof data.url === "string") {
    event.waitUntil(save(data.url));
  } else if (data.type === "forget") {
    event.waitUntil(forgetOthers(null));
  }
});

function page(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    if (UNREACHABLE.indexOf(response.status) >= 0) {
      return savedCopy(request.url).then(function (copy) { return copy || response; });
    }
    event.waitUntil(remember(response.clone()));
    return response;
  }, function () {
    return savedCopy(request.url).then(function (copy) { return copy || offlinePage(); });
  });
}

function asset(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") cache.put(request, response.clone());
        return response;
      });
    });
  });
}

// Keep a page the server marked, for the reader it names; another reader's copies go first.
function remember(response) {
  var reader = response.type === "basic" ? response.headers.get(AUDIENCE_HEADER) : null;
  if (!reader) return Promise.resolve();  // not one of the app's pages (a file, a feed…)
  return forgetOthers(reader).then(function () {
    var kind = response.headers.get(KIND_HEADER);
    if (!kind || response.status !== 200) return null;
    return caches.open(PAGES + reader).then(function (cache) {
      // The last page of each kind: the copy of another Friday's document goes.
      return cache.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) {
          return cache.match(key).then(function (old) {
            if (old && old.headers.get(KIND_HEADER) === kind && key.url !== response.url) return cache.delete(key);
            return null;
          });
        }));
      }).then(function () { return cache.put(response.url, response); });
    });
  });
}

// A page asked to be kept (it was loaded before the worker ran, or is being left for a while).
function save(url) {
  var target = new URL(url, self.location);
  if (target.origin !== self.location.origin) return Promise.resolve();
  target.hash = "";
  return fetch(target.href, { credentials: "same-origin", cache: "no-store" })
    .then(remember, function () { return null; });
}

function forgetOthers(reader) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PAGES) === 0 && (reader === null || name !== PAGES + reader);
    }).map(function (name) { return caches.delete(name); }));
  });
}

// The copy of this page, marked as such; none when no reader (or, for a moment, two) has one.
function savedCopy(url) {
  return caches.keys().then(function (names) {
    var readers = names.filter(function (name) { return name.indexOf(PAGES) === 0; });
    if (readers.length !== 1) return null;
    return caches.open(readers[0]).then(function (cache) { return cache.match(url); });
  }).then(function (copy) {
    if (!copy) return null;
    return copy.text().then(function (html) {
      var headers = new Headers(copy.headers);
      headers.delete("Content-Length");
      return new Response(html.replace('data-page-source="network"', 'data-page-source="copy"'),
                          { status: 200, statusText: "OK", headers: headers });
    });
  });
}

function offlinePage() {
  return caches.open(STATIC_CACHE).then(function (cache) { return cache.match(OFFLINE_PAGE); })
    .then(function (response) { return response || Response.error(); });
}
