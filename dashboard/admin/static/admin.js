/* The admin page's only script (served from 'self', so the strict CSP allows it): follow a
   background load on its progress page by polling /api/admin/jobs/<id> once a second. */
(function () {
  "use strict";
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
    return el;
  }
  function follow(box) {
    var id = box.getAttribute("data-job");
    function tick() {
      fetch("/api/admin/jobs/" + encodeURIComponent(id), {credentials: "same-origin",
                                                          cache: "no-store"})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          var stage = text("job-stage", s.stage_zh);
          if (stage) { stage.className = "stage-" + s.stage; }
          var bar = document.getElementById("job-bar");
          if (bar && s.total) { bar.max = s.total; bar.value = s.rows || 0; }
          if (bar && !s.running) { bar.max = 1; bar.value = 1; }
          text("job-rows", (s.rows || 0) + (s.total ? " / " + s.total : ""));
          text("job-label", s.label || "");
          text("job-elapsed", s.elapsed_s + " 秒");
          var result = document.getElementById("job-result");
          if (s.running) {
            box.setAttribute("data-running", "true");
            setTimeout(tick, 1000);
            return;
          }
          box.setAttribute("data-running", "false");
          result.textContent = "";
          if (s.load_id) {
            var a = document.createElement("a");
            a.href = "/admin/loads#load-" + s.load_id;
            a.textContent = "完成：批次 " + s.load_id + " 的导入报告";
            result.appendChild(a);
          } else {
            var span = document.createElement("span");
            span.className = "msg";
            span.textContent = s.message || s.stage_zh;
            result.appendChild(span);
          }
        })
        .catch(function () { setTimeout(tick, 3000); });
    }
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("job");
    if (box && box.getAttribute("data-running") === "true") { follow(box); }
  });
}());
