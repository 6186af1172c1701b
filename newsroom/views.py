"""Site-wide views that belong to no one app: the admin's "view on site" shortcut."""

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404

from .admin_forms import is_valid_id


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
