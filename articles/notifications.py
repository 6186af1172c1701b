"""Who hears about an editorial event, and the email they get: editors when an article is
submitted, its authors when changes are requested or it is published."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Article, ArticleEvent

logger = logging.getLogger(__name__)

Status = Article.Status


def recipients_for(event: ArticleEvent) -> tuple[str, list[str]]:
    """The kind of message an event sends and the addresses it goes to (may be empty)."""
    article = event.article
    if event.to_status == Status.REVIEW:
        editors = get_user_model().objects.filter(
            groups__name="Editor", is_active=True, is_staff=True
        )
        if event.actor_id:
            editors = editors.exclude(pk=event.actor_id)
        return "submitted", sorted(set(editors.exclude(email="").values_list("email", flat=True)))
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
    "submitted": "For review: {headline}",
    "changes_requested": "Changes requested: {headline}",
    "published": "Published: {headline}",
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
    context = {
        "article": article,
        "event": event,
        "actor_name": (event.actor.get_full_name() or event.actor.get_username())
        if event.actor
        else "The newsroom's scheduler",
        "admin_url": settings.SITE_URL
        + reverse("admin:articles_article_change", args=[article.pk]),
        "public_url": settings.SITE_URL + article.get_absolute_url(),
        "SITE_NAME": settings.SITE_NAME,
    }
    # One line, whatever the headline holds: a line break in a header is refused outright
    # (BadHeaderError) and would stop the notification.
    subject = " ".join(SUBJECTS[kind].format(headline=article.headline).split())
    text = render_to_string(f"articles/email/{kind}.txt", context)
    html = render_to_string(f"articles/email/{kind}.html", context)
    messages = []
    for address in addresses:
        message = EmailMultiAlternatives(subject, text, to=[address])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return get_connection().send_messages(messages) or 0
