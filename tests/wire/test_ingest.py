"""Items into wire drafts: created once, updated while untouched, kept beside an edited
draft, killed with editors alerted; bad items refused whole."""

import datetime
import json

import pytest
from django.core import mail
from django.utils import timezone

from articles import revisions, workflow
from articles.models import Article, Image, Revision
from tests.factories import image_bytes, make_article
from tests.wire.conftest import fixture_bytes, zipped
from wire.ingest import ingest
from wire.models import WireItem, WireVersion

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
Status = Article.Status


def ninjs_version(version: int, body: str = "<p>First text.</p>", status: str = "usable") -> bytes:
    item = {
        "uri": "urn:x:1",
        "version": str(version),
        "pubstatus": status,
        "copyrightholder": "AP",
        "headline": "Storm hits coast",
        "body_html": body,
    }
    return json.dumps(item).encode()


def test_ninjs_item_becomes_a_wire_draft(section, editor):
    outcome = ingest(fixture_bytes("ninjs2.json"), name="ninjs2.json", by=editor)
    assert outcome.result == "created"
    article = outcome.item.article
    assert article.status == Status.DRAFT
    assert article.headline == "Harbour flood barrier fails its first storm test"
    assert article.credit_line == "Example Agency"
    assert article.embargo_until is not None
    assert article.section == section
    assert article.created_by == editor
    assert [a.user for a in article.byline_authors] == [editor]
    assert sorted(article.tags.names()) == ["Flooding", "Infrastructure", "harbour"]
    item = outcome.item
    assert (item.source, item.format, item.applied_version.version) == (
        "Example Agency",
        "ninjs 2",
        2,
    )
    assert item.applied_version.original == fixture_bytes("ninjs2.json").decode()
    assert Revision.objects.filter(article=article).count() == 1


@pytest.mark.parametrize(
    "name", ["ninjs3.json", "newsml_nitf.xml", "newsml_xhtml.xml", "pasted_email.txt"]
)
def test_every_format_becomes_a_draft(section, name):
    outcome = ingest(fixture_bytes(name), name=name, source="Island Times" if "txt" in name else "")
    assert outcome.result == "created", outcome.reason
    assert outcome.item.article.body.startswith("<p>")


def test_same_item_and_version_again_changes_nothing(section):
    first = ingest(fixture_bytes("ninjs2.json"), name="a.json")
    version = first.item.article.version
    again = ingest(fixture_bytes("ninjs2.json"), name="b.json")
    assert again.result == "unchanged"
    assert Article.objects.count() == 1 and WireVersion.objects.count() == 1
    assert Article.objects.get().version == version


def test_higher_version_updates_an_untouched_draft(section):
    ingest(ninjs_version(1), name="v1.json")
    outcome = ingest(ninjs_version(2, "<p>Second text.</p>"), name="v2.json")
    assert outcome.result == "updated"
    article = Article.objects.get()
    assert article.body == "<p>Second text.</p>"
    item = WireItem.objects.get()
    assert item.applied_version.version == 2
    assert item.is_untouched and item.waiting_version() is None
    # and it stays untouched for the version after
    ingest(ninjs_version(3, "<p>Third text.</p>"), name="v3.json")
    assert Article.objects.get().body == "<p>Third text.</p>"


def test_older_version_after_a_newer_one_changes_nothing(section):
    ingest(ninjs_version(2, "<p>Second text.</p>"), name="v2.json")
    outcome = ingest(ninjs_version(1), name="v1.json")
    assert outcome.result == "unchanged" and "older" in outcome.reason
    assert Article.objects.get().body == "<p>Second text.</p>"


def test_higher_version_waits_beside_an_edited_draft(section, editor):
    ingest(ninjs_version(1, "<p>First text.</p><p>Second para.</p>"), name="v1.json")
    article = Article.objects.get()
    # The editor rewrites it (as the admin's save does: claim the version, save).
    article.body = "<p>First text, rewritten locally.</p><p>Second para.</p>"
    revisions.claim_version(article, article.version)
    article.save()
    outcome = ingest(
        ninjs_version(2, "<p>First text.</p><p>Second para, corrected.</p>"), name="v2.json"
    )
    assert outcome.result == "updated" and "waits" in outcome.reason
    assert Article.objects.get().body == "<p>First text, rewritten locally.</p><p>Second para.</p>"
    item = WireItem.objects.get()
    waiting = item.waiting_version()
    assert waiting.version == 2
    changes = item.changes_since_start()
    assert [c.kind for c in changes] == ["same", "changed"]
    assert "<ins>" in changes[1].html and "corrected" in changes[1].html


def test_kill_of_a_draft_marks_the_item(section):
    ingest(ninjs_version(1), name="v1.json")
    outcome = ingest(ninjs_version(2, status="canceled"), name="kill.json")
    assert outcome.result == "killed"
    assert WireItem.objects.killed().count() == 1
    assert Article.objects.get().body == "<p>First text.</p>"


def test_kill_holds_the_story_from_publication(section, editor):
    ingest(ninjs_version(1), name="v1.json")
    ingest(ninjs_version(2, status="canceled"), name="kill.json")
    article = Article.objects.get()
    assert "killed this story" in article.publication_hold
    with pytest.raises(workflow.InvalidTransition, match="held from publication"):
        workflow.publish(article, by=editor)
    assert Article.objects.get().status == Status.DRAFT


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _live_story(editor):
    outcome = ingest(fixture_bytes("newsml_nitf.xml"), name="fares.xml")
    article = outcome.item.article
    Article.objects.filter(pk=article.pk).update(embargo_until=None)
    article.refresh_from_db()
    workflow.publish(article, by=editor)
    return article


def test_kill_of_a_live_story_alerts_editors_at_once(
    section, editor, immediate_tasks, settings, django_capture_on_commit_callbacks
):
    settings.WIRE_KILL_ACTION = "alert"
    article = _live_story(editor)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest(fixture_bytes("newsml_kill.xml"), name="kill.xml")
    assert outcome.result == "killed" and "still live" in outcome.reason
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED
    kill_mails = [m for m in mail.outbox if m.subject.startswith("KILL")]
    assert [m.to for m in kill_mails] == [[editor.email]]
    assert "Agency Example killed this story" in kill_mails[0].body


def test_kill_of_a_live_story_unpublishes_when_set_to(
    section, editor, immediate_tasks, settings, django_capture_on_commit_callbacks
):
    settings.WIRE_KILL_ACTION = "unpublish"
    article = _live_story(editor)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest(fixture_bytes("newsml_kill.xml"), name="kill.xml", by=editor)
    assert "unpublished automatically" in outcome.reason
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    with pytest.raises(workflow.InvalidTransition, match="held from publication"):
        workflow.publish(article, by=editor)
    assert any(m.subject.startswith("KILL") for m in mail.outbox)


def test_kill_without_a_user_to_unpublish_still_alerts(
    section, editor, immediate_tasks, settings, django_capture_on_commit_callbacks
):
    settings.WIRE_KILL_ACTION = "unpublish"
    article = _live_story(editor)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest(fixture_bytes("newsml_kill.xml"), name="kill.xml")
    assert "could not be taken down automatically" in outcome.reason
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED
    assert any(m.subject.startswith("KILL") for m in mail.outbox)


def test_kill_for_an_unknown_item_is_refused(section):
    outcome = ingest(fixture_bytes("newsml_kill.xml"), name="kill.xml")
    assert outcome.refused and "never received" in outcome.reason


def test_picture_that_came_in_the_zip_becomes_the_hero_image(section):
    data = zipped({"story.json": fixture_bytes("ninjs2.json"), "barrier.jpg": image_bytes()})
    outcome = ingest(data, name="story.zip")
    assert outcome.result == "created", outcome.reason
    hero = outcome.item.article.hero_image
    assert hero.alt_text == "Sea water pours over the harbour wall at high tide"
    assert hero.credit == "Jo Park / Example Agency"


def test_picture_not_sent_is_left_out(section):
    outcome = ingest(fixture_bytes("ninjs2.json"), name="story.json")
    assert outcome.result == "created" and outcome.item.article.hero_image is None


def test_bad_picture_refuses_the_whole_item(section):
    data = zipped({"story.json": fixture_bytes("ninjs2.json"), "barrier.jpg": b"<svg></svg>"})
    outcome = ingest(data, name="story.zip")
    assert outcome.refused
    assert outcome.reason.startswith("Picture barrier.jpg:")
    assert not Article.objects.exists() and not Image.objects.exists()
    assert not WireItem.objects.exists()


def test_fifty_megabytes_is_refused_unread(section):
    outcome = ingest(b"{" + b" " * (50 * 1024 * 1024) + b"}", name="huge.json")
    assert outcome.refused and "at most" in outcome.reason


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("billion_laughs.xml", "DTD or entities"),
        ("external_entity.xml", "DTD or entities"),
        ("malformed.xml", "malformed"),
        ("malformed.json", "malformed"),
    ],
)
def test_hostile_and_broken_files_are_refused(section, name, reason):
    outcome = ingest(fixture_bytes(name), name=name)
    assert outcome.refused and reason in outcome.reason
    assert not Article.objects.exists()


def test_unknown_format_is_refused(section):
    outcome = ingest(b"\x89PNG...", name="photo.png")
    assert outcome.refused and "Unknown format" in outcome.reason


def test_no_section_refuses_with_a_reason(db):
    outcome = ingest(fixture_bytes("ninjs2.json"), name="a.json")
    assert outcome.refused and "no section" in outcome.reason
    assert not WireItem.objects.exists()


def test_embargo_from_the_wire_binds_the_draft(section, editor, clock):
    clock.move_to("2026-11-29T18:00:00Z")  # before the fixture's embargo, whatever today is
    outcome = ingest(fixture_bytes("ninjs3.json"), name="a.json")
    article = outcome.item.article
    assert article.embargo_until > timezone.now()
    with pytest.raises(workflow.InvalidTransition, match="embargoed"):
        workflow.publish(article, by=editor)


def test_kill_of_a_scheduled_story_unschedules_it_and_alerts(
    section, editor, immediate_tasks, settings, django_capture_on_commit_callbacks
):
    settings.WIRE_KILL_ACTION = "unpublish"
    article = ingest(fixture_bytes("newsml_nitf.xml"), name="fares.xml").item.article
    workflow.schedule(article, by=editor, at=max(article.embargo_until, timezone.now()) + HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest(fixture_bytes("newsml_kill.xml"), name="kill.xml", by=editor)
    assert "unscheduled automatically" in outcome.reason
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    assert any(m.subject.startswith("KILL") for m in mail.outbox)


def test_kill_of_a_scheduled_story_already_due_unschedules_it(
    section, editor, immediate_tasks, settings, django_capture_on_commit_callbacks, clock
):
    settings.WIRE_KILL_ACTION = "unpublish"
    article = ingest(ninjs_version(1), name="v1.json").item.article
    workflow.schedule(article, by=editor, at=timezone.now() + HOUR)
    clock.shift(2 * 3600)  # due and live, before publish_due has flipped it to published
    assert Article.objects.live().filter(pk=article.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest(ninjs_version(2, status="canceled"), name="kill.json", by=editor)
    assert "unscheduled automatically" in outcome.reason
    assert not Article.objects.live().filter(pk=article.pk).exists()


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"urgency": -1}, "urgency must be from 0 to 9"),
        ({"urgency": 10**30}, "urgency must be from 0 to 9"),
        ({"version": str(10**30)}, "is too large"),
        ({"uri": "urn:x:" + "1" * 300}, "item id is longer than 255"),
        ({"copyrightholder": "A" * 200}, "source name is longer than 120"),
    ],
)
def test_values_the_database_cannot_hold_are_refused_with_a_reason(section, change, reason):
    item = {**json.loads(ninjs_version(1)), **change}
    outcome = ingest(json.dumps(item).encode(), name="odd.json")
    assert outcome.refused and reason in outcome.reason
    assert not WireItem.objects.exists()


def test_pasted_text_that_starts_like_markup_is_read_as_text(section, editor):
    pasted = b"<<Exclusive>> The harbour barrier failed.\n\nEngineers blame the pumps."
    outcome = ingest(
        pasted, name="pasted text.txt", by=editor, source="Reuters", headline="Barrier fails"
    )
    assert outcome.result == "created"
    assert "Engineers blame the pumps." in outcome.item.article.body


def test_wire_subjects_reuse_a_tag_in_any_letter_case(section):
    make_article(tags=["Politics"])
    item = {**json.loads(ninjs_version(1)), "subject": [{"name": "politics"}]}
    article = ingest(json.dumps(item).encode(), name="tagged.json").item.article
    assert list(article.tags.names()) == ["Politics"]
