/* "Mes propositions", live: a `proposal_changed` fact (sent to this member's own room only)
 * swaps the row of that proposal for the server's new one; on every (re)connection
 * `sync_proposals` brings the whole list up to date (facts missed while offline). Without
 * JavaScript the page shows the same rows on reload. */
(function () {
  "use strict";
  var live = window.Vendredi && window.Vendredi.live;
  var list = document.getElementById("proposals");
  if (!live || !list) return;
  var status = document.getElementById("proposals-status");

  live.on("proposal_changed", function (fact) {
    if (!fact || !fact.html) return;
    var fresh = live.fragment(fact.html);
    if (!fresh) return;
    var old = document.getElementById("proposition-" + fact.proposal_id);
    if (old) live.swap(old, fresh);
    else list.insertBefore(fresh, list.firstChild);
    if (status) {
      var title = fresh.querySelector(".proposal-card-title");
      status.textContent = (list.dataset.labelChanged || "") + " " +
        (title ? title.textContent.trim() : "") + " — " + (fact.status_label || "");
    }
  });

  live.onConnect(function () {
    live.command("sync_proposals", {}).then(function (ack) {
      if (!ack || !ack.ok) return;
      list.dataset.synced = "true";
      // The server's rows as they are now (rendered by the server, escaped there).
      list.innerHTML = ack.html;
    });
  });
})();
