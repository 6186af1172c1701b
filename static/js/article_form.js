// The article change form on deadline: nothing typed is lost.
// - Leaving the page with unsaved changes asks first (beforeunload).
// - Every ~30 s, what is typed is sent to the server as an autosave (articles/editing.py),
//   which is not a revision and never touches the article itself.
// - Publish, schedule and unpublish ask for confirmation, listing what will happen and the
//   pre-publish warnings (data-confirm buttons; see confirmLines).
// Without JavaScript the form still saves, and the buttons still save before their step.
(function () {
  "use strict";
  // The admin's JavaScript catalog (jsi18n, loaded by every change form) translates these.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; });
  };
  var form = document.getElementById("article_form");
  if (!form) return;
  var dirty = false;
  var sinceAutosave = false;
  var submitting = false;

  function changed() {
    dirty = true;
    sinceAutosave = true;
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // The admin's autocomplete widgets (select2) announce changes through jQuery only.
  if (window.django && window.django.jQuery) {
    var $ = window.django.jQuery;
    $(form).on("change", "select", changed);
    // A tag typed in the picker and confirmed with Enter is new: post it by name, marked so a
    // name that looks like a number is not taken for a tag's id (articles/forms.py, TagPicker).
    $(form).on("select2:select", "select[data-tags]", function (event) {
      var option = event.params.data.element;
      if (option && option.hasAttribute("data-select2-tag") && option.value.indexOf("new:") !== 0) {
        option.value = "new:" + option.value;
      }
    });
  }
  form.addEventListener("submit", function (event) {
    // Mark every tag typed in the picker as new just before the form is sent, whichever way
    // it was added (the select event above does not see every one).
    form.querySelectorAll("select[data-tags] option[data-select2-tag]").forEach(function (option) {
      if (option.value.indexOf("new:") !== 0) option.value = "new:" + option.value;
    });
    // A preview opens in another tab: this page stays, and so do its unsaved changes.
    if (event.submitter && event.submitter.formTarget === "_blank") return;
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty || submitting) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // --- autosave ----------------------------------------------------------------------------
  var status = document.getElementById("autosave-status");
  if (status && status.dataset.url && window.fetch) {
    var interval = (parseInt(status.dataset.interval, 10) || 30) * 1000;
    var autosave = function () {
      if (!sinceAutosave || submitting) return;
      sinceAutosave = false;
      var data = new FormData(form);
      fetch(status.dataset.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (result) {
          status.textContent = interpolate(gettext("Unsaved changes kept at %(time)s."), { time: result.saved_at }, true);
        })
        .catch(function () {
          sinceAutosave = true;
          status.textContent = gettext("Autosave failed: save the article to keep your changes.");
        });
    };
    window.setInterval(autosave, interval);
  }

  // --- the hero image chooser shows thumbnails ---------------------------------------------
  var hero = form.querySelector("select[data-thumbnail-url]");
  var $ = window.django && window.django.jQuery;
  if (hero && window.MutationObserver && $ && $.fn.select2 && $.fn.select2.amd) {
    // select2 keeps each result's {id, text} with its element.
    var select2Utils = $.fn.select2.amd.require("select2/utils");
    var observer = new MutationObserver(function () {
      var results = document.querySelector(
        ".select2-results__options[id='select2-" + hero.id + "-results']"
      );
      if (!results) return;
      results.querySelectorAll(".select2-results__option").forEach(function (option) {
        var data = select2Utils.GetData(option, "data");
        if (!data || !/^\d+$/.test(String(data.id)) || option.querySelector("img")) return;
        var img = document.createElement("img");
        img.src = hero.dataset.thumbnailUrl.replace("{id}", data.id);
        img.alt = "";
        img.className = "chooser-thumbnail";
        option.insertBefore(img, option.firstChild);
      });
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }

  // --- share links: a Copy button beside each -------------------------------------------------
  if (navigator.clipboard) {
    document.querySelectorAll(".workflow__links input[readonly]").forEach(function (input) {
      var copy = document.createElement("button");
      copy.type = "button";
      copy.className = "button";
      copy.textContent = gettext("Copy");
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(input.value).then(function () {
          copy.textContent = gettext("Copied");
        });
      });
      input.insertAdjacentElement("afterend", copy);
    });
  }

  // --- confirmation before going live --------------------------------------------------------
  function value(name) {
    var field = form.elements[name];
    return field && field.value ? field.value.trim() : "";
  }
  function bodyText() {
    var editor = form.querySelector(".prose-editor [contenteditable=true]");
    if (editor) return editor.innerText.trim();
    var div = document.createElement("div");
    div.innerHTML = value("body");
    return div.textContent.trim();
  }
  function wordCount(text) {
    return text ? text.split(/\s+/).filter(Boolean).length : 0;
  }
  function hasTags() {
    var tags = form.elements.tags;
    var chosen = tags && tags.selectedOptions ? tags.selectedOptions.length : 0;
    return chosen > 0 || value("new_tags") !== "";
  }
  function warnings() {
    var found = [];
    var words = wordCount(bodyText());
    if (words === 0) found.push(gettext("Error: the body is empty, so it cannot go live."));
    else if (words < 150) found.push(interpolate(ngettext("The body is very short (%(words)s word).", "The body is very short (%(words)s words).", words), { words: words }, true));
    if (!value("hero_image")) found.push(gettext("There is no hero image."));
    if (!value("standfirst")) found.push(gettext("The standfirst is missing."));
    if (!hasTags()) found.push(gettext("There are no tags."));
    if (value("headline").length > 100) found.push(gettext("The headline is over 100 characters."));
    if (!value("seo_description")) found.push(gettext("The SEO description is empty."));
    return found;
  }
  function confirmLines(button) {
    var headline = value("headline") || gettext("this article");
    var kind = button.dataset.confirm;
    var lines = [gettext("Your changes will be saved first.")];
    if (kind === "publish") {
      lines.push(interpolate(gettext("“%(headline)s” will be public at once, on the site, in feeds and search."), { headline: headline }, true));
    } else if (kind === "schedule") {
      var when = button.dataset.when ||
        interpolate(gettext("on %(date)s at %(time)s"), { date: value("schedule_date"), time: value("schedule_time") }, true);
      lines.push(interpolate(gettext("“%(headline)s” will go public %(when)s."), { headline: headline, when: when }, true));
    } else if (kind === "unpublish") {
      lines.push(interpolate(gettext("“%(headline)s” will disappear from the site, feeds and search at once."), { headline: headline }, true));
    }
    if (kind === "publish" || kind === "schedule") {
      var found = warnings();
      if (found.length) lines.push("", gettext("Before it goes live:"), "• " + found.join("\n• "));
    }
    return lines.join("\n");
  }
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (!button) return;
    if (!window.confirm(confirmLines(button) + "\n\n" + gettext("Continue?"))) event.preventDefault();
  });
})();
