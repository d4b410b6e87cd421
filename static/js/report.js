// The stocktaking report's small enhancements; its pages work without them.
(function () {
  "use strict";

  // The report: a print button, shown only where it can work.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // The export page: ask how far the build has got until the file is ready (without JavaScript, a meta refresh does).
  var box = document.querySelector("[data-export-status]");
  if (!box) { return; }
  var state = box.dataset.state;
  if (state === "ready" || state === "untracked" || state === "failed") { return; }
  var url = box.dataset.exportStatus;
  var every = parseInt(box.dataset.poll, 10) || 1000;
  var progress = box.querySelector("[data-progress]");
  var message = box.querySelector("[data-message]");

  function show(name, visible) {
    box.querySelector("[data-" + name + "-block]").hidden = !visible;
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state === "ready" || status.state === "untracked") {
          show("progress", false);
          show("ready", true);
          box.querySelector("[data-download]").href = status.download_url;
          return;
        }
        if (status.state === "failed") {
          show("progress", false);
          show("failed", true);
          return;
        }
        progress.value = status.progress;
        progress.textContent = status.progress + " %";
        message.textContent = status.message + (status.state === "running" ? " " + status.progress + " %" : "");
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every * 3); });
  }
  window.setTimeout(poll, every);
})();
