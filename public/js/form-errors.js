// After a refused form (422): focus the error summary when there is one (several errors), else the
// first field marked aria-invalid, so the error is the first thing a keyboard or screen-reader user
// meets. The summary's links get their field's label in front of the message and move focus to it.
(function () {
  "use strict";

  function fieldFor(link) {
    return document.getElementById(link.hash.slice(1)) || document.querySelector('[name="' + CSS.escape(link.getAttribute("data-field")) + '"]');
  }

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.querySelectorAll("a[data-field]").forEach(function (link) {
      var field = fieldFor(link);
      if (!field) return;
      var label = field.id ? document.querySelector('label[for="' + CSS.escape(field.id) + '"]') : null;
      if (label) link.textContent = label.textContent.trim() + ": " + link.textContent;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        field.focus();
      });
    });
    summary.focus();
    return;
  }
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) invalid.focus();
})();
