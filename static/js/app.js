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

  // The safety notes beside a solidarity message follow the typing (the server's own check).
  function setupSolidarity(form) {
    var target = document.getElementById("solidarity-check");
    var url = form.getAttribute("data-check-url");
    var check = debounce(function () { loadPreview(url, form, target); }, 300);
    form.addEventListener("input", check);
    check();
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

  // Where the letter and its translation fit side by side, show the translation unfolded.
  function unfoldTranslations() {
    if (!window.matchMedia("(min-width: 40rem)").matches) { return; }
    document.querySelectorAll("details.translation-fold").forEach(function (fold) {
      fold.open = true;
    });
  }

  // A confirmation a redirect points to (#posted) takes the focus, so screen readers say it.
  function focusTargetNotice() {
    var id = window.location.hash.slice(1);
    var notice = id ? document.getElementById(id) : null;
    if (notice && notice.classList.contains("notice")) { notice.focus(); }
  }

  // A deadline is shown in UTC; add the visitor's own date and time (and zone) beside it.
  function showLocalTimes() {
    if (!window.Intl || !Intl.DateTimeFormat) { return; }
    var language = document.documentElement.lang || undefined;
    var nodes = document.querySelectorAll("time[data-local-label]");
    Array.prototype.forEach.call(nodes, function (node) {
      var when = new Date(node.getAttribute("datetime"));
      if (isNaN(when.getTime()) || when.getTimezoneOffset() === 0) { return; }
      var text;
      try {
        text = new Intl.DateTimeFormat(language, {
          year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit",
          timeZoneName: "short"
        }).format(when);
      } catch (error) { return; }
      var local = document.createElement("span");
      local.className = "local-time";
      local.textContent = " " + node.getAttribute("data-local-label").replace("{time}", text);
      node.parentNode.insertBefore(local, node.nextSibling);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    unfoldTranslations();
    focusTargetNotice();
    showLocalTimes();
    var composer = document.querySelector("form.composer");
    if (composer) { setupComposer(composer); }
    var solidarity = document.querySelector("form.solidarity-form");
    if (solidarity) { setupSolidarity(solidarity); }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    setupCopyButtons();
  });
})();
