"""Site-wide views that belong to no one app: the admin's "view on site" shortcut, the
health checks and security.txt."""

import logging
from datetime import UTC, timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import get_random_string
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from admin_forms import is_valid_id


def view_on_site(request, content_type_id: int, object_id: str):
    """The admin's /admin/r/<type>/<id>/ shortcut, only where the admin itself offers "View on
    site" (for an article: once it is live) and to staff who may view that kind of object.

    Django's own shortcut redirects any staff member to any object's public address, and an
    article's address is its slug: a reporter could read other people's unpublished headlines.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    try:
        model_admin = admin.site.get_model_admin(model)
    except NotRegistered as exc:
        raise Http404("Nothing to show on the site.") from exc
    obj = None
    if model_admin.has_view_or_change_permission(request) and is_valid_id(
        model._meta.pk, object_id
    ):
        obj = model._default_manager.filter(pk=object_id).first()
    if obj is None or model_admin.get_view_on_site_url(obj) is None:
        raise Http404("Nothing to show on the site.")
    return shortcut(request, content_type_id, object_id)


logger = logging.getLogger(__name__)


def healthz(request):
    """Liveness: the process answers. Touches nothing else, so a slow database does not get
    healthy workers restarted."""
    response = HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    add_never_cache_headers(response)
    return response


def _database_ready() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_ready() -> None:
    key, value = "readyz:probe", get_random_string(12)
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not keep a value")


def _tasks_ready() -> None:
    # The database queue's table must answer; other backends are checked by constructing them.
    backend = default_task_backend
    if type(backend).__module__.startswith("django_tasks_db"):
        DBTaskResult.objects.exists()


CHECKS = {"database": _database_ready, "cache": _cache_ready, "tasks": _tasks_ready}


def readyz(request):
    """Readiness: the database, the cache and the task queue answer. Each is "ok" or "failing"
    (the reason goes to the log, never into the response: no versions, hosts or settings)."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("Readiness check %r failed.", name)
            results[name] = "failing"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    response = JsonResponse(results, status=200 if ready else 503)
    add_never_cache_headers(response)
    return response


def security_txt(request):
    """RFC 9116: whom to tell about a vulnerability (SECURITY_CONTACT)."""
    expires = (timezone.now() + timedelta(days=365)).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
