// Accessible names for admin inputs whose markup is drawn by someone else's code, taken from
// the labels Django already renders, so a screen reader says what each control is for:
// - the prose editor's editing area (a contenteditable with role="textbox"),
// - Select2 autocomplete widgets (the combobox and the search field for tags),
// - inputs in tabular inlines (bylines, edition items), named after their column.
// Runs on load and again whenever the admin adds widgets (new inline rows, Select2 redraws).
(function () {
  "use strict";
  // Translated by the admin's JavaScript catalog (jsi18n) on the pages that load it.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; });
  };

  function labelFor(control) {
    if (!control || !control.id) return null;
    var label = document.querySelector('label[for="' + control.id + '"]');
    if (label && !label.id) label.id = control.id + "-label";
    return label;
  }

  function nameFromLabel(element, control) {
    var label = labelFor(control);
    if (label) element.setAttribute("aria-labelledby", label.id);
  }

  function nameEditors(root) {
    root.querySelectorAll(".prose-editor .ProseMirror:not([aria-labelledby])").forEach(function (area) {
      nameFromLabel(area, area.closest(".prose-editor").querySelector("textarea"));
    });
  }

  // In a tabular inline a select has no <label>, only the name nameTabularInputs gave it after
  // its column: copy that into a hidden element the Select2 combobox can point at.
  function columnLabel(select) {
    var name = select.getAttribute("aria-label");
    if (!name) return null;
    var id = select.id + "-label";
    var label = document.getElementById(id);
    if (!label) {
      label = document.createElement("span");
      label.id = id;
      label.hidden = true;
      select.parentNode.insertBefore(label, select);
    }
    if (label.textContent !== name) label.textContent = name;
    return label;
  }

  function nameSelect2(root) {
    root.querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") return;
      var label = labelFor(select) || columnLabel(select);
      if (!label) return;
      var name = label.textContent.replace(/[:*]\s*$/, "").trim();
      var combobox = container.querySelector(".select2-selection--single[role=combobox]");
      var rendered = container.querySelector(".select2-selection__rendered");
      if (combobox && rendered) {
        // Select2 labels the combobox with the chosen value alone, which is empty until
        // something is chosen: name it "<field>: <value>" instead. The value's box is a plain
        // span then (a "textbox" there would be read as a second, nameless field).
        combobox.setAttribute("aria-labelledby", label.id + " " + rendered.id);
        rendered.removeAttribute("role");
        rendered.removeAttribute("aria-readonly");
      }
      var search = container.querySelector(".select2-search__field");
      if (search && !search.getAttribute("aria-label")) search.setAttribute("aria-label", name);
      container.querySelectorAll("ul > .select2-selection__clear").forEach(function (clear) {
        clear.setAttribute("role", "listitem");
      });
    });
  }

  function nameTabularInputs(root) {
    root.querySelectorAll(".tabular table").forEach(function (table) {
      var headers = table.querySelectorAll("thead th");
      table.querySelectorAll("tbody tr.form-row").forEach(function (row, index) {
        Array.prototype.forEach.call(row.cells, function (cell, column) {
          var header = headers[column];
          var name = header ? header.textContent.replace(/[?:]\s*$/, "").trim() : "";
          if (!name && cell.classList.contains("delete")) name = gettext("Delete");
          if (!name) return;
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (control) {
            if (control.labels && control.labels.length) return;
            if (control.getAttribute("aria-label")) return;
            control.setAttribute("aria-label", interpolate(gettext("%(name)s (row %(row)s)"), { name: name, row: index + 1 }, true));
          });
        });
      });
    });
  }

  function nameAll() {
    nameEditors(document);
    nameTabularInputs(document);
    nameSelect2(document);
  }

  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      nameAll();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  });
})();
