"""An embargo binds every publishing path: the change-form button, the transition button, the
bulk actions, scheduling and the scheduled-publishing task; superusers included."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import sharing, sitemaps, workflow
from articles.admin.forms import ArticleAdminForm
from articles.models import Article, ArticleEvent
from tests.factories import make_article, make_editor, make_section, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status
CHANGELIST = "/admin/articles/article/"
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def editor():
    return make_editor("edna")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def embargoed(hours: float = 2, **fields) -> Article:
    fields.setdefault("status", Status.DRAFT)
    return make_article(embargo_until=timezone.now() + hours * HOUR, **fields)


def test_superuser_cannot_publish_before_the_embargo():
    article = embargoed()
    boss = make_user("boss", is_superuser=True)
    with pytest.raises(workflow.InvalidTransition, match="embargoed until"):
        workflow.publish(article, by=boss)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    assert not ArticleEvent.objects.exists()


def test_publishing_after_the_embargo_works(editor):
    article = make_article(status=Status.DRAFT, embargo_until=timezone.now() - HOUR)
    workflow.publish(article, by=editor)
    assert article.status == Status.PUBLISHED


def test_scheduling_before_the_embargo_is_refused(editor):
    article = embargoed()
    with pytest.raises(workflow.InvalidTransition, match="schedule it for that time or later"):
        workflow.schedule(article, by=editor, at=timezone.now() + HOUR)


def test_scheduling_at_the_embargo_works(editor):
    article = embargoed()
    workflow.schedule(article, by=editor, at=article.embargo_until)
    assert article.status == Status.SCHEDULED
    assert article.publish_at == article.embargo_until


def test_publish_button_is_refused_with_the_reason(editor_client):
    article = embargoed()
    response = editor_client.post(
        reverse("admin:articles_article_transition", args=[article.pk, "publish"]),
        {"version": article.version},
        follow=True,
    )
    assert "embargoed until" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_bulk_publish_skips_the_embargoed_article(editor_client):
    article = embargoed()
    free = make_article(status=Status.DRAFT)
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [article.pk, free.pk], "apply": "1"},
        follow=True,
    )
    assert "embargoed until" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    assert Article.objects.get(pk=free.pk).status == Status.PUBLISHED


def test_bulk_schedule_obeys_the_embargo(editor_client, settings):
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    article = make_article(
        status=Status.DRAFT, embargo_until=datetime.datetime(2099, 3, 2, 6, 0, tzinfo=zone)
    )

    def bulk_schedule(time: str):
        return editor_client.post(
            CHANGELIST,
            {
                "action": "schedule_selected",
                "_selected_action": [article.pk],
                "apply": "1",
                "date": "2099-03-02",
                "time": time,
            },
            follow=True,
        )

    assert "embargoed until" in bulk_schedule("05:59").content.decode()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    bulk_schedule("06:00")
    assert Article.objects.get(pk=article.pk).status == Status.SCHEDULED


def test_scheduled_task_does_not_publish_under_embargo(clock):
    article = make_article(status=Status.SCHEDULED, publish_at=timezone.now() + HOUR)
    # Set behind the workflow's back (the admin form refuses it): the task still obeys.
    Article.objects.filter(pk=article.pk).update(embargo_until=timezone.now() + 3 * HOUR)
    clock.shift(2 * 3600)
    assert workflow.publish_due() == []
    assert Article.objects.get(pk=article.pk).status == Status.SCHEDULED
    clock.shift(2 * 3600)
    assert len(workflow.publish_due()) == 1


def test_change_form_refuses_an_embargo_after_a_scheduled_time(editor_client):
    article = make_article(status=Status.SCHEDULED, publish_at=timezone.now() + HOUR)
    form = _admin_form(article, {"embargo_until": timezone.now() + 2 * HOUR})
    assert not form.is_valid()
    assert "unschedule or unpublish it first" in str(form.errors["embargo_until"])


def _admin_form(article, overrides):
    data = {
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "section": article.section_id,
        "expected_version": article.version,
        **overrides,
    }
    return ArticleAdminForm(data=data, instance=article)


def test_preview_shows_the_embargo_banner(editor_client):
    article = embargoed(credit_line="According to Reuters")
    response = editor_client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    assert "EMBARGOED until" in response.content.decode()


def test_share_link_shows_the_embargo_banner(client, editor):
    article = embargoed()
    link, token = sharing.create_share_link(article, by=editor, days=2)
    response = client.get(reverse("articles:shared_preview", args=[token]))
    assert "EMBARGOED until" in response.content.decode()


def test_public_page_shows_the_credit_line(client):
    article = make_article(credit_line="According to the South China Morning Post")
    response = client.get(article.get_absolute_url())
    assert "According to the South China Morning Post" in response.content.decode()
    assert "EMBARGOED" not in response.content.decode()


def test_admin_list_shows_the_embargo(editor_client):
    embargoed(headline="Under embargo")
    response = editor_client.get(CHANGELIST)
    assert "column-embargo_until" in response.content.decode()


@pytest.mark.parametrize("change", [{"embargo_until": ""}, {"embargo_until": "earlier"}])
def test_an_editor_cannot_lift_a_running_embargo_from_the_form(change):
    article = embargoed(hours=5)
    if change["embargo_until"] == "earlier":
        change = {"embargo_until": timezone.now() + HOUR}
    form = _admin_form(article, change)
    assert not form.is_valid()
    assert "Only a superuser can lift an embargo" in str(form.errors["embargo_until"])


def test_an_embargo_can_be_moved_later_by_an_editor_and_lifted_by_a_superuser():
    article = embargoed(hours=5)
    later = _admin_form(article, {"embargo_until": timezone.now() + 9 * HOUR})
    later.is_valid()
    assert "embargo_until" not in later.errors
    lifted = _admin_form(article, {"embargo_until": ""})
    lifted.may_lift_embargo = True
    lifted.is_valid()
    assert "embargo_until" not in lifted.errors


def test_the_banner_goes_once_the_embargo_has_passed(editor_client, clock):
    article = embargoed(hours=1)
    clock.shift(2 * 3600)
    response = editor_client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    assert response.status_code == 200
    assert "EMBARGOED until" not in response.content.decode()


# --- an article live by status but under a running embargo: nowhere until it ends --------

PUBLIC_LISTS = [
    "/",
    "/section/news/",
    "/feeds/rss/",
    "/feeds/atom/",
    "/sitemap-news.xml",
    "/api/ninjs/articles/",
]


def sitemap_page_of(article: Article) -> str:
    return sitemaps.article_sitemap_url(sitemaps.page_of(article.pk))


def forced_live(seconds: float = 3600) -> Article:
    """Published by a path that skipped the workflow (a data fix, an old import) while its
    embargo still runs."""
    news = make_section("News")
    make_article("Visible council story", section=news)
    return make_article(
        "Embargoed merger talks",
        section=news,
        status=Status.PUBLISHED,
        publish_at=timezone.now() - HOUR,
        embargo_until=timezone.now() + datetime.timedelta(seconds=seconds),
    )


def test_live_article_under_a_running_embargo_is_on_no_public_path(client):
    article = forced_live()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(f"/api/ninjs/articles/{article.pk}").status_code == 404
    for url in PUBLIC_LISTS:
        body = client.get(url).content.decode()
        assert "visible-council-story" in body, url
        assert article.slug not in body, url
    assert article.slug not in client.get(sitemap_page_of(article)).content.decode()


def test_it_appears_everywhere_when_the_embargo_ends(client, clock):
    article = forced_live(seconds=60)
    clock.shift(61)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(f"/api/ninjs/articles/{article.pk}").status_code == 200
    for url in [*PUBLIC_LISTS, sitemap_page_of(article)]:
        assert article.slug in client.get(url).content.decode(), url


def test_no_cached_page_outlives_the_embargo_of_a_live_article(client, settings, clock):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_CLOCK_MARGIN = 0
    article = forced_live(seconds=90)
    clock.shift(1)  # stored only when begun after the last purge
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    clock.shift(90)
    response = client.get("/")
    assert response["X-Page-Cache"] != "hit"
    assert article.headline in response.content.decode()
