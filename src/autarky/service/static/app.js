// autarky plan operations: the only script of the pages (served by the app, no CDN).
// It follows background runs: each row of the runs table that is queued or running asks
// /jobs/N.json every second and shows the status, progress and message.
"use strict";
(function () {
  function follow(row) {
    var id = row.getAttribute("data-job");
    var timer = setInterval(function () {
      fetch("/jobs/" + id + ".json", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (!job) { clearInterval(timer); return; }
          row.querySelector(".status").textContent = job.status;
          row.querySelector(".msg").textContent = job.message;
          var bar = row.querySelector("progress");
          bar.value = job.progress;
          bar.textContent = Math.round(100 * job.progress) + " %";
          row.setAttribute("data-status", job.status);
          if (job.status === "done" || job.status === "failed") {
            clearInterval(timer);
            if (job.status === "done") { window.location.reload(); }
          }
        })
        .catch(function () { clearInterval(timer); });
    }, 1000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var rows = document.querySelectorAll("tr[data-job]");
    for (var i = 0; i < rows.length; i++) {
      var s = rows[i].getAttribute("data-status");
      if (s === "queued" || s === "running") { follow(rows[i]); }
    }
  });
})();
