from datetime import timedelta

import pytest

from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.NEWSLETTER_RATE_LIMIT_PER_CLIENT = 3
    settings.NEWSLETTER_RATE_LIMIT_CLIENT_WINDOW = 600
    settings.NEWSLETTER_RATE_LIMIT_PER_EMAIL = 2
    settings.NEWSLETTER_RATE_LIMIT_EMAIL_WINDOW = 3600


def test_client_over_its_limit_gets_a_clear_429_page(sign_up):
    for number in range(3):
        assert sign_up(f"reader{number}@example.com").status_code == 302

    response = sign_up("reader9@example.com")

    assert response.status_code == 429
    assert "Too many sign-up attempts" in response.content.decode()
    assert response["Retry-After"] == "600"
    assert not Subscriber.objects.filter(email="reader9@example.com").exists()


def test_limited_client_gets_429_json_from_the_script(sign_up):
    for number in range(3):
        sign_up(f"reader{number}@example.com", json=True)

    response = sign_up("reader9@example.com", json=True)

    assert response.status_code == 429
    assert response.json()["ok"] is False
    assert "Too many sign-up attempts" in response.json()["message"]


def test_invalid_posts_count_against_the_client_too(sign_up):
    for _ in range(3):
        sign_up("nonsense")

    assert sign_up("reader@example.com").status_code == 429


def test_other_clients_are_not_limited(sign_up):
    for number in range(4):
        sign_up(f"reader{number}@example.com", REMOTE_ADDR="198.51.100.1")

    assert sign_up("someone@example.com", REMOTE_ADDR="198.51.100.2").status_code == 302


def test_one_address_is_limited_across_clients(sign_up):
    sign_up("target@example.com", REMOTE_ADDR="198.51.100.1")
    sign_up("TARGET@example.com", REMOTE_ADDR="198.51.100.2")

    response = sign_up("target@example.com", REMOTE_ADDR="198.51.100.3")

    assert response.status_code == 429
    assert "Too many sign-up attempts" in response.content.decode()
    assert response["Retry-After"] == "3600"  # the address's window, not the client's


def test_limit_lifts_when_the_window_passes(sign_up, clock):
    for number in range(4):
        sign_up(f"reader{number}@example.com")

    clock.shift(timedelta(seconds=601))

    assert sign_up("later@example.com").status_code == 302


def test_trusted_proxy_header_names_the_client(sign_up, settings):
    settings.NEWSLETTER_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    for number in range(3):
        sign_up(f"reader{number}@example.com", HTTP_X_REAL_IP="203.0.113.5")

    assert sign_up("other@example.com", HTTP_X_REAL_IP="203.0.113.6").status_code == 302
    assert sign_up("more@example.com", HTTP_X_REAL_IP="203.0.113.5").status_code == 429
