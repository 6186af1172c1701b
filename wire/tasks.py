"""Background work for the wire desk, on the same task queue and mail path as the workflow's
notifications (articles/tasks.py)."""

import logging

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django_tasks import task

from articles.notifications import article_links, editor_addresses, send_each

from .models import WireItem

logger = logging.getLogger(__name__)


@task()
def send_kill_alert(item_id: int) -> int:
    """Tell every editor that an agency killed or withdrew a story that is live."""
    item = WireItem.objects.select_related("article").filter(pk=item_id).first()
    if item is None:
        logger.warning("Kill alert skipped: wire item %s no longer exists", item_id)
        return 0
    addresses = editor_addresses()
    if not addresses:
        logger.error("Kill alert for wire item %s has no editor to go to", item_id)
        return 0
    article = item.article
    # Sent from a worker, with no request to take a language from: the newsroom's own.
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("KILL from %(source)s: %(headline)s") % {
            "source": item.source,
            "headline": article.headline,
        }
        return send_each(
            addresses, subject, "wire/email/killed", {**article_links(article), "item": item}
        )
