"""Who hears about an editorial event, and the email they get: editors when an article is
submitted, its authors when changes are requested or it is published."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Article, ArticleEvent

logger = logging.getLogger(__name__)

Status = Article.Status


def editor_addresses(*, except_user_id: int | None = None) -> list[str]:
    """Every active editor's address, once each, sorted."""
    editors = get_user_model().objects.filter(groups__name="Editor", is_active=True, is_staff=True)
    if except_user_id:
        editors = editors.exclude(pk=except_user_id)
    return sorted(set(editors.exclude(email="").values_list("email", flat=True)))


def article_links(article: Article) -> dict:
    """What every notification about an article links to, for its template context."""
    return {
        "article": article,
        "admin_url": settings.SITE_URL
        + reverse("admin:articles_article_change", args=[article.pk]),
        "public_url": settings.SITE_URL + article.get_absolute_url(),
        "SITE_NAME": settings.SITE_NAME,
    }


def send_each(addresses: list[str], subject: str, template: str, context: dict) -> int:
    """One message per address (nobody sees the others), text and HTML rendered once from
    `template` + ".txt" / ".html"; returns how many went."""
    # One line, whatever the headline holds: a line break in a header is refused outright
    # (BadHeaderError) and would stop the notification.
    subject = " ".join(subject.split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    messages = []
    for address in addresses:
        message = EmailMultiAlternatives(subject, text, to=[address])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return get_connection().send_messages(messages) or 0


def recipients_for(event: ArticleEvent) -> tuple[str, list[str]]:
    """The kind of message an event sends and the addresses it goes to (may be empty)."""
    article = event.article
    if event.to_status == Status.REVIEW:
        return "submitted", editor_addresses(except_user_id=event.actor_id)
    if event.to_status == Status.PUBLISHED:
        kind = "published"
    elif event.from_status == Status.REVIEW and event.to_status == Status.DRAFT:
        kind = "changes_requested"
    else:
        return "", []
    authors = (
        get_user_model()
        .objects.filter(author__bylines__article=article, is_active=True)
        .exclude(email="")
    )
    return kind, sorted(set(authors.values_list("email", flat=True)))


SUBJECTS = {
    "submitted": _("For review: {headline}"),
    "changes_requested": _("Changes requested: {headline}"),
    "published": _("Published: {headline}"),
}


def send_for_event(event_id: int) -> int:
    """Email the people an editorial event concerns; returns how many messages went."""
    event = ArticleEvent.objects.select_related("article", "actor").filter(pk=event_id).first()
    if event is None:
        logger.warning("Workflow notification skipped: event %s no longer exists", event_id)
        return 0
    kind, addresses = recipients_for(event)
    if not addresses:
        return 0
    article = event.article
    # Sent from a worker, with no request to take a language from: the newsroom's own.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **article_links(article),
            "event": event,
            "actor_name": (event.actor.get_full_name() or event.actor.get_username())
            if event.actor
            else gettext("The newsroom's scheduler"),
        }
        subject = SUBJECTS[kind].format(headline=article.headline)
        return send_each(addresses, subject, f"articles/email/{kind}", context)
