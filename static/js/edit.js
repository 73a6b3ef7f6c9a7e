/* The edit page keeps what is being typed in localStorage until it is saved, so that a reload
 * or a lost connection never loses a word. */
(function () {
  "use strict";
  var form = document.getElementById("edit-form");
  if (!form) return;
  var key = "vendredi:edit:" + form.dataset.entryId + ":" + form.elements.revision.value;
  var raw = window.localStorage.getItem(key);
  if (raw) {
    try {
      var draft = JSON.parse(raw);
      form.elements.title.value = draft.title;
      form.elements.body.value = draft.body;
    } catch (err) { window.localStorage.removeItem(key); }
  }
  form.addEventListener("input", function () {
    window.localStorage.setItem(key, JSON.stringify({
      title: form.elements.title.value, body: form.elements.body.value
    }));
  });
  // The draft is cleared by the document page once it sees a newer revision of this entry.
})();
