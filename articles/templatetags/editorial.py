"""The editors' dashboard on the admin index: what waits for review, what is scheduled, …"""

from dataclasses import dataclass

from django import template
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from articles import permissions
from articles.models import Article, ArticleEvent

register = template.Library()

Status = Article.Status
PER_PANEL = 8


@dataclass
class Panel:
    title: str
    articles: list[Article]
    count: int
    time_label: str
    changelist_query: str
    empty: str


def _panel(title, queryset: QuerySet, time_label, time_attr, query, empty) -> Panel:
    articles = list(queryset[:PER_PANEL])
    for article in articles:
        article.dashboard_time = getattr(article, time_attr)
    return Panel(
        title=title,
        articles=articles,
        count=queryset.count(),
        time_label=time_label,
        changelist_query=query,
        empty=empty,
    )


def dashboard_panels(user, now=None) -> list[Panel]:
    """Four lists of the articles this user may see (reporters: their own), with counts."""
    now = now or timezone.now()
    visible = permissions.visible_to(user).select_related("section")
    submissions = ArticleEvent.objects.filter(
        article=OuterRef("pk"), to_status=Status.REVIEW
    ).order_by("-at", "-pk")
    submitted_at = Subquery(submissions.values("at")[:1])
    submitted_by = Subquery(
        submissions.annotate(
            name=Trim(Concat("actor__first_name", Value(" "), "actor__last_name"))
        ).values("name")[:1]
    )
    submitted_by_username = Subquery(submissions.values("actor__username")[:1])
    # A draft whose last step came from review was sent back with changes requested.
    last_step_from = Subquery(
        ArticleEvent.objects.filter(article=OuterRef("pk"))
        .order_by("-at", "-pk")
        .values("from_status")[:1]
    )
    drafts = visible.filter(status=Status.DRAFT).annotate(last_step_from=last_step_from)
    editor = user.has_perm(permissions.EDIT_ANY)
    return [
        _panel(
            gettext("Awaiting review"),
            visible.filter(status=Status.REVIEW)
            .annotate(
                submitted_at=submitted_at,
                submitted_by=submitted_by,
                submitted_by_username=submitted_by_username,
            )
            .order_by("submitted_at", "updated_at", "pk"),
            "Submitted",
            "submitted_at",
            "status__exact=review",
            gettext("Nothing is waiting for review."),
        ),
        _panel(
            "Scheduled",
            visible.filter(status=Status.SCHEDULED, publish_at__gt=now).order_by("publish_at"),
            gettext("Goes live"),
            "publish_at",
            "status__exact=scheduled",
            gettext("Nothing is scheduled."),
        ),
        # Editors see every draft in the newsroom; reporters their own.
        _panel(
            gettext("Drafts") if editor else gettext("My drafts"),
            (drafts if editor else permissions.owned_by(user, drafts)).order_by("-updated_at"),
            gettext("Last saved"),
            "updated_at",
            "status__exact=draft",
            gettext("There are no drafts.") if editor else gettext("You have no drafts."),
        ),
        _panel(
            gettext("Recently published"),
            visible.live(now).order_by("-publish_at", "-pk"),
            gettext("Published"),
            "publish_at",
            "status__exact=published",
            gettext("Nothing published yet."),
        ),
    ]


@register.inclusion_tag("admin/articles/_dashboard.html", takes_context=True)
def editorial_dashboard(context) -> dict:
    user = context["request"].user
    if not (user.has_perm("articles.view_article") or user.has_perm("articles.change_article")):
        return {"panels": None}
    return {
        "panels": dashboard_panels(user),
        "changelist_url": reverse("admin:articles_article_changelist"),
        "add_url": reverse("admin:articles_article_add")
        if user.has_perm("articles.add_article")
        else "",
    }
