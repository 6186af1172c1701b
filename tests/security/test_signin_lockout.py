"""Password guessing on /admin/login/ is cut off (django-axes): by username and by client."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.factories import make_editor, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def editor(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return make_editor()


def sign_in(client, username: str, password: str, address: str = "198.51.100.9"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_thirty_wrong_passwords_then_the_right_one_is_still_refused(client, editor):
    for _ in range(30):
        sign_in(client, editor.username, "wrong guess")

    response = sign_in(client, editor.username, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_username_is_locked_from_every_address_and_in_any_spelling(client, editor):
    for number in range(5):
        sign_in(client, editor.username, "wrong guess", address=f"198.51.100.{number}")

    response = sign_in(client, editor.username.upper(), PASSWORD, address="203.0.113.50")

    assert response.status_code == 429


def test_the_client_is_locked_for_every_username(client, editor):
    for number in range(5):
        sign_in(client, f"guess{number}", "wrong guess")

    assert sign_in(client, editor.username, PASSWORD).status_code == 429
    assert sign_in(client, editor.username, PASSWORD, address="203.0.113.50").status_code == 302


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, editor):
    for _ in range(4):
        sign_in(client, editor.username, "wrong guess")

    assert sign_in(client, editor.username, PASSWORD).status_code == 302


def test_the_client_address_comes_from_the_trusted_proxy_header(client, editor, settings):
    settings.NEWSLETTER_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "guess", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_REAL_IP="198.51.100.77",
        )

    assert AccessAttempt.objects.get().ip_address == "198.51.100.77"
    other_reader = client.post(
        "/admin/login/?next=/admin/",
        {"username": editor.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_REAL_IP="198.51.100.78",
    )
    assert other_reader.status_code == 302


def test_the_management_command_unlocks_a_username(client, editor):
    for _ in range(5):
        sign_in(client, editor.username, "wrong guess", address="198.51.100.1")

    call_command("axes_reset_username", editor.username)

    assert sign_in(client, editor.username, PASSWORD, address="203.0.113.1").status_code == 302


def test_an_administrator_unlocks_in_the_admin(client, editor):
    for _ in range(5):
        sign_in(client, editor.username, "wrong guess")
    attempt = AccessAttempt.objects.get()
    admin_client = type(client)()
    admin_client.force_login(make_user("root", is_superuser=True))

    admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert not AccessAttempt.objects.exists()
    assert sign_in(client, editor.username, PASSWORD).status_code == 302
