/* Newsletter signup: submit in place with fetch. Without this script the form posts and the
   page reloads with the outcome, so everything here is an enhancement. Its messages come
   translated from the form's data attributes (templates/newsletter/_signup_form.html). */
(function () {
  "use strict";

  function setError(form, name, text) {
    var slot = form.querySelector('[data-error-for="' + name + '"]');
    if (slot) {
      slot.textContent = text || "";
      slot.hidden = !text;
    }
    var field = form.elements[name];
    if (field && field.setAttribute) {
      if (text) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    }
  }

  function clearErrors(form) {
    ["__all__", "email", "agree"].forEach(function (name) { setError(form, name, ""); });
  }

  function say(status, text, kind) {
    status.innerHTML = "";
    var p = document.createElement("p");
    p.className = kind === "done" ? "signup__done" : "signup__problem";
    p.textContent = text;
    status.appendChild(p);
  }

  function enhance(form) {
    var section = form.closest(".signup");
    var status = section.querySelector("[data-signup-status]");
    var button = form.querySelector('button[type="submit"]');

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) return;
      event.preventDefault();
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") === -1) {
            // Not our JSON (a proxy's error page, an expired CSRF cookie…): let the
            // browser post the form the ordinary way and show whatever the server says.
            form.submit();
            return null;
          }
          return response.json();
        })
        .then(function (data) {
          if (data === null) return;
          clearErrors(form);
          if (data.ok) {
            form.reset();
            say(status, data.message, "done");
            return;
          }
          if (data.errors) {
            var first = null;
            Object.keys(data.errors).forEach(function (name) {
              var target = name === "website" ? "__all__" : name;
              setError(form, target, data.errors[name].join(" "));
              if (!first && form.elements[target]) first = form.elements[target];
            });
            var count = Object.keys(data.errors).length;
            say(status, count === 1 ? form.dataset.problem : form.dataset.problems, "problem");
            if (first) first.focus();
            return;
          }
          say(status, data.message || form.dataset.failed, "problem");
        })
        .catch(function () {
          say(status, form.dataset.offline, "problem");
        })
        .then(function () {
          button.disabled = false;
          button.removeAttribute("aria-busy");
        });
    });
  }

  document.querySelectorAll("form[data-signup-form]").forEach(enhance);
})();
