// A job's page (templates/core/job.html): polls its status until it is finished, and keeps the
// bar, the count and the download link current. Without JavaScript the page says to refresh.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var bar = document.getElementById("job-bar");
  var fill = bar.querySelector(".progress-bar");

  function show(status) {
    fill.style.width = status.percent + "%";
    fill.textContent = status.percent + " %";
    bar.setAttribute("aria-valuenow", String(status.percent));
    document.getElementById("job-done").textContent = String(status.done);
    document.getElementById("job-total").textContent = String(status.total);
    box.querySelectorAll("[data-when]").forEach(function (node) {
      node.hidden = node.getAttribute("data-when") !== status.status;
    });
    document.getElementById("job-download").hidden = !status.download;
  }

  fill.style.width = fill.getAttribute("data-percent") + "%";
  function poll() {
    fetch(box.getAttribute("data-status-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (status) {
        show(status);
        if (!status.finished) window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
