// A little enhancement on top of pages that work without it.
(function () {
  "use strict";

  // Filter forms: leave empty fields out of the address, so it stays short and shareable.
  document.querySelectorAll("form[method=get]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[name], select[name]").forEach(function (field) {
        if (field.value === "") {
          field.dataset.name = field.name;
          field.removeAttribute("name");
        }
      });
      // Restore the names if the page comes back from the cache.
      window.addEventListener("pageshow", function () {
        form.querySelectorAll("[data-name]").forEach(function (field) {
          field.name = field.dataset.name;
        });
      }, { once: true });
    });
  });

  // A table or chart wider than the screen scrolls in its own box: let the keyboard reach it to scroll it too,
  // and name it after what it holds. (Recent browsers do the first themselves; older ones need the tabindex.)
  function markScrollers() {
    document.querySelectorAll(".table-scroll, .chart-block").forEach(function (box) {
      if (box.hasAttribute("tabindex") || box.scrollWidth <= box.clientWidth) { return; }
      box.setAttribute("tabindex", "0");
      if (box.tagName !== "FIGURE" && !box.hasAttribute("role")) {
        var caption = box.querySelector("caption, title");
        box.setAttribute("role", "region");
        if (caption) { box.setAttribute("aria-label", caption.textContent.trim()); }
      }
    });
  }
  markScrollers();
  window.addEventListener("resize", markScrollers);
  document.querySelectorAll("details").forEach(function (details) {
    details.addEventListener("toggle", markScrollers);
  });

  // Print every data table, including those folded away in <details>.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
