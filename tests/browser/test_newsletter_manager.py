"""Issue 17, item 10, in a real browser: a newsletter manager who is not a superuser sees the
subscriber list, exports it (an address that looks like a formula comes back unchanged), and
sends a pending subscriber their confirmation again, once within the limit."""

import csv
import io
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail

from newsletter.models import Subscriber, Terms
from tests.factories import make_subscriber, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    import_module("newsletter.migrations.0007_newsletter_roles").create_group(apps, None)
    if Terms.objects.current() is None:
        Terms.objects.create(version="t-1", body="Terms.", published_at="2026-01-01T00:00Z")
    user = make_user("nadia")
    user.groups.add(Group.objects.get(name="Newsletter manager"))
    return user


def test_newsletter_manager_lists_exports_and_resends(browser, live_server, manager):
    make_subscriber("-dash@example.com", status=Subscriber.Status.CONFIRMED)
    waiting = make_subscriber("waiting@example.com")

    page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = page.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "nadia")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")

    page.click("a:has-text('Subscribers')")
    assert page.locator("#result_list").inner_text().count("@example.com") == 2

    with page.expect_download() as download:
        page.click("a:has-text('Export CSV')")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert sorted(row[0] for row in rows[1:]) == ["-dash@example.com", "waiting@example.com"]

    for _ in range(2):  # the second time is within the limit
        page.check(f"input[name=_selected_action][value='{waiting.pk}']")
        page.select_option("select[name=action]", "resend_confirmation")
        page.click("button[name=index]")
        page.wait_for_selector(".messagelist")
    messages = page.locator(".messagelist").inner_text()

    assert "try again later" in messages
    assert [message.to for message in mail.outbox] == [["waiting@example.com"]]
