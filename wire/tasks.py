"""Background work for the wire desk, on the same task queue and mail path as the workflow's
notifications (articles/tasks.py)."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from .models import WireItem

logger = logging.getLogger(__name__)


def editors() -> list[str]:
    users = get_user_model().objects.filter(groups__name="Editor", is_active=True, is_staff=True)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


@task()
def send_kill_alert(item_id: int) -> int:
    """Tell every editor that an agency killed or withdrew a story that is live."""
    item = WireItem.objects.select_related("article").filter(pk=item_id).first()
    if item is None:
        logger.warning("Kill alert skipped: wire item %s no longer exists", item_id)
        return 0
    addresses = editors()
    if not addresses:
        logger.error("Kill alert for wire item %s has no editor to go to", item_id)
        return 0
    article = item.article
    context = {
        "item": item,
        "article": article,
        "admin_url": settings.SITE_URL
        + reverse("admin:articles_article_change", args=[article.pk]),
        "public_url": settings.SITE_URL + article.get_absolute_url(),
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = " ".join(f"KILL from {item.source}: {article.headline}".split())
    text = render_to_string("wire/email/killed.txt", context)
    html = render_to_string("wire/email/killed.html", context)
    messages = []
    for address in addresses:
        message = EmailMultiAlternatives(subject, text, to=[address])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return get_connection().send_messages(messages) or 0
