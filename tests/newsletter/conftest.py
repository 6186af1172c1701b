import re
import signal

import pytest
from django.core.management import call_command

from tests.factories import make_article

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Run tasks inline, inside the request, instead of queueing them for the worker."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def run_worker(settings):
    """Run `manage.py db_worker --batch`: process everything due, then exit."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    yield run
    for sig, handler in handlers.items():  # the worker installs its own shutdown handlers
        signal.signal(sig, handler)


@pytest.fixture
def article(db):
    return make_article("Flood barrier opens on the river")


@pytest.fixture
def sign_up(client, terms, django_capture_on_commit_callbacks):
    """Post the signup form like a reader's browser; emails go out inline (on commit)."""

    def post(email="reader@example.com", *, agree=True, page="/newsletter/", json=False, **extra):
        data = {"email": email, "next": page, "website": ""}
        if agree:
            data["agree"] = "on"
        # Upper-case extras are request META (REMOTE_ADDR…), the rest are form fields.
        headers = {key: value for key, value in extra.items() if key.isupper()}
        data.update({key: value for key, value in extra.items() if not key.isupper()})
        if json:
            headers["HTTP_ACCEPT"] = "application/json"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/newsletter/", data, **headers)

    return post


def link_in(text: str, kind: str) -> str:
    """The path of the first /newsletter/<kind>/… link in an email body."""
    match = re.search(rf"https?://[^/\s]+(/newsletter/{kind}/[^/\s\"<>]+/)", text)
    assert match, f"no {kind} link in:\n{text}"
    return match.group(1)
