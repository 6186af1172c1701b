"""The newsletter's emails. Every one carries an unsubscribe link and RFC 8058 headers."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Subscriber


def unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe with an https URL, and RFC 8058 one-click: mail providers
    POST `List-Unsubscribe=One-Click` to that URL and expect it to take effect at once."""
    return {
        "List-Unsubscribe": f"<{subscriber.unsubscribe_url()}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    """The double opt-in email, in the site's language: it is built by a worker, and a reader
    gets the language the site speaks to them."""
    with translation.override(settings.LANGUAGE_CODE):
        return _confirmation_message(subscriber)


def _confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "confirm_url": subscriber.confirmation_url(),
        "unsubscribe_url": subscriber.unsubscribe_url(),
        "max_age_days": settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS,
    }
    subject = render_to_string("newsletter/email/confirmation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("newsletter/email/confirmation.txt", context),
        to=[subscriber.email],
        headers=unsubscribe_headers(subscriber),
    )
    message.attach_alternative(
        render_to_string("newsletter/email/confirmation.html", context), "text/html"
    )
    return message
