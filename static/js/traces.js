/* The live trace feed: new traces appear at the top; after a lost connection the page asks
 * for every trace after the last sequence number it saw. */
(function () {
  "use strict";
  var live = window.Vendredi && window.Vendredi.live;
  var list = document.getElementById("traces");
  if (!live || !list) return;
  var empty = document.getElementById("traces-empty");
  var status = document.getElementById("traces-status");
  var filterType = list.dataset.type || "";
  var filterPerson = list.dataset.person || "";

  function lastSeq() {
    var max = 0;
    list.querySelectorAll("[data-seq]").forEach(function (li) {
      max = Math.max(max, parseInt(li.dataset.seq, 10) || 0);
    });
    return max;
  }

  function matches(fact) {
    if (filterType && fact.verb !== filterType) return false;
    if (filterPerson && String(fact.actor_id) !== filterPerson) return false;
    return true;
  }

  function insert(fact) {
    if (!matches(fact) || document.getElementById("trace-" + fact.seq)) return;
    var holder = document.createElement("template");
    holder.innerHTML = fact.html.trim();
    var item = holder.content.firstElementChild;
    item.classList.add("is-new");
    // Keep the list ordered by sequence number, newest first.
    var before = null;
    list.querySelectorAll("[data-seq]").forEach(function (li) {
      if (!before && parseInt(li.dataset.seq, 10) < fact.seq) before = li;
    });
    list.insertBefore(item, before);
    if (empty) empty.hidden = true;
    if (status) status.textContent = fact.summary;
  }

  live.on("trace_added", insert);
  live.onConnect(function () {
    var payload = { after: lastSeq() };
    if (filterType) payload.type = filterType;
    if (filterPerson) payload.person = parseInt(filterPerson, 10);
    live.command("sync_traces", payload).then(function (ack) {
      if (ack && ack.ok) ack.traces.forEach(insert);
    });
  });
})();
