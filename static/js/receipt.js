// The receipt page: "Imprimer / Enregistrer en PDF" opens the browser's print dialog (the
// print stylesheet keeps the receipt only). Without script the button stays hidden and the
// page says how to print.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
