"""Provider webhooks (django-anymail) suppress subscribers: payloads shaped like the
providers' own documentation examples, authenticated as anymail documents."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from newsletter.models import Subscriber, Suppression
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db

SECRET = "hook-user:correct-horse-battery"
MAILGUN_KEY = "mailgun-signing-key-for-tests"


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


@pytest.fixture
def reader(terms):
    return make_subscriber("Jane.Reader@example.com", status=Subscriber.Status.CONFIRMED)


def basic_auth(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def postmark(record_type: str, bounce_type: str, email: str) -> dict:
    """Postmark's bounce / spam complaint webhook body (developer docs' example)."""
    return {
        "RecordType": record_type,
        "MessageStream": "broadcast",
        "ID": 4323372036854775807,
        "Type": bounce_type,
        "TypeCode": 1 if bounce_type == "HardBounce" else 512,
        "Name": "Hard bounce" if bounce_type == "HardBounce" else "Spam complaint",
        "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ServerID": 23,
        "Description": "The server was unable to deliver your message "
        "(ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "briefing@news.example",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "The Daily Briefing",
        "Metadata": {},
    }


def post_postmark(body: dict, **auth):
    return Client(enforce_csrf_checks=True).post(
        "/newsletter/webhooks/postmark/tracking/",
        json.dumps(body),
        content_type="application/json",
        **auth,
    )


def test_postmark_hard_bounce_suppresses_the_subscriber_and_keeps_the_answer(reader):
    response = post_postmark(
        postmark("Bounce", "HardBounce", "jane.reader@example.com"), **basic_auth()
    )

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED
    suppression = reader.suppressions.get()
    assert suppression.reason == Suppression.Reason.BOUNCED
    assert suppression.source == "webhook:postmark"
    assert "550 5.1.1" in suppression.detail


def test_postmark_spam_complaint_suppresses_as_complained(reader):
    post_postmark(postmark("SpamComplaint", "SpamComplaint", reader.email), **basic_auth())

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.COMPLAINED


def test_postmark_soft_bounce_does_not_suppress(reader):
    post_postmark(postmark("Bounce", "SoftBounce", reader.email), **basic_auth())

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


def test_webhook_without_the_shared_secret_is_refused_and_changes_nothing(reader):
    response = post_postmark(postmark("Bounce", "HardBounce", reader.email))
    wrong = post_postmark(
        postmark("Bounce", "HardBounce", reader.email), **basic_auth("hook-user:guess")
    )

    assert response.status_code in (400, 401, 403)
    assert wrong.status_code in (400, 401, 403)
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


def test_the_same_event_delivered_twice_is_recorded_once(reader):
    body = postmark("Bounce", "HardBounce", reader.email)
    post_postmark(body, **basic_auth())
    post_postmark(body, **basic_auth())

    assert reader.suppressions.count() == 1


def mailgun(event: str, email: str, *, key: str = MAILGUN_KEY, severity: str = "permanent"):
    """Mailgun's JSON webhook: a signature block and the event data (docs' example)."""
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    data = {
        "event": event,
        "id": "G9Bn5sl1TC6nu79C8C0bwg",
        "timestamp": float(timestamp),
        "recipient": email,
        "log-level": "error" if event == "failed" else "warn",
        "message": {"headers": {"message-id": "20261105163354.1.ABC@news.example"}},
        "tags": [],
        "user-variables": {},
    }
    if event == "failed":
        data |= {
            "severity": severity,
            "reason": "bounce",
            "delivery-status": {
                "code": 550,
                "message": "5.1.1 The email account that you tried to reach does not exist.",
                "description": "",
                "attempt-no": 1,
            },
        }
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": data,
    }


def post_mailgun(body: dict, **auth):
    return Client().post(
        "/newsletter/webhooks/mailgun/tracking/",
        json.dumps(body),
        content_type="application/json",
        **auth,
    )


def test_mailgun_permanent_failure_suppresses(reader):
    response = post_mailgun(mailgun("failed", reader.email), **basic_auth())

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED
    assert "does not exist" in reader.suppressions.get().detail


def test_mailgun_unsubscribe_at_the_provider_unsubscribes(reader):
    post_mailgun(mailgun("unsubscribed", reader.email), **basic_auth())

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED


def test_mailgun_event_with_a_forged_signature_is_refused(reader):
    response = post_mailgun(mailgun("complained", reader.email, key="not-the-key"), **basic_auth())

    assert response.status_code in (400, 403)
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


def test_unknown_address_is_ignored(reader):
    response = post_mailgun(mailgun("complained", "stranger@example.com"), **basic_auth())

    assert response.status_code == 200
    assert Suppression.objects.count() == 0
