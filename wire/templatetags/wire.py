"""The wire desk on the admin's dashboard and in the article change form."""

from django import template
from django.db.models import Count, Q
from django.urls import reverse

from wire.models import WireItem

register = template.Library()

PER_PANEL = 8


@register.inclusion_tag("admin/wire/_dashboard.html", takes_context=True)
def wire_dashboard(context) -> dict:
    """New wire items nobody has taken yet, with counts of those needing attention."""
    user = context["request"].user
    if not user.has_perm("articles.edit_any_article"):
        return {"panel": None}
    new = WireItem.objects.untouched().select_related("article")
    items = WireItem.objects.all()
    at_risk = Q(article__status__in=["published", "scheduled"])  # live, or going live
    counts = items.aggregate(
        count=Count("pk", filter=Q(pk__in=items.untouched().values("pk"))),
        newer=Count("pk", filter=Q(pk__in=items.with_newer_version().values("pk"))),
        killed=Count("pk", filter=Q(pk__in=items.killed().filter(at_risk).values("pk"))),
    )
    return {
        "panel": {"items": list(new[:PER_PANEL]), **counts},
        "changelist_url": reverse("admin:wire_wireitem_changelist"),
        "import_url": reverse("admin:wire_wireitem_import")
        if user.has_perm("articles.add_article")
        else "",
    }


@register.inclusion_tag("admin/wire/_article_panel.html")
def wire_panel(article) -> dict:
    """An article's wire source, its original text, a newer version waiting or a kill."""
    item = WireItem.objects.select_related("applied_version").filter(article_id=article.pk).first()
    if item is None:
        return {"item": None}
    return {
        "item": item,
        "waiting": item.waiting_version(),
        "changes": item.changes_since_start(),
        "original": item.applied_version,
    }
