// Organiser pages, progressive enhancement: the model letter preview follows the typing.
(function () {
  "use strict";

  function setupLetterPreview(form) {
    var url = form.getAttribute("data-preview-url");
    var target = document.getElementById("letter-preview");
    var token = form.querySelector("input[name=csrf_token]");
    if (!url || !target) { return; }
    var timer = null;
    function refresh() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(url, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: token ? { "X-CSRFToken": token.value } : {}
        }).then(function (response) {
          return response.ok ? response.text() : null;
        }).then(function (html) {
          if (html !== null) { target.innerHTML = html; }
        }).catch(function () { /* the Preview button still works */ });
      }, 400);
    }
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.letter-editor");
    if (form) { setupLetterPreview(form); }
  });
})();
