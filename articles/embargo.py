"""Embargoes: an article carrying `embargo_until` may not reach readers before that time.

The workflow asks `refusal()` before every move to published or scheduled, and the
scheduled-publishing bookkeeping moves only what `lifted()` lets through, so no path (button, bulk
action, schedule, scheduled task) lets a story out early, whoever asks: an agency's embargo
binds the superuser too.
"""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from .models import Article


def refusal(
    article: Article, publish_at: datetime.datetime, *, until: datetime.datetime | None = None
) -> str | None:
    """Why `article` may not go live at `publish_at`, or None when it may. `until` checks an
    embargo about to be set instead of the one the article carries."""
    until = until or article.embargo_until
    if until is None or publish_at >= until:
        return None
    local = timezone.localtime(until, timezone.get_default_timezone())
    return gettext(
        "“%(headline)s” is embargoed until %(until)s: schedule it for that time or later."
    ) % {"headline": article.headline, "until": date_format(local, "d F Y, H:i T")}


def lifted(queryset: QuerySet, now: datetime.datetime) -> QuerySet:
    """The articles of `queryset` that carry no embargo, or one that has lifted by `now`."""
    return queryset.filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
