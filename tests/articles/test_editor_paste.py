"""The body editor and the sanitiser agree: what the editor makes survives cleaning unchanged,
and what arrives by paste keeps its structure and loses the junk."""

from pathlib import Path

import pytest
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

from articles.admin.forms import ArticleAdminForm
from articles.forms import EDITOR_EXTENSIONS, clean_editor_body
from articles.sanitizer import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, sanitize_body

CORPUS = Path(__file__).parent / "paste_corpus"

# What the editor (Tiptap/ProseMirror, configured by EDITOR_EXTENSIONS) writes into the textarea
# for every construct its toolbar offers, as serialised by the editor in Chromium.
EDITOR_OUTPUT = [
    "<p>The council voted on Tuesday.</p>",
    "<p>Plain, <strong>bold</strong>, <em>italic</em> and <strong><em>both</em></strong>.</p>",
    "<h2>What happens next</h2><h3>The budget</h3><h4>Who pays</h4>",
    "<p>First line<br>second line</p>",
    '<p>According to <a href="https://example.org/report" rel="noopener noreferrer">the'
    " report</a>, costs rose.</p>",
    '<p><a href="mailto:desk@example.org" title="News desk" rel="noopener noreferrer">'
    "Write to us</a></p>",
    "<ul><li><p>Roads</p></li><li><p>Bridges</p><ul><li><p>Old bridge</p></li></ul></li></ul>",
    '<ol type="1" data-type="decimal"><li><p>First</p></li><li><p>Second</p></li></ol>',
    '<ol start="3" type="a" data-type="lower-alpha"><li><p>Third</p></li></ol>',
    "<blockquote><p>“We will rebuild,” the mayor said.</p></blockquote>",
    "<p>Quotes \" and ' and &amp; and &lt;tags&gt; and&nbsp;spaces.</p>",
    "<p></p><p>After an empty paragraph</p>",
]


def test_editor_allows_nothing_the_sanitiser_would_remove():
    editor = allowlist_from_extensions(expand_extensions(EDITOR_EXTENSIONS))
    assert editor["tags"] <= ALLOWED_TAGS
    for tag, attributes in editor["attributes"].items():
        # rel is not kept from input: the sanitiser sets it on every link itself.
        assert attributes - {"rel"} <= ALLOWED_ATTRIBUTES.get(tag, set()), tag


@pytest.mark.parametrize("html", EDITOR_OUTPUT)
def test_editor_output_survives_sanitising_unchanged(html):
    assert sanitize_body(html) == html


@pytest.mark.parametrize("html", EDITOR_OUTPUT)
def test_sanitising_editor_output_is_idempotent(html):
    once = sanitize_body(html)
    assert sanitize_body(once) == once


# Markup the editor's toolbar cannot make: the tags go, the words stay.
NOT_FROM_THE_EDITOR = [
    ("<h1>Big</h1><h5>Small</h5><h6>Smaller</h6>", "BigSmallSmaller"),
    ("<table><tr><th>Ward</th><td>Votes</td></tr></table>", "WardVotes"),
    (
        "<p><u>Under</u> <s>struck</s> <code>x=1</code> <sup>2</sup> "
        "<font color=red>red</font></p>",
        "<p>Under struck x=1 2 red</p>",
    ),
    ("<pre>kept  text</pre><hr>", "kept  text"),
    ('<p><span style="color:red" class="x">Styled</span></p>', "<p>Styled</p>"),
]


@pytest.mark.parametrize(("html", "cleaned"), NOT_FROM_THE_EDITOR)
def test_what_the_editor_cannot_make_is_dropped_and_its_words_kept(html, cleaned):
    assert clean_editor_body(html) == cleaned


def test_a_new_link_only_gains_the_rel_the_site_sets_on_every_link():
    fresh = '<p><a href="https://example.org/">link</a></p>'
    assert sanitize_body(fresh) == (
        '<p><a href="https://example.org/" rel="noopener noreferrer">link</a></p>'
    )


def test_an_emptied_editor_saves_an_empty_body():
    assert clean_editor_body("<p></p>") == ""


def test_admin_form_uses_the_rich_text_editor_for_the_body():
    widget = ArticleAdminForm().fields["body"].widget
    assert "data-django-prose-editor-configurable" in widget.render("body", "<p>x</p>")


WORD_HTML = (CORPUS / "word.html").read_text()

GOOGLE_DOCS_HTML = (CORPUS / "google_docs.html").read_text()

WEB_PAGE_HTML = (CORPUS / "web_page.html").read_text()

JUNK = [
    "style=",
    "class=",
    "mso-",
    "<span",
    "<o:p",
    "<div",
    "<script",
    "<iframe",
    "onclick",
    "data-track",
    "data-id",
    "target=",
    "<form",
    "<input",
    "<meta",
    "docs-internal-guid",
    "font-weight",
    "ads.example",
    "tracker.example",
    "dataLayer",
    "<b ",
    "dir=",
    "WordDocument",
    "<xml",
    "<img",
]


@pytest.mark.parametrize(
    "html", [WORD_HTML, GOOGLE_DOCS_HTML, WEB_PAGE_HTML], ids=["word", "docs", "web"]
)
def test_pasted_junk_is_removed(html):
    cleaned = sanitize_body(html)
    for junk in JUNK:
        assert junk not in cleaned, f"{junk!r} survived: {cleaned}"


def test_word_paste_keeps_heading_paragraph_marks_link_list_and_quote():
    cleaned = sanitize_body(WORD_HTML)
    assert "<h2>Flood defences\n</h2>" in cleaned
    assert "The river rose <b>two metres</b> overnight,\n<i>according to</i> the" in cleaned
    assert (
        '<a href="https://example.org/agency" rel="noopener noreferrer">Environment Agency</a>'
        in cleaned
    )
    assert "<li>Sandbags</li>" in cleaned and "<li>Pumps</li>" in cleaned
    assert "<blockquote><p>“We were ready,” she said.</p></blockquote>" in cleaned


def test_google_docs_paste_keeps_structure_and_is_not_all_bold():
    cleaned = sanitize_body(GOOGLE_DOCS_HTML)
    assert cleaned == (
        "<h3>Timeline</h3><p>Work starts in March.</p><ol><li><p>Survey</p></li></ol><br>"
    )


def test_web_page_paste_keeps_structure_and_drops_scripts_frames_and_styles():
    cleaned = sanitize_body(WEB_PAGE_HTML)
    assert "<h2>Bridge reopens</h2>" in cleaned
    assert "<strong>Monday</strong>" in cleaned and "<em>six weeks</em>" in cleaned
    assert '<a href="https://news.example/story" rel="noopener noreferrer">Read more</a>' in cleaned
    assert "<ul><li>One</li><li>Two</li></ul>" in cleaned
    assert '<blockquote><p lang="en">A quoted post</p></blockquote>' in cleaned
    assert "Loose text" in cleaned


@pytest.mark.parametrize(
    "html", [WORD_HTML, GOOGLE_DOCS_HTML, WEB_PAGE_HTML], ids=["word", "docs", "web"]
)
def test_sanitising_pasted_html_is_idempotent(html):
    once = sanitize_body(html)
    assert sanitize_body(once) == once
