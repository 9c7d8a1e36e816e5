// Organiser pages, progressive enhancement: the model letter preview follows the typing.
(function () {
  "use strict";

  function setupLetterPreview(form) {
    var url = form.getAttribute("data-preview-url");
    var target = document.getElementById("letter-preview");
    if (!url || !target || !window.actionapp) { return; }
    var refresh = window.actionapp.debounce(function () {
      window.actionapp.loadPreview(url, form, target);
    }, 400);
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.letter-editor");
    if (form) { setupLetterPreview(form); }
  });
})();
