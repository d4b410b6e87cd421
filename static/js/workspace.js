// The workspace's small enhancements; its pages work without them.
(function () {
  "use strict";

  // A form with problems: bring its summary into view and focus, so a screen reader announces it.
  var summary = document.getElementById("form-errors") || document.getElementById("upload-problems");
  if (summary) { summary.focus(); }

  // A large upload's page: ask how far the import has got, and reload it once it is finished
  // (the finished page is drawn by the server, problems and all). Without JavaScript, a meta refresh does this.
  var box = document.querySelector("[data-upload-status]");
  if (!box || box.dataset.finished === "true") { return; }
  var url = box.dataset.uploadStatus;
  var every = parseInt(box.dataset.poll, 10) || 1000;
  var progress = box.querySelector("[data-progress]");
  var message = box.querySelector("[data-message]");

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        // Gone (an upload's page is kept for a few hours) or signed out: asking again would never end; the page
        // reloaded says which, and what to do.
        if (response.status === 404 || response.redirected) { window.location.reload(); return null; }
        return response.json();
      })
      .then(function (status) {
        if (status === null) { return; }
        if (status.finished) { window.location.reload(); return; }
        if (progress) {
          progress.value = status.percent;
          progress.textContent = status.percent + " %";
        }
        if (message) {
          message.textContent = status.message + (status.total ? " " + status.done.toLocaleString("en") + " of about " +
            status.total.toLocaleString("en") + " rows." : "");
        }
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every * 3); });
  }
  window.setTimeout(poll, every);
})();
