"""Two-factor staff sign-in (django-otp): required for Editors and superusers when
STAFF_TWO_FACTOR_REQUIRED is on; an authenticator app's code or a single-use recovery code."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_editor, make_reporter

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def required(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def sign_in(client: Client, username: str, code: str = ""):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": PASSWORD, "otp_token": code},
    )


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="App", confirmed=True)


def test_an_editor_without_a_device_is_sent_to_set_one_up(client, required):
    editor = make_editor()
    assert sign_in(client, editor.username).status_code == 302

    response = client.get("/admin/articles/article/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/two-factor/"
    page = client.get("/admin/two-factor/").content.decode()
    assert "<svg" in page and "Your role needs two-factor sign-in" in page


def test_setting_up_with_the_apps_code_turns_it_on_and_shows_recovery_codes(client, required):
    editor = make_editor()
    sign_in(client, editor.username)
    client.get("/admin/two-factor/")
    device = TOTPDevice.objects.get(user=editor, confirmed=False)

    response = client.post("/admin/two-factor/", {"otp_token": code_for(device)})

    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=editor).count() == 10
    assert "Your recovery codes" in response.content.decode()
    assert client.get("/admin/articles/article/").status_code == 200


def test_a_wrong_code_does_not_turn_it_on(client, required):
    editor = make_editor()
    sign_in(client, editor.username)
    client.get("/admin/two-factor/")

    response = client.post("/admin/two-factor/", {"otp_token": "000000"})

    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_with_a_device_the_password_alone_is_not_enough(client):
    editor = make_editor()
    enrolled(editor)

    response = sign_in(client, editor.username)

    assert response.status_code == 200
    assert "Enter the code from your authenticator app" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_with_a_device_the_right_code_signs_in_and_a_wrong_one_is_refused(client, settings):
    editor = make_editor()
    device = enrolled(editor)

    refused = sign_in(client, editor.username, "123456" if code_for(device) != "123456" else "1")
    assert "That code is not right" in refused.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()

    assert sign_in(client, editor.username, code_for(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_count_towards_the_sign_in_lockout(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    editor = make_editor()
    device = enrolled(editor)
    for _ in range(3):
        sign_in(client, editor.username, "000000")

    assert sign_in(client, editor.username, code_for(device)).status_code == 429


def test_a_recovery_code_signs_in_once(client, required):
    editor = make_editor()
    sign_in(client, editor.username)
    client.get("/admin/two-factor/")
    device = TOTPDevice.objects.get(user=editor)
    client.post("/admin/two-factor/", {"otp_token": code_for(device)})
    recovery = StaticToken.objects.filter(device__user=editor).first().token
    client.logout()

    assert sign_in(client, editor.username, recovery).status_code == 302
    client.logout()
    assert sign_in(client, editor.username, recovery).status_code == 200


def test_a_session_signed_in_without_the_device_is_signed_out(client, required):
    editor = make_editor()
    client.force_login(editor)
    enrolled(editor)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session


def test_reporters_are_not_required_to_use_two_factors(client, required):
    reporter = make_reporter()
    sign_in(client, reporter.username)
    assert client.get("/admin/").status_code == 200


def test_with_the_setting_off_editors_sign_in_with_a_password(client):
    editor = make_editor()
    sign_in(client, editor.username)
    assert client.get("/admin/").status_code == 200
