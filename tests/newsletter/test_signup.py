import re

import pytest
from django.db import IntegrityError
from django.utils import timezone
from django.utils.html import escape

from newsletter.models import ConsentRecord, Subscriber, Terms
from tests.factories import make_article, make_subscriber

pytestmark = pytest.mark.django_db

DONE = "Check your inbox to confirm your subscription"


def test_every_article_ends_with_the_signup_form(client, article, terms):
    html = client.get(article.get_absolute_url()).content.decode()

    assert "Sign up to receive our latest news!" in html
    assert 'action="/newsletter/"' in html
    assert 'type="email" name="email"' in html
    assert 'type="checkbox" name="agree"' in html
    assert 'I agree to the <a href="/terms/">terms</a>.' in html
    assert f'name="next" value="{article.get_absolute_url()}"' in html
    assert html.index('id="signup"') < html.index("</main>")


def test_honeypot_is_hidden_from_people_and_screen_readers(client, article, terms):
    html = client.get(article.get_absolute_url()).content.decode()

    trap = re.search(r'<div class="signup__trap" aria-hidden="true">(.*?)</div>', html, re.S)
    assert trap, "the honeypot wrapper is hidden from assistive technology"
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", trap.group(1)).group(0)
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field


def test_signup_without_javascript_returns_to_the_article_with_the_message(
    client, sign_up, article
):
    response = sign_up("reader@example.com", page=article.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url() + "?signup=done#signup"
    page = client.get(response["Location"]).content.decode()
    assert DONE in page
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_signup_with_javascript_answers_json(sign_up):
    response = sign_up("reader@example.com", json=True)

    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": DONE + "."}


@pytest.mark.parametrize("status", ["pending", "confirmed", "unsubscribed"])
def test_known_address_gets_the_same_answer_as_a_new_one(sign_up, status):
    make_subscriber("known@example.com", status=status)

    new = sign_up("new@example.com", json=True)
    known = sign_up("known@example.com", json=True)

    assert known.status_code == new.status_code == 200
    assert known.json() == new.json()


def test_errors_show_next_to_their_fields_and_keep_the_email(sign_up):
    response = sign_up("not-an-address", agree=False)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="not-an-address"' in html
    assert "Enter a valid email address, like name@example.com." in html
    assert "Tick the box to agree to the terms before signing up." in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="signup-email-error"' in html
    assert 'role="status"' in html
    assert "<title>Error: Newsletter" in html  # the first thing a screen reader reads
    assert Subscriber.objects.count() == 0


def test_missing_terms_box_is_refused_as_json(sign_up):
    response = sign_up("reader@example.com", agree=False, json=True)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "agree": ["Tick the box to agree to the terms before signing up."]
    }
    assert Subscriber.objects.count() == 0


def test_overlong_address_is_refused(sign_up):
    response = sign_up("a" * 250 + "@example.com", json=True)

    assert response.status_code == 400
    assert "too long" in response.json()["errors"]["email"][0]


def test_filled_honeypot_is_refused(sign_up):
    response = sign_up("bot@example.com", website="http://spam.example", json=True)

    assert response.status_code == 400
    assert "website" in response.json()["errors"]
    assert Subscriber.objects.count() == 0


def test_filled_honeypot_error_is_visible_without_javascript(sign_up):
    html = sign_up("bot@example.com", website="http://spam.example").content.decode()

    assert escape("This submission looks automated") in html


def test_email_is_normalised_and_unique_whatever_its_case(sign_up):
    sign_up("  Reader.Name@Example.COM ")
    sign_up("reader.name@example.com")

    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Reader.Name@example.com"


def test_database_refuses_a_second_row_differing_only_in_case(terms):
    Subscriber.objects.create(email="reader@example.com")

    with pytest.raises(IntegrityError):
        Subscriber.objects.create(email="READER@example.com")


def test_consent_records_when_terms_page_and_client_network(sign_up, article, terms, clock):
    sign_up(page=article.get_absolute_url(), source="article", REMOTE_ADDR="198.51.100.77")

    consent = ConsentRecord.objects.get()
    assert consent.given_at == timezone.now()
    assert consent.terms == terms
    assert consent.page_url == article.get_absolute_url()
    assert consent.client_network == "198.51.100.0/24"
    assert consent.confirmed_at is None
    assert Subscriber.objects.get().source == Subscriber.Source.ARTICLE


def test_consent_keeps_only_the_ipv6_network(sign_up):
    sign_up(REMOTE_ADDR="2001:db8:1234:5678::42")

    assert ConsentRecord.objects.get().client_network == "2001:db8:1234::/48"


def test_page_outside_the_site_is_not_trusted(sign_up):
    response = sign_up(page="https://evil.example/phish")

    assert response["Location"] == "/newsletter/?signup=done#signup"
    assert ConsentRecord.objects.get().page_url == ""


def test_newsletter_page_shows_the_form(client, terms):
    html = client.get("/newsletter/").content.decode()

    assert "Sign up to receive our latest news!" in html
    assert 'name="next" value="/newsletter/"' in html


def test_signups_pause_when_no_terms_are_published(client, terms):
    Terms.objects.update(published_at=None)

    response = client.post(
        "/newsletter/",
        {"email": "reader@example.com", "agree": "on"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert "terms are being updated" in response.json()["errors"]["__all__"][0]
    assert Subscriber.objects.count() == 0


def test_the_article_page_form_says_it_is_on_an_article(client, article):
    html = client.get(article.get_absolute_url()).content.decode()

    assert '<input type="hidden" name="source" value="article"' in html


def test_the_newsletter_page_form_says_it_is_the_newsletter_page(client, terms):
    html = client.get("/newsletter/").content.decode()

    assert '<input type="hidden" name="source" value="signup_page"' in html


def test_an_unknown_source_counts_as_other_and_still_signs_up(sign_up):
    sign_up(source="<script>")

    assert Subscriber.objects.get().source == Subscriber.Source.OTHER


def test_a_form_rendered_once_still_returns_to_its_own_page_and_shows_outcomes(client, terms):
    first, second = make_article("River rises"), make_article("Bridge reopens")
    client.get(first.get_absolute_url())  # the empty form of that page is now remembered

    again = client.get(first.get_absolute_url()).content.decode()
    other = client.get(second.get_absolute_url()).content.decode()
    done = client.get(first.get_absolute_url() + "?signup=done").content.decode()

    assert f'name="next" value="{first.get_absolute_url()}"' in again
    assert f'name="next" value="{second.get_absolute_url()}"' in other
    assert DONE not in again and DONE in done
