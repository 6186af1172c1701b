"""An editor sets up two-factor sign-in in the browser, signs out, signs in with the app's
code, and is refused with a wrong one."""

import datetime

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key):06d}"


def sign_in(page, base: str, code: str = "") -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "edna")
    page.fill("#id_password", PASSWORD)
    if code:
        page.fill("#id_otp_token", code)
    page.click("input[type=submit]")


def test_editor_enrols_then_signs_in_with_a_code(browser, live_server, settings, clock, screenshot):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    editor = make_editor("edna")
    page = browser.new_page()

    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/articles/article/")
    page.wait_for_url(f"{live_server.url}/admin/two-factor/")
    assert page.locator(".two-factor__qr svg").is_visible()
    screenshot(page, "two-factor-setup.png")
    device = TOTPDevice.objects.get(user=editor)
    page.fill("#id_otp_token", current_code(device))
    page.click("input[type=submit]")
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    screenshot(page, "two-factor-recovery-codes.png")

    page.click("#logout-form button")
    clock.shift(datetime.timedelta(seconds=31))  # a code is used once; the app shows the next
    sign_in(page, live_server.url, current_code(device))
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#user-tools").inner_text().upper().startswith("WELCOME")

    page.click("#logout-form button")
    clock.shift(datetime.timedelta(seconds=31))
    wrong = "000000" if current_code(device) != "000000" else "111111"
    sign_in(page, live_server.url, wrong)
    assert "That code is not right" in page.locator(".errornote").inner_text()
    assert page.url.startswith(f"{live_server.url}/admin/login/")
    page.close()
