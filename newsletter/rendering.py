"""An edition rendered once, and the per-recipient message built from it.

Rendering an edition through the template engine costs milliseconds; a large list cannot
afford that per recipient. So an edition is rendered once, when sending starts, into HTML and
plain text holding placeholders for the only per-recipient parts (the unsubscribe and manage
links), and `MessageTemplate` turns those into the bytes of each message by substitution.

No open-tracking pixels and no link rewriting: every link points where it says, and the only
images are the articles' own photos.
"""

import binascii
import email.policy
import email.utils
import html
import re
import secrets
from dataclasses import dataclass
from email.header import Header
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.html import strip_tags
from django.utils.text import normalize_newlines
from django.utils.translation import gettext

from articles.models import Article
from articles.sanitizer import sanitize_body

from .models import Edition, Subscriber

# Placeholders in the frozen templates: plain ASCII that neither HTML escaping nor
# quoted-printable encoding alters.
UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%"
MANAGE_URL = "%%MANAGE_URL%%"

EMAIL_HERO_WIDTH = 560
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(p|h[2-4]|li|blockquote)>|<br\s*/?>", re.IGNORECASE)


@dataclass
class Rendered:
    subject: str
    preheader: str
    html: str
    text: str


def one_line(value: str) -> str:
    """Header values never carry line breaks (no header injection)."""
    return " ".join((value or "").split())


def live_items(edition: Edition) -> list:
    """The edition's articles that readers may see now, in the editor's order, each with what
    a story card in an email needs (hero image and its renditions) loaded."""
    live = (
        Article.objects.live()
        .filter(pk__in=edition.items.values("article_id"))
        .select_related("hero_image")
        .prefetch_related("hero_image__renditions")
    )
    by_pk = {article.pk: article for article in live}
    return [
        by_pk[item.article_id]
        for item in edition.items.order_by("position", "pk")
        if item.article_id in by_pk
    ]


def _absolute(url: str) -> str:
    return url if urlsplit(url).scheme else settings.SITE_URL + url


def _hero(article: Article) -> dict | None:
    image = article.hero_image
    rendition = image.fallback_rendition if image is not None else None
    if rendition is None:
        return None
    width = min(EMAIL_HERO_WIDTH, rendition.width)
    return {
        "url": _absolute(rendition.file.url),
        "width": width,
        "height": round(rendition.height * width / rendition.width),
        "alt": image.alt_text,
    }


def intro_html(edition: Edition) -> str:
    """The intro, sanitised like an article body, without images (a remote image in an email
    is how open tracking works)."""
    return _IMG.sub("", sanitize_body(edition.intro))


def intro_text(edition: Edition) -> str:
    text = html.unescape(strip_tags(_BLOCK_END.sub("\n\n", intro_html(edition))))
    paragraphs = [" ".join(part.split()) for part in text.split("\n\n")]
    return "\n\n".join(part for part in paragraphs if part)


def render(edition: Edition, articles: list | None = None) -> Rendered:
    """The edition's HTML and plain text, with per-recipient placeholders, in the site's
    language (subscribers read the site's language, whoever or whatever starts the send)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _render(edition, live_items(edition) if articles is None else articles)


def _render(edition: Edition, articles: list) -> Rendered:
    newsletter = edition.newsletter
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "edition": edition,
        "newsletter": newsletter,
        "subject": one_line(edition.subject),
        "preheader": one_line(edition.preheader),
        "intro_html": intro_html(edition),
        "intro_text": intro_text(edition),
        "stories": [
            {
                "headline": article.headline,
                "standfirst": article.standfirst,
                "url": _absolute(article.get_absolute_url()),
                "hero": _hero(article),
            }
            for article in articles
        ],
        "web_url": settings.SITE_URL + edition.get_absolute_url(),
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "manage_url": MANAGE_URL,
    }
    return Rendered(
        subject=context["subject"],
        preheader=context["preheader"],
        html=render_to_string("newsletter/email/edition.html", context),
        text=render_to_string("newsletter/email/edition.txt", context),
    )


def _fill(value: str, unsubscribe_url: str, manage_url: str) -> str:
    return value.replace(UNSUBSCRIBE_URL, unsubscribe_url).replace(MANAGE_URL, manage_url)


def render_preview(edition: Edition) -> Rendered:
    """What the edition looks like now (live articles only), with harmless links in place of
    a subscriber's own unsubscribe and manage links."""
    rendered = render(edition)
    harmless = settings.SITE_URL + reverse("newsletter:signup")
    rendered.html = _fill(rendered.html, harmless, harmless)
    rendered.text = _fill(rendered.text, harmless, harmless)
    return rendered


def send_test(edition: Edition, to: str) -> None:
    """One message to an editor, rendered exactly as subscribers will get it, marked as a test
    in its subject and headers. Its links are the preview's harmless ones."""
    preview = render_preview(edition)
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("[Test] %(subject)s") % {"subject": preview.subject}
    message = EmailMultiAlternatives(
        subject=subject,
        body=preview.text,
        from_email=from_address(edition),
        to=[to],
        headers={"X-Newsroom-Test": "yes", "List-Id": list_id(edition)},
    )
    message.attach_alternative(preview.html, "text/html")
    message.send()


def from_address(edition: Edition) -> str:
    """DEFAULT_FROM_EMAIL's address, named after the newsletter's sender when it has one."""
    name, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = one_line(edition.newsletter.sender_name) or name
    return email.utils.formataddr((name, address)) if name else address


def list_id(edition: Edition) -> str:
    """RFC 2919 List-Id: the newsletter's name and a stable identifier under the site's host."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{one_line(edition.newsletter.name)} <{edition.newsletter.slug}.{host}>"


def _header(name: str, value: str) -> bytes:
    """One header line, RFC 2047-encoded when it is not ASCII, folded when long."""
    charset = "us-ascii" if value.isascii() else "utf-8"
    encoded = Header(value, charset, header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}\r\n".encode("ascii")


def _address_header(name: str, value: str) -> bytes:
    display, address = email.utils.parseaddr(value)
    return f"{name}: {email.utils.formataddr((display, address), charset='utf-8')}\r\n".encode()


def _quoted_printable(text: str) -> bytes:
    data = normalize_newlines(text).replace("\n", "\r\n").encode()
    # binascii's encoder (C) keeps CRLF line ends when the input uses them.
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)


_PLACEHOLDERS = re.compile(f"({re.escape(UNSUBSCRIBE_URL)}|{re.escape(MANAGE_URL)})")
SOFT_BREAK = b"=\r\n"


class EncodedBody:
    """A body with placeholders, quoted-printable-encoded once. Each static piece is encoded
    on its own and ends with a soft line break (`=` CRLF, which decoders remove), so a
    recipient's link is encoded alone on fresh lines: per message, only the links are
    encoded, never the whole body."""

    def __init__(self, template: str):
        pieces = _PLACEHOLDERS.split(template)
        self.static = [_quoted_printable(piece) + SOFT_BREAK for piece in pieces[::2]]
        self.names = pieces[1::2]

    def fill(self, values: dict[str, bytes]) -> bytes:
        out = [self.static[0]]
        for name, static in zip(self.names, self.static[1:], strict=True):
            out.append(values[name])
            out.append(static)
        return b"".join(out)

    @staticmethod
    def encode_value(value: str) -> bytes:
        return _quoted_printable(value) + SOFT_BREAK


class MessageTemplate:
    """The bytes of an edition's message, made once, with the recipient's parts substituted
    per delivery: To, Message-ID, List-Unsubscribe and the links in both bodies.

    The bodies are quoted-printable (7-bit safe for any relay); the MIME boundary starts with
    "=_", which quoted-printable output can never contain.
    """

    def __init__(self, edition: Edition, rendered: Rendered | None = None):
        if rendered is None:
            rendered = Rendered(
                subject=one_line(edition.subject),
                preheader=one_line(edition.preheader),
                html=edition.html_template,
                text=edition.text_template,
            )
        self.edition_id = edition.pk
        self.envelope_from = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        self.domain = self.envelope_from.rpartition("@")[2] or "localhost"
        self.message_id_key = salted_hmac("newsletter.message-id", str(edition.pk)).hexdigest()[:10]
        unsubscribe_path = reverse("newsletter:unsubscribe", args=["TOKEN"])
        manage_path = reverse("newsletter:manage", args=["TOKEN"])
        self.unsubscribe_prefix, self.unsubscribe_suffix = (
            settings.SITE_URL + unsubscribe_path
        ).split("TOKEN")
        self.manage_prefix, self.manage_suffix = (settings.SITE_URL + manage_path).split("TOKEN")
        self.newsletter = edition.newsletter
        boundary = f"=_{secrets.token_hex(12)}"
        self.head = b"".join(
            [
                _address_header("From", from_address(edition)),
                _header("Subject", rendered.subject),
                b"MIME-Version: 1.0\r\n",
                _header("List-Id", list_id(edition)),
                b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                b"Precedence: bulk\r\n",
                f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'.encode(),
            ]
        )
        part = (
            f'--{boundary}\r\nContent-Type: text/%s; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        self.text_head = (part % "plain").encode()
        self.html_head = ("\r\n" + part % "html").encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.text = rendered.text
        self.html = rendered.html
        self.encoded_text = EncodedBody(rendered.text)
        self.encoded_html = EncodedBody(rendered.html)
        # One unsaved instance whose pk and email change per message: the signed links are
        # the model's own, without building a model instance each time.
        self.subscriber = Subscriber()
        self.subject = rendered.subject

    def message_id(self, delivery_id: int) -> str:
        """Stable for a delivery: a retry carries the same Message-ID, so a receiving system
        that deduplicates sees the same message."""
        return f"<edition-{self.edition_id}.{delivery_id}.{self.message_id_key}@{self.domain}>"

    def links(self, subscriber_id: int, address: str) -> tuple[str, str]:
        subscriber = self.subscriber
        subscriber.pk, subscriber.email = subscriber_id, address
        return (
            self.unsubscribe_prefix
            + subscriber.unsubscribe_token(self.newsletter)
            + self.unsubscribe_suffix,
            self.manage_prefix + subscriber.manage_token() + self.manage_suffix,
        )

    def build(self, delivery_id: int, subscriber_id: int, address: str) -> bytes:
        unsubscribe_url, manage_url = self.links(subscriber_id, address)
        values = {
            UNSUBSCRIBE_URL: EncodedBody.encode_value(unsubscribe_url),
            MANAGE_URL: EncodedBody.encode_value(manage_url),
        }
        return b"".join(
            [
                self.head,
                f"To: {address}\r\n".encode()
                if address.isascii()
                else _address_header("To", address),
                f"Date: {email.utils.formatdate()}\r\n"
                f"Message-ID: {self.message_id(delivery_id)}\r\n"
                f"List-Unsubscribe: <{unsubscribe_url}>\r\n\r\n".encode(),
                self.text_head,
                self.encoded_text.fill(values),
                self.html_head,
                self.encoded_html.fill(values),
                self.tail,
            ]
        )


class PrebuiltEmail(EmailMultiAlternatives):
    """A message whose bytes are already made, for Django's non-SMTP email backends
    (console, file, locmem in tests): they get the same bytes an SMTP server would, and the
    usual attributes (to, subject, body, alternatives, extra_headers) read from them."""

    def __init__(self, raw: bytes, *, to: str):
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        super().__init__(
            subject=str(parsed["Subject"]),
            body=parsed.get_body(preferencelist=("plain",)).get_content(),
            from_email=str(parsed["From"]),
            to=[to],
            headers={
                name: str(parsed[name])
                for name in ("Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id")
            },
            alternatives=[(parsed.get_body(preferencelist=("html",)).get_content(), "text/html")],
        )
        self.raw = raw
        self.parsed = parsed

    def message(self, *args, **kwargs):
        return self.parsed
