"""A signup does the same work on the request path whatever state its address is in, so the
response time cannot tell an attacker whether an address is already subscribed (the probe
measured 6.4 ms for a new address against 3.7 ms for a confirmed one)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.models import SignupRequest, Subscriber
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db

DUMMY_QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def shape(sql: str) -> str:
    """The statement without its values."""
    return re.sub(r"'[^']*'|\b\d+(\.\d+)?\b|\"s\d+_x\d+\"", "?", sql)


@pytest.fixture
def request_path_sql(client, terms, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DUMMY_QUEUE

    def post(email: str, address: str) -> list[str]:
        data = {"email": email, "agree": "on", "website": "", "next": "/newsletter/"}
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post("/newsletter/", data, REMOTE_ADDR=address)
        assert response.status_code == 302
        return [shape(query["sql"]) for query in queries.captured_queries]

    return post


def test_signup_request_path_is_the_same_for_new_pending_confirmed_and_unsubscribed(
    request_path_sql,
):
    for status in ("pending", "confirmed", "unsubscribed"):
        make_subscriber(f"{status}@example.com", status=status)

    new = request_path_sql("new@example.com", "198.51.100.1")
    pending = request_path_sql("pending@example.com", "198.51.100.2")
    confirmed = request_path_sql("confirmed@example.com", "198.51.100.3")
    unsubscribed = request_path_sql("unsubscribed@example.com", "198.51.100.4")

    assert new == pending == confirmed == unsubscribed
    assert not any("newsletter_subscriber" in sql for sql in new)
    assert SignupRequest.objects.count() == 4


def test_the_worker_decides_what_a_confirmed_address_gets(sign_up, mailoutbox):
    make_subscriber("confirmed@example.com", status=Subscriber.Status.CONFIRMED)

    sign_up("confirmed@example.com")

    assert mailoutbox == []
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED
    assert not SignupRequest.objects.exists()
