// The article body editor (django-prose-editor), set up as each editor starts:
// - In a block quote, "- " or "-- " at the start of a line stays text: it begins the quote's
//   credit ("- Ana Ruiz, mayor"), not a bullet list (articles/forms.py stores it as a
//   figcaption).
// - A word count under the body.
// Loaded without `defer`, before the editor's own scripts, so it hears "prose-editor:ready".
(function () {
  "use strict";

  function inBlockquote($pos) {
    for (var depth = $pos.depth; depth > 0; depth--) {
      if ($pos.node(depth).type.name === "blockquote") return true;
    }
    return false;
  }

  function keepCreditDash(editor) {
    var Plugin = editor.state.plugins[0] && editor.state.plugins[0].constructor;
    if (!Plugin || !editor.registerPlugin) return;
    var plugin = new Plugin({
      props: {
        handleTextInput: function (view, from, to, text) {
          if (text !== " ") return false;
          var $from = view.state.selection.$from;
          if (!inBlockquote($from)) return false;
          var before = $from.parent.textBetween(0, $from.parentOffset);
          if (!/^-{1,2}$/.test(before)) return false;
          view.dispatch(view.state.tr.insertText(" ", from, to));
          return true; // before the list's input rule sees it
        },
      },
    });
    editor.registerPlugin(plugin, function (added, plugins) {
      return [added].concat(plugins);
    });
  }

  function countWords(editor, textarea) {
    var output = document.createElement("p");
    output.className = "help body-word-count";
    output.setAttribute("aria-live", "polite");
    var wrapper = textarea.closest(".prose-editor") || textarea.parentNode;
    wrapper.parentNode.insertBefore(output, wrapper.nextSibling);
    function update() {
      var text = editor.state.doc.textBetween(0, editor.state.doc.content.size, " ", " ");
      var words = text.split(/\s+/).filter(Boolean).length;
      output.textContent = words + (words === 1 ? " word" : " words");
    }
    editor.on("update", update);
    update();
  }

  // The editor's own keyboard shortcuts (tiptap's defaults), shown in the buttons' tooltips.
  var MOD = /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘" : "Ctrl+";
  var SHORTCUTS = [
    [/^bold/i, MOD + "B"],
    [/^italic/i, MOD + "I"],
    [/quote/i, MOD + "Shift+B"],
    [/(bullet|unordered)/i, MOD + "Shift+8"],
    [/(ordered|numbered)/i, MOD + "Shift+7"],
    [/^undo/i, MOD + "Z"],
    [/^redo/i, MOD + "Shift+Z"],
  ];

  // Labelled when first pointed at or focused: the menu bar is drawn after "ready".
  function labelShortcut(event) {
    var button = event.target.closest && event.target.closest(".prose-editor [title]");
    if (button) {
      var title = button.getAttribute("title");
      var shortcut = SHORTCUTS.find(function (entry) {
        return entry[0].test(title);
      });
      if (shortcut && title.indexOf(shortcut[1]) === -1) {
        button.setAttribute("title", title + " (" + shortcut[1] + ")");
        button.setAttribute("aria-keyshortcuts", shortcut[1].replace("⌘", "Meta+"));
      }
    }
  }
  document.addEventListener("mouseover", labelShortcut);
  document.addEventListener("focusin", labelShortcut);

  document.addEventListener("prose-editor:ready", function (event) {
    var editor = event.detail.editor;
    var textarea = event.detail.textarea;
    if (!textarea || textarea.name !== "body") return;
    keepCreditDash(editor);
    countWords(editor, textarea);
  });
})();
