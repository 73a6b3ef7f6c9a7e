/* The edit page keeps what is being typed in localStorage until it is saved, so that a reload
 * or a lost connection never loses a word.
 *
 * Drafts are kept per (entry, revision it started from). A draft begun from an older revision
 * (someone saved meanwhile) comes back with that revision, so that saving it shows the merge
 * view instead of the newer text silently replacing it. */
(function () {
  "use strict";
  var form = document.getElementById("edit-form");
  if (!form) return;
  var prefix = "vendredi:edit:" + form.dataset.entryId + ":";
  var merging = !!form.closest(".merge");
  var key = prefix + form.elements.revision.value;

  function read(draftKey) {
    try { return JSON.parse(window.localStorage.getItem(draftKey) || "null"); }
    catch (err) { window.localStorage.removeItem(draftKey); return null; }
  }

  function save(sent) {
    window.localStorage.setItem(key, JSON.stringify({
      title: form.elements.title.value, body: form.elements.body.value, sent: !!sent
    }));
  }

  // The newest draft of this entry begun from an older revision and never sent.
  function olderDraft() {
    var best = null;
    var current = parseInt(form.elements.revision.value, 10);
    for (var i = 0; i < window.localStorage.length; i++) {
      var other = window.localStorage.key(i);
      if (!other || other.indexOf(prefix) !== 0) continue;
      var revision = parseInt(other.slice(prefix.length), 10);
      if (!(revision < current) || (best && best.revision > revision)) continue;
      var draft = read(other);
      if (draft && !draft.sent) best = { key: other, revision: revision, draft: draft };
    }
    return best;
  }

  if (merging) {
    save(false);  // the text to merge is not saved yet: keep it until it is
  } else {
    var draft = read(key);
    var older = draft ? null : olderDraft();
    if (older) {
      draft = older.draft;
      key = older.key;
      form.elements.revision.value = older.revision;
    }
    if (draft) {
      form.elements.title.value = draft.title;
      form.elements.body.value = draft.body;
    }
  }
  form.addEventListener("input", function () { save(false); });
  form.addEventListener("submit", function () {
    if (window.localStorage.getItem(key) !== null) save(true);
  });
  // The document page forgets sent drafts once it sees a newer revision of this entry.
})();
