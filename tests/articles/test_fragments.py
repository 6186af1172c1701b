"""Memoised fragments (newsroom/fragments.py): the article's story, the masthead and footer,
the cards. They are keyed by what they show, so any change to it shows on the next render,
even one written straight to the tables (no signal, no version bump, no purge)."""

import pytest
from django.utils import translation
from taggit.models import Tag

from articles.models import Article, Author, Correction, Image, Section
from newsroom.fragments import FragmentMemo
from tests.factories import make_article, make_author, make_correction, make_image, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    # Every request renders: what is measured here is the memo, not the page cache.
    settings.PAGE_CACHE = False


@pytest.fixture
def story(db):
    section = make_section("Environment")
    author = make_author("Ada Lovelace")
    article = make_article(
        "The river rises",
        section=section,
        authors=[author],
        tags=["Floods"],
        hero_image=make_image(caption="The weir at dawn", alt_text="A weir"),
        body="<p>First version of the body.</p>",
    )
    make_correction(article, text="An earlier version misnamed the weir.")
    return article


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("change", "before", "after"),
    [
        (
            lambda a: Article.objects.filter(pk=a.pk).update(body="<p>Second version.</p>"),
            "First version of the body.",
            "Second version.",
        ),
        (
            lambda a: Article.objects.filter(pk=a.pk).update(credit_line="Reuters"),
            None,
            "Reuters",
        ),
        (
            lambda a: Author.objects.filter(name="Ada Lovelace").update(name="Ada King"),
            "Ada Lovelace",
            "Ada King",
        ),
        (
            lambda a: Tag.objects.filter(name="Floods").update(name="Flooding"),
            "Floods",
            "Flooding",
        ),
        (
            lambda a: Image.objects.filter(pk=a.hero_image_id).update(caption="The weir at dusk"),
            "The weir at dawn",
            "The weir at dusk",
        ),
        (
            lambda a: Correction.objects.filter(article=a).update(text="It was the old weir."),
            "misnamed the weir",
            "It was the old weir.",
        ),
    ],
    ids=["body", "credit line", "author", "tag", "caption", "correction"],
)
def test_the_story_shows_any_change_to_what_it_shows(client, story, change, before, after):
    first = page(client, story)
    assert before is None or before in first
    assert after not in first

    change(story)

    second = page(client, story)
    assert after in second
    assert before is None or before not in second


def test_the_masthead_shows_a_renamed_section_and_marks_the_current_one(client, story):
    make_section("Sport")
    assert ">Environment</a>" in page(client, story)

    Section.objects.filter(slug="environment").update(name="Climate")
    Section.objects.forget_navigation()  # what the section's save signal does

    html = page(client, story)
    assert ">Climate</a>" in html and ">Environment</a>" not in html
    climate = Section.objects.get(slug="environment").get_absolute_url()
    assert f'<a href="{climate}" aria-current="page">Climate</a>' in html
    home = client.get("/").content.decode()
    assert f'<a href="{climate}">Climate</a>' in home  # no section is current on the home page


def test_the_masthead_keeps_no_search_words(client, story):
    apples = client.get("/search/", {"q": "apples"}).content.decode()
    pears = client.get("/search/", {"q": "<pears>"}).content.decode()

    assert 'value="apples"' in apples
    assert 'value="&lt;pears&gt;"' in pears and "apples" not in pears


def test_each_language_has_its_own_fragments(client, settings, story):
    assert ">Search</button>" in client.get("/").content.decode()
    settings.LANGUAGE_CODE = "es"
    with translation.override("es"):
        assert ">Buscar</button>" in client.get("/").content.decode()


def test_a_memo_is_bounded():
    memo = FragmentMemo(limit=2)
    for n in range(3):
        assert memo.render(n, lambda n=n: f"<p>{n}</p>") == f"<p>{n}</p>"
    assert len(memo) == 1  # emptied when full, then the third kept

    calls = []
    memo.render("again", lambda: calls.append(1) or "x")
    memo.render("again", lambda: calls.append(1) or "y")
    assert calls == [1]


def test_the_metadata_shows_any_change_to_what_it_shows(client, story):
    first = page(client, story)
    assert 'content="The river rises"' in first  # og:title

    Article.objects.filter(pk=story.pk).update(seo_title="Weir overtopped")
    Author.objects.filter(name="Ada Lovelace").update(name="Ada King")
    Correction.objects.filter(article=story).update(text="It was the old weir.")

    second = page(client, story)
    assert 'property="og:title" content="Weir overtopped"' in second
    assert '"name": "Ada King"' in second  # JSON-LD author
    assert '"text": "It was the old weir."' in second  # JSON-LD CorrectionComment
