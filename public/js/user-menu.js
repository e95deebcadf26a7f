// The user menu is a <details> element, which opens and closes without JavaScript. This adds what a
// menu is expected to do: Escape closes it and puts focus back on its button, and a click anywhere
// outside it closes it.
(function () {
  "use strict";

  document.querySelectorAll("details.user-menu").forEach(function (menu) {
    var summary = menu.querySelector("summary");
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !menu.open) return;
      menu.open = false;
      summary.focus();
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  });
})();
