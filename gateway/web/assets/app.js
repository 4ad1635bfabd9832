/* Kentongan web console: the little script there is (CSP allows only this same-origin file).
 * Every page works without it; it adds the live preview on the compose page and live progress
 * on an announcement's page. */
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  function get(url, done) {
    var x = new XMLHttpRequest();
    x.open("GET", url);
    x.onload = function () {
      if (x.status === 200) {
        try { done(JSON.parse(x.responseText)); } catch (e) { /* a login page after expiry */ }
      }
    };
    x.send();
  }
  function text(id, v) { var e = $(id); if (e) { e.textContent = v; } }

  /* compose: recipients, segments and encoding while typing */
  var form = $("compose");
  if (form && $("live")) {
    var timer = null;
    var refresh = function () {
      var q = [], els = form.elements, i;
      for (i = 0; i < els.length; i++) {
        var e = els[i];
        if ((e.name === "text" || e.name === "priority") ||
            (e.name === "area" && (e.type !== "checkbox" || e.checked))) {
          q.push(encodeURIComponent(e.name) + "=" + encodeURIComponent(e.value));
        }
      }
      get(form.getAttribute("data-preview") + "?" + q.join("&"), function (p) {
        $("live").hidden = false;
        text("live-recipients", p.recipients);
        text("live-segments", p.segments);
        text("live-encoding", p.encoding);
        text("live-chars", p.chars);
        text("live-total", p.total);
        if (p.boxes !== undefined) { text("live-boxes", p.boxes); }
        text("live-warnings", p.warnings || p.error || "");
      });
    };
    var later = function () { clearTimeout(timer); timer = setTimeout(refresh, 300); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    refresh();
  }

  /* an announcement: progress until everything is done */
  var prog = $("progress");
  if (prog) {
    var url = prog.getAttribute("data-src");
    var poll = function () {
      get(url, function (p) {
        text("p-pct", p.percent + "%");
        text("p-queued", p.queued);
        text("p-sent", p.sent);
        text("p-delivered", p.delivered);
        text("p-failed", p.failed);
        var r = $("p-fill");
        if (r) { r.setAttribute("width", String(p.percent * 4)); }
        if (p.percent < 100 && p.queued + p.sending > 0) { setTimeout(poll, 2000); }
      });
    };
    setTimeout(poll, 1000);
  }
}());
