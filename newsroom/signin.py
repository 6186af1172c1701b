"""Staff sign-in: what django-axes counts failed attempts against, and its lockout page."""

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse


def lockout_username(request, credentials: dict | None) -> str:
    """The username a sign-in attempt names, case-folded and trimmed, so "Editor " and
    "editor" count towards one lockout (guessers vary the spelling to dodge it)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().casefold()


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (429), in the admin's design."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {**admin.site.each_context(request), "title": "Sign-in paused", "minutes": minutes}
    response = TemplateResponse(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response.render()
