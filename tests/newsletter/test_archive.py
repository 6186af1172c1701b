import pytest
from django.utils import timezone

from articles.models import Article
from newsletter.models import Edition, EditionArticle, Newsletter
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def daily():
    return Newsletter.objects.get(slug="daily-briefing")


def make_edition(newsletter, articles, *, status=Edition.Status.SENT, **fields):
    started = timezone.now() if status != Edition.Status.DRAFT else None
    fields.setdefault("subject", "Morning news")
    edition = Edition.objects.create(
        newsletter=newsletter, status=status, started_at=started, **fields
    )
    for position, article in enumerate(articles, start=1):
        EditionArticle.objects.create(edition=edition, article=article, position=position)
    return edition


def test_archive_lists_sent_editions_only(client, daily):
    make_edition(daily, [], subject="Tuesday's briefing")
    make_edition(daily, [], subject="Draft in progress", status=Edition.Status.DRAFT)

    page = client.get("/newsletter/daily-briefing/").content.decode()

    assert "Tuesday&#x27;s briefing" in page
    assert "Draft in progress" not in page


def test_web_version_shows_stories_in_order_with_the_sanitised_intro(client, daily):
    first, second = make_article("Bridge opens"), make_article("Dam repaired")
    edition = make_edition(
        daily, [second, first], intro='<p>Hello <script>alert(1)</script><a href="x">you</a></p>'
    )

    page = client.get(edition.get_absolute_url()).content.decode()

    assert page.index("Dam repaired") < page.index("Bridge opens")
    assert "<script>alert" not in page
    assert "<p>Hello" in page


def test_web_version_never_shows_an_article_unpublished_since(client, daily):
    kept, pulled = make_article("Bridge opens"), make_article("Retracted claim")
    edition = make_edition(daily, [kept, pulled])
    Article.objects.filter(pk=pulled.pk).update(status=Article.Status.DRAFT)

    page = client.get(edition.get_absolute_url()).content.decode()

    assert "Bridge opens" in page
    assert "Retracted claim" not in page


def test_draft_edition_has_no_web_version(client, daily):
    edition = make_edition(daily, [make_article()], status=Edition.Status.DRAFT)

    assert client.get(edition.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("status", [Edition.Status.CANCELLED, Edition.Status.PAUSED])
def test_edition_cancelled_or_paused_mid_send_has_no_web_version(client, daily, status):
    edition = make_edition(daily, [make_article()], status=status)

    assert client.get(edition.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("status", [Edition.Status.SENDING, Edition.Status.SENT])
def test_edition_going_out_or_sent_has_a_web_version(client, daily, status):
    edition = make_edition(daily, [make_article("Bridge opens")], status=status)

    assert "Bridge opens" in client.get(edition.get_absolute_url()).content.decode()


def test_web_version_queries_do_not_grow_with_stories(client, daily, django_assert_max_num_queries):
    edition = make_edition(daily, [make_article() for _ in range(8)])

    with django_assert_max_num_queries(8):
        response = client.get(edition.get_absolute_url())

    assert response.status_code == 200


def test_privacy_notice_says_no_tracking_pixels_and_no_link_rewriting(client):
    page = client.get("/privacy/").content.decode()

    assert "no tracking pixels" in page
    assert "links are not rewritten" in page


def test_archive_queries_do_not_grow_with_editions(client, daily, django_assert_max_num_queries):
    for _ in range(2):
        make_edition(daily, [])
    with django_assert_max_num_queries(10) as small:
        client.get("/newsletter/daily-briefing/")
    for _ in range(15):
        make_edition(daily, [])

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/newsletter/daily-briefing/")

    assert response.status_code == 200


def test_unknown_newsletter_archive_is_404(client):
    assert client.get("/newsletter/no-such-letter/").status_code == 404
