// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
  }

  // Post a form to a preview URL and show the returned HTML fragment (escaped by the server).
  function loadPreview(url, form, target) {
    if (!url || !target) { return; }
    var token = form.querySelector("input[name=csrf_token]");
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: token ? { "X-CSRFToken": token.value } : {}
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html === null) { return; }
      target.innerHTML = html;
      // Notes that belong beside the form's fields (the embassy copy, where edits go).
      target.querySelectorAll("[data-swap]").forEach(function (node) {
        var place = document.getElementById(node.getAttribute("data-swap"));
        if (place) { place.innerHTML = node.innerHTML; }
        node.parentNode.removeChild(node);
      });
    }).catch(function () { /* the Preview button still works */ });
  }
  window.actionapp = { debounce: debounce, loadPreview: loadPreview };

  function setupComposer(form) {
    var previewUrl = form.getAttribute("data-preview-url");
    var target = document.getElementById("live-preview");
    var body = form.querySelector("textarea[name=body]");
    var textsNode = document.getElementById("editable-texts");
    var texts = textsNode ? JSON.parse(textsNode.textContent) : {};

    function pristine(value) {
      return Object.keys(texts).some(function (key) { return texts[key].trim() === value.trim(); });
    }

    function followChoice() {
      // An untouched letter text follows the chosen model letter and language.
      if (!body) { return; }
      var variant = form.querySelector("input[name=variant]:checked");
      var language = form.querySelector("select[name=language]");
      var key = (variant ? variant.value : "") + "|" + (language ? language.value : "");
      if (texts[key] && pristine(body.value)) { body.value = texts[key]; }
    }

    var refresh = debounce(function () { loadPreview(previewUrl, form, target); }, 350);

    form.addEventListener("input", refresh);
    form.addEventListener("change", function (event) {
      if (event.target.name === "variant" || event.target.name === "language") { followChoice(); }
      refresh();
    });
  }

  function setupCopyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy-target"));
        if (!source || !navigator.clipboard) { return; }
        navigator.clipboard.writeText(source.value || source.textContent).then(function () {
          button.setAttribute("data-copied", "true");
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var composer = document.querySelector("form.composer");
    if (composer) { setupComposer(composer); }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    setupCopyButtons();
  });
})();
