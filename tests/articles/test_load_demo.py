import re
from collections import Counter
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django.utils.html import strip_tags
from taggit.models import Tag, TaggedItem

from articles import demo_content
from articles.demo_content import stories_a, stories_b
from articles.management.commands.load_demo import render_body
from articles.models import Article, Author, Byline, Image, Section
from articles.sanitizer import sanitize_body

PASSWORD_LINE = re.compile(r"^\s*(editor|reporter)\s+password: (\S+)$", re.MULTILINE)


def load_demo(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    return dict(PASSWORD_LINE.findall(output))


class _BodyCounter(HTMLParser):
    """Counts top-level paragraphs (not those inside a quote) and block quotes."""

    def __init__(self):
        super().__init__()
        self.paragraphs = self.quotes = self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "blockquote":
            self.quotes += 1
            self.depth += 1
        elif tag == "p" and not self.depth:
            self.paragraphs += 1

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self.depth -= 1


def count_body(html: str) -> _BodyCounter:
    counter = _BodyCounter()
    counter.feed(html)
    return counter


# The stories themselves: no database needed.


def test_every_demo_story_meets_the_brief():
    stories = demo_content.all_stories()
    problems = [problem for story in stories for problem in demo_content.story_problems(story)]
    assert problems == []
    slugs = [story["slug"] for story in stories]
    assert len(slugs) == len(set(slugs))


def test_first_story_file_has_its_share_of_drafts_review_and_scheduled():
    statuses = Counter(story.get("status", "published") for story in stories_a.STORIES)
    assert len(stories_a.STORIES) >= 20
    assert statuses["draft"] == 2 and statuses["review"] == 1 and statuses["scheduled"] == 1
    assert set(Counter(story["section"] for story in stories_a.STORIES).values()) == {4}


def test_all_stories_come_from_both_story_files():
    assert len(demo_content.all_stories()) == len(stories_a.STORIES) + len(stories_b.STORIES)


def test_rendered_bodies_survive_the_sanitiser():
    for story in demo_content.all_stories():
        html = render_body(story["body"])
        cleaned = sanitize_body(html)
        assert unescape(strip_tags(cleaned)) == unescape(strip_tags(html)), story["slug"]
        assert re.findall(r"<(\w+)", cleaned) == re.findall(r"<(\w+)", html), story["slug"]


def test_quotes_render_as_attributed_block_quotes():
    html = render_body(["Lead.", ("quote", "We did it", "Ana Lima, mayor"), ("h2", "Next")])
    assert html == (
        "<p>Lead.</p>\n"
        "<figure><blockquote><p>“We did it”</p></blockquote>"
        "<figcaption>Ana Lima, mayor</figcaption></figure>\n"
        "<h2>Next</h2>"
    )


# Loading them: the full demo is loaded once for this module, inside a transaction that is
# rolled back when the module ends; each test runs in a savepoint on top of it.


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The output of one `load_demo` run and the media folder its images went to."""
    media_root = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        # One rendition width is enough to show the image pipeline ran; all three triple the
        # time this module takes.
        override_settings(MEDIA_ROOT=media_root, IMAGE_RENDITION_WIDTHS=(480,)),
        transaction.atomic(),
    ):
        output = load_demo()
        yield SimpleNamespace(output=output, media_root=media_root)
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo, db):
    return demo


def test_load_demo_creates_sections_authors_and_every_story(loaded):
    assert list(Section.objects.values_list("slug", flat=True)) == [
        "news",
        "politics",
        "business",
        "climate",
        "culture",
    ]
    assert Author.objects.count() == 8
    assert not Author.objects.filter(photo__isnull=True).exists()
    assert Article.objects.count() == len(demo_content.all_stories()) >= 40
    assert Article.objects.filter(status=Article.Status.DRAFT).count() >= 3
    assert Article.objects.filter(status=Article.Status.SCHEDULED).count() == 1
    assert not get_user_model().objects.filter(is_superuser=True).exists()
    assert f"{len(demo_content.all_stories())} articles" in loaded.output


def test_drafts_review_and_scheduled_stories_are_not_live(loaded, client, clock):
    hidden = Article.objects.exclude(status=Article.Status.PUBLISHED)
    scheduled = Article.objects.get(status=Article.Status.SCHEDULED)

    assert hidden.count() >= 4
    assert not Article.objects.live().filter(pk__in=hidden).exists()
    assert all(client.get(article.get_absolute_url()).status_code == 404 for article in hidden)
    assert not hidden.exclude(pk=scheduled.pk).filter(publish_at__isnull=False).exists()

    clock.shift(scheduled.publish_at - timezone.now() + timedelta(minutes=1))
    assert Article.objects.live().filter(pk=scheduled.pk).exists()


def test_every_published_story_is_complete(loaded, client):
    published = (
        Article.objects.live().select_related("hero_image").prefetch_related("tags", "bylines")
    )

    assert published.count() >= 16
    for article in published:
        body = count_body(article.body)
        assert 8 <= body.paragraphs <= 20, article.slug
        assert body.quotes >= 2, article.slug
        assert 3 <= len(article.tags.all()) <= 6, article.slug
        assert article.bylines.all(), article.slug
        assert article.first_published_at == article.publish_at < timezone.now()
        hero = article.hero_image
        assert hero.alt_text and hero.caption and hero.credit, article.slug
        assert (hero.width, hero.height) == (1600, 900)
        assert (loaded.media_root / hero.file.name).is_file()
        assert hero.renditions.exists(), article.slug
    page = client.get(published[0].get_absolute_url())
    assert page.status_code == 200
    assert "<blockquote>" in page.content.decode()


def test_only_stories_with_an_update_note_look_updated(loaded):
    for article in Article.objects.live():
        updates = article.corrections.filter(kind="update")
        assert article.was_updated == updates.exists()


def test_running_twice_duplicates_nothing(loaded):
    User = get_user_model()
    tables = (Article, Section, Author, Byline, Image, Tag, TaggedItem, User, Group)
    counts = {model: model.objects.count() for model in tables}
    heroes = dict(Article.objects.values_list("slug", "hero_image"))

    output = load_demo()

    assert {model: model.objects.count() for model in tables} == counts
    assert dict(Article.objects.values_list("slug", "hero_image")) == heroes
    assert "(0 new," in output


def signs_in(client, **credentials) -> bool:
    """client.login through the sign-in lockout (django-axes needs the request)."""
    return client.login(request=RequestFactory().post("/admin/login/"), **credentials)


def test_demo_logins_work_with_the_printed_passwords(loaded, client):
    passwords = printed_passwords(loaded.output)

    assert set(passwords) == {"editor", "reporter"}
    for username, password in passwords.items():
        assert signs_in(client, username=username, password=password)
        user = get_user_model().objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert user.groups.filter(name=username.title()).exists()
        client.logout()
    assert Author.objects.get(user__username="editor").slug == "ingrid-solberg"
    assert Author.objects.get(user__username="reporter").slug == "samuel-whitlock"


def test_second_run_keeps_passwords_unless_asked_to_reset(loaded, client):
    first = printed_passwords(loaded.output)

    second = load_demo()
    assert printed_passwords(second) == {}
    assert second.count("password unchanged") == 2
    assert signs_in(client, username="editor", password=first["editor"])

    reset = printed_passwords(load_demo("--reset-passwords"))
    assert reset["editor"] != first["editor"]
    assert not signs_in(client, username="editor", password=first["editor"])
    assert signs_in(client, username="reporter", password=reset["reporter"])


def test_password_option_sets_both_logins(loaded, client):
    output = load_demo("--password", "tram-stop-lantern-42")

    assert printed_passwords(output) == {
        "editor": "tram-stop-lantern-42",
        "reporter": "tram-stop-lantern-42",
    }
    assert signs_in(client, username="reporter", password="tram-stop-lantern-42")


def test_weak_password_is_refused_and_nothing_changes(loaded, client):
    with pytest.raises(CommandError, match="--password"):
        load_demo("--password", "1234")
    assert not signs_in(client, username="editor", password="1234")


def test_empty_groups_get_enough_permissions_to_use_the_admin(loaded):
    Group.objects.filter(name__in=["Editor", "Reporter"]).delete()

    load_demo()

    editor = get_user_model().objects.get(username="editor")
    reporter = get_user_model().objects.get(username="reporter")
    assert editor.has_perms(["articles.change_article", "articles.delete_article"])
    assert reporter.has_perm("articles.add_article")
    assert not reporter.has_perm("articles.delete_article")


def test_groups_that_already_have_permissions_are_left_alone(loaded):
    editors = Group.objects.get(name="Editor")
    view_only = Permission.objects.get(codename="view_article")
    editors.permissions.set([view_only])

    load_demo()

    assert list(editors.permissions.all()) == [view_only]


def test_invalid_story_is_refused_with_its_problems(loaded, monkeypatch):
    broken = {**stories_a.STORIES[0], "slug": "broken", "section": "sport", "tags": ["One"]}
    monkeypatch.setattr(demo_content, "all_stories", lambda: [broken])

    with pytest.raises(CommandError) as error:
        load_demo()

    assert "broken: unknown section 'sport'" in str(error.value)
    assert "broken: needs 3–6 tags, has 1" in str(error.value)
    assert not Article.objects.filter(slug="broken").exists()


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_demo_story_has_its_bookkeeping_queued(settings):
    from django_tasks_db.models import DBTaskResult

    settings.IMAGE_RENDITION_WIDTHS = (480,)
    call_command("load_demo", password="demo-pass-1234!", stdout=StringIO())

    scheduled = Article.objects.get(status=Article.Status.SCHEDULED)
    queued = DBTaskResult.objects.filter(task_path="articles.tasks.publish_scheduled_articles")
    assert [task.run_after for task in queued] == [scheduled.publish_at]
