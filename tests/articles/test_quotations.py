"""Attributed quotations survive the body editor: stored as figure + figcaption, edited as a
block quote whose last paragraph starts with a dash, and stored again as they were."""

import pytest

from articles.admin.forms import ArticleAdminForm
from articles.forms import clean_editor_body, quotations_for_editor
from tests.factories import make_article

STORED = (
    "<p>The council met.</p>"
    "<figure><blockquote><p>“We will rebuild.”</p><p>“All of it.”</p></blockquote>"
    "<figcaption>Ana Ruiz, the mayor</figcaption></figure>"
    "<blockquote><p>An unattributed line.</p></blockquote>"
)
IN_EDITOR = (
    "<p>The council met.</p>"
    "<blockquote><p>“We will rebuild.”</p><p>“All of it.”</p><p>— Ana Ruiz, the mayor</p>"
    "</blockquote>"
    "<blockquote><p>An unattributed line.</p></blockquote>"
)


def test_the_editor_gets_the_credit_inside_the_quote():
    assert quotations_for_editor(STORED) == IN_EDITOR


def test_a_dash_led_last_paragraph_is_stored_as_the_quotes_credit():
    assert clean_editor_body(IN_EDITOR) == STORED


def test_an_en_dash_and_a_non_breaking_space_also_mark_a_credit():
    html = "<blockquote><p>“Enough.”</p><p>–&nbsp;Bo Lind</p></blockquote>"
    assert clean_editor_body(html) == (
        "<figure><blockquote><p>“Enough.”</p></blockquote><figcaption>Bo Lind</figcaption></figure>"
    )


def test_a_quote_that_is_only_a_dash_led_paragraph_stays_a_plain_quote():
    html = "<blockquote><p>— a dash, and nothing quoted</p></blockquote>"
    assert clean_editor_body(html) == html


@pytest.mark.django_db
def test_editing_an_article_keeps_its_quotations_credited():
    article = make_article(body=STORED)
    form = ArticleAdminForm(instance=article)

    assert form.initial["body"] == IN_EDITOR
    # What the editor posts back unchanged comes out as the stored body.
    assert form.fields["body"].clean(form.initial["body"]) == article.body


@pytest.mark.parametrize("dash", ["- ", "-- ", "-&nbsp;"])
def test_a_hyphen_or_two_also_mark_a_credit(dash):
    html = f"<blockquote><p>“Enough.”</p><p>{dash}Bo Lind</p></blockquote>"
    assert clean_editor_body(html) == (
        "<figure><blockquote><p>“Enough.”</p></blockquote><figcaption>Bo Lind</figcaption></figure>"
    )


def test_a_hyphenated_word_at_the_start_of_a_quote_line_is_not_a_credit():
    html = "<blockquote><p>“Enough.”</p><p>-40 degrees, he said</p></blockquote>"
    assert clean_editor_body(html) == html


def test_a_one_item_list_ending_a_quote_is_its_credit():
    html = "<blockquote><p>“Enough.”</p><ul><li><p>Bo Lind, mayor</p></li></ul></blockquote>"
    assert clean_editor_body(html) == (
        "<figure><blockquote><p>“Enough.”</p></blockquote>"
        "<figcaption>Bo Lind, mayor</figcaption></figure>"
    )
