"""The whole double opt-in through a real SMTP conversation and the real task worker."""

import email
import email.policy
import socket
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from newsletter.models import Subscriber
from tests.newsletter.conftest import link_in


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield mailbox
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_signup_confirm_and_one_click_unsubscribe_over_smtp(
    smtp_server, run_worker, terms, article, settings
):
    reader = Client()
    response = reader.post(
        "/newsletter/",
        {"email": "reader@example.com", "agree": "on", "next": article.get_absolute_url()},
    )
    assert response.status_code == 302
    assert smtp_server.messages == []  # queued, not sent inside the request

    run_worker()

    (message,) = smtp_server.messages
    assert smtp_server.recipients == [["reader@example.com"]]
    assert (
        str(message["Subject"]).strip()
        == f"Confirm your newsletter subscription – {settings.SITE_NAME}"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert link_in(text, "confirm") == link_in(html, "confirm")

    page = reader.get(link_in(text, "confirm"))
    assert page.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    page = reader.post(link_in(text, "confirm"))
    assert page.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED

    one_click_url = str(message["List-Unsubscribe"]).strip().strip("<>")
    mail_provider = Client(enforce_csrf_checks=True)
    response = mail_provider.post(
        urlsplit(one_click_url).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
