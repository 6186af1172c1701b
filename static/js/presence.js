// "Who else is here" on the article change form: a heartbeat every ~30 s tells the server this
// editor still has the article open and updates the notice naming the others. It never blocks
// anything; without JavaScript the notice rendered with the page still shows.
(function () {
  "use strict";
  // Translated by the admin's JavaScript catalog (jsi18n), which the change form loads.
  var gettext = window.gettext || function (text) { return text; };
  var notice = document.getElementById("presence-notice");
  if (!notice || !notice.dataset.url || !window.fetch) return;
  var url = notice.dataset.url;
  var interval = (parseInt(notice.dataset.interval, 10) || 30) * 1000;

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function show(others) {
    if (!others.length) {
      notice.hidden = true;
      notice.textContent = "";
      return;
    }
    notice.textContent = others
      .map(function (editor) {
        return gettext("%(name)s is also editing this article (since %(since)s).")
          .replace("%(name)s", editor.name)
          .replace("%(since)s", editor.since);
      })
      .join(" ");
    notice.hidden = false;
  }

  function beat() {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) show(data.others);
      })
      .catch(function () {
        /* offline or signed out: the next beat tries again */
      });
  }

  // Saving reloads this same form; a "leave" sent then could arrive after the new page has
  // checked in and hide this editor from the others until the next beat.
  var submitting = false;
  var form = document.getElementById("article_form");
  if (form) {
    form.addEventListener("submit", function () {
      submitting = true;
    });
  }

  var timer = window.setInterval(beat, interval);
  window.addEventListener("pagehide", function () {
    window.clearInterval(timer);
    if (submitting || !navigator.sendBeacon) return;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    body.append("leave", "1");
    navigator.sendBeacon(url, body);
  });
})();
