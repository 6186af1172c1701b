import csv
import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.http import StreamingHttpResponse
from django.utils import timezone

from newsletter.models import ConsentRecord, ErasureLog, Subscriber
from tests.factories import change_form_data, make_subscriber, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/newsletter/subscriber/"
EXPORT = "/admin/newsletter/subscriber/export/"


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="newsletter", codename__in=codenames)
    )


@pytest.fixture
def staff(client, terms):
    user = make_user("newsdesk")
    grant(user, "view_subscriber", "change_subscriber", "delete_subscriber", "export_subscriber")
    client.force_login(user)
    return user


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_changelist_shows_counts_per_status(client, staff):
    make_subscriber(status="pending")
    make_subscriber(status="confirmed")
    make_subscriber(status="confirmed")

    html = client.get(CHANGELIST).content.decode()

    assert "<strong>Pending confirmation:</strong> 1" in html
    assert "<strong>Confirmed:</strong> 2" in html
    assert "<strong>Unsubscribed:</strong> 0" in html
    assert "<strong>Total:</strong> 3" in html


def test_changelist_filters_by_status_and_source_and_searches(client, staff):
    make_subscriber("kept@example.com", status="confirmed")
    make_subscriber("other@example.com", status="pending")

    by_status = client.get(CHANGELIST, {"status__exact": "confirmed"}).content.decode()
    by_search = client.get(CHANGELIST, {"q": "other@"}).content.decode()
    by_source = client.get(CHANGELIST, {"source__exact": "article"}).content.decode()

    assert "kept@example.com" in by_status and "other@example.com" not in by_status
    assert "other@example.com" in by_search and "kept@example.com" not in by_search
    assert "kept@example.com" not in by_source
    assert "created_at__gte=" in client.get(CHANGELIST).content.decode()  # the date filter


def test_export_streams_every_subscriber_as_csv(client, staff):
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{number}@example.com", status="confirmed")
        for number in range(3000)
    )

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="subscribers-')
    rows = read_csv(response)
    assert rows[0] == ["email", "status", "source", "signed up", "confirmed", "unsubscribed"]
    assert len(rows) == 3001
    assert {row[0] for row in rows[1:]} == {f"reader{n}@example.com" for n in range(3000)}


def test_export_reads_the_table_in_chunks_not_all_at_once(client, staff, monkeypatch):
    from newsletter.admin import subscribers as newsletter_admin

    monkeypatch.setattr(newsletter_admin, "EXPORT_CHUNK", 100)
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{number}@example.com") for number in range(450)
    )
    response = client.get(EXPORT)
    pieces = list(response.streaming_content)

    assert pieces[0].startswith(b"email,")
    assert [piece.count(b"\n") for piece in pieces[1:]] == [100, 100, 100, 100, 50]


def test_export_keeps_the_changelist_filters(client, staff):
    make_subscriber("kept@example.com", status="confirmed")
    make_subscriber("other@example.com", status="pending")

    rows = read_csv(client.get(EXPORT, {"status__exact": "confirmed"}))

    assert [row[0] for row in rows[1:]] == ["kept@example.com"]


@pytest.mark.parametrize("address", ["=cmd|'/c calc'!A0@example.com", "-news@example.com"])
def test_export_quotes_formula_like_addresses_without_changing_them(client, staff, address):
    make_subscriber(address)

    response = client.get(EXPORT)
    body = b"".join(response.streaming_content).decode()

    assert list(csv.reader(io.StringIO(body)))[1][0] == address
    assert f'\r\n"{address}",' in body


def test_newsletter_manager_group_sees_and_exports_subscribers_without_being_superuser(
    client, terms
):
    from django.contrib.auth.models import Group

    manager = make_user("nadia")
    manager.groups.add(Group.objects.get(name="Newsletter manager"))
    client.force_login(manager)
    make_subscriber("kept@example.com")

    listing = client.get(CHANGELIST)
    rows = read_csv(client.get(EXPORT))

    assert manager.is_superuser is False
    assert "kept@example.com" in listing.content.decode()
    assert "Export CSV" in listing.content.decode()
    assert [row[0] for row in rows[1:]] == ["kept@example.com"]
    assert client.get("/admin/newsletter/edition/").status_code == 403


def test_resend_confirmation_to_pending_subscribers_within_the_limit(
    client, staff, django_capture_on_commit_callbacks, mailoutbox
):
    pending = make_subscriber("waiting@example.com")
    confirmed = make_subscriber("done@example.com", status="confirmed")
    data = {"action": "resend_confirmation", "_selected_action": [pending.pk, confirmed.pk]}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(CHANGELIST, data, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(CHANGELIST, data, follow=True)

    assert [message.to for message in mailoutbox] == [["waiting@example.com"]]
    assert "queued for 1" in first.content.decode()
    assert "skipped" in first.content.decode()
    assert "try again later" in again.content.decode()


def test_export_needs_the_export_permission(client, terms):
    viewer = make_user("viewer")
    grant(viewer, "view_subscriber")
    client.force_login(viewer)

    assert client.get(EXPORT).status_code == 403
    assert "Export CSV" not in client.get(CHANGELIST).content.decode()


def test_export_is_refused_to_the_public(client, terms):
    response = client.get(EXPORT)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_erase_action_asks_first_then_erases_subscriber_and_consents(client, staff):
    subscriber = make_subscriber("gone@example.com", status="confirmed")
    kept = make_subscriber("kept@example.com")
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[subscriber], action_flag=CHANGE, change_message="Changed"
    )
    data = {"action": "erase_selected", "_selected_action": [subscriber.pk]}

    confirm_page = client.post(CHANGELIST, data)
    assert confirm_page.status_code == 200
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()

    response = client.post(CHANGELIST, {**data, "post": "yes"})

    assert response.status_code == 302
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not ConsentRecord.objects.filter(subscriber_id=subscriber.pk).exists()
    assert Subscriber.objects.filter(pk=kept.pk).exists()
    erasure = ErasureLog.objects.get()
    assert (erasure.subscriber_number, erasure.consent_records) == (subscriber.pk, 1)
    assert erasure.erased_by == staff


def test_erasure_leaves_no_trace_of_the_address(client, staff):
    subscriber = make_subscriber("gone@example.com")
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[subscriber], action_flag=CHANGE, change_message="Changed"
    )

    client.post(
        CHANGELIST,
        {"action": "erase_selected", "_selected_action": [subscriber.pk], "post": "yes"},
    )

    assert "gone@" not in str(list(ErasureLog.objects.values()))
    subscriber_type = ContentType.objects.get_for_model(Subscriber)
    reprs = LogEntry.objects.filter(content_type=subscriber_type).values_list(
        "object_repr", flat=True
    )
    assert reprs and all("gone@" not in text for text in reprs)


def test_erase_from_the_change_form_delete_button_is_audited(client, staff):
    subscriber = make_subscriber("gone@example.com")

    client.post(f"{CHANGELIST}{subscriber.pk}/delete/", {"post": "yes"})

    assert not Subscriber.objects.exists()
    assert ErasureLog.objects.get().subscriber_number == subscriber.pk


def test_erase_needs_the_delete_permission(client, terms):
    clerk = make_user("clerk")
    grant(clerk, "view_subscriber", "change_subscriber")
    client.force_login(clerk)
    subscriber = make_subscriber()

    client.post(
        CHANGELIST,
        {"action": "erase_selected", "_selected_action": [subscriber.pk], "post": "yes"},
    )

    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not ErasureLog.objects.exists()


def test_changelist_query_count_does_not_grow_with_rows(
    client, staff, django_assert_max_num_queries
):
    for _ in range(30):
        make_subscriber()

    with django_assert_max_num_queries(12):
        client.get(CHANGELIST)


# Terms: versioned, edited in the admin, frozen once someone agreed to them.


@pytest.fixture
def legal(client, terms):
    user = make_user("legal")
    grant(user, "view_terms", "add_terms", "change_terms")
    client.force_login(user)
    return user


def test_new_terms_version_published_in_the_admin_is_shown_and_agreed_to(
    client, legal, sign_up, clock
):
    clock.shift(60)  # published after the fixture's version, even to the second
    now = timezone.localtime()
    response = client.post(
        "/admin/newsletter/terms/add/",
        {
            "version": "2026-1",
            "body": "We now also send a weekend edition.",
            "published_at_0": now.strftime("%Y-%m-%d"),
            "published_at_1": now.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302
    assert "We now also send a weekend edition." in client.get("/terms/").content.decode()
    sign_up("reader@example.com")
    assert ConsentRecord.objects.get().terms.version == "2026-1"


def test_terms_someone_agreed_to_cannot_be_edited(client, legal, terms):
    make_subscriber()
    url = f"/admin/newsletter/terms/{terms.pk}/change/"
    form = client.get(url)

    client.post(url, change_form_data(form, body="Quietly rewritten.", version="x"))

    terms.refresh_from_db()
    assert terms.body != "Quietly rewritten." and terms.version != "x"


def test_change_form_query_count_does_not_grow_with_consent_records(
    client, staff, terms, django_assert_max_num_queries
):
    grant(staff, "view_consentrecord")
    subscriber = make_subscriber()
    for _ in range(20):
        ConsentRecord.objects.create(subscriber=subscriber, terms=terms)

    with django_assert_max_num_queries(8):
        response = client.get(f"{CHANGELIST}{subscriber.pk}/change/")

    assert response.status_code == 200
    assert response.content.decode().count(str(terms)) >= 21
