/* The minutes page: "Imprimer / PDF" opens the browser's print dialog (print.css gives the clean
 * page; "Enregistrer au format PDF" makes the file), and a form marked data-confirm (validating
 * the minutes) asks first. Without this script the page works the same: the hint says how to
 * print, the forms post as they are. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
