/* The edition's send panel: live progress while sending, and a confirm before Send/Cancel.
   Progressive enhancement: without it the page shows the figures as of its loading. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  var panel = document.querySelector("[data-progress-url]");
  if (!panel) return;
  var url = panel.dataset.progressUrl;
  var shownStatus = panel.dataset.status;
  var bar = panel.querySelector("progress");
  var active = { sending: true, paused: true };
  var interval = 2000;

  function show(name, text) {
    document.querySelectorAll('[data-progress-field="' + name + '"]').forEach(function (el) {
      el.textContent = text;
    });
  }

  function render(data) {
    var percent = Math.floor(data.percent || 0);
    bar.value = percent;
    bar.textContent = percent + "%";
    show("percent", String(percent));
    ["total", "sent", "failed", "skipped", "cancelled", "remaining"].forEach(function (name) {
      show(name, String(data[name]));
    });
    show("rate", (data.rate || 0).toFixed(1));
    show("eta", data.eta_seconds === null || data.eta_seconds === undefined ? "–" : Math.round(data.eta_seconds) + " s");
    show("status_display", data.status_display);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        render(data);
        if (data.status !== shownStatus) {
          // The state changed (finished, paused elsewhere…): reload for the right buttons.
          window.location.reload();
          return;
        }
        if (active[data.status]) window.setTimeout(poll, interval);
      })
      .catch(function () {
        window.setTimeout(poll, interval * 3);
      });
  }

  if (active[shownStatus]) window.setTimeout(poll, interval);
})();
