from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.static import serve

from articles import caching
from newsletter import views as newsletter_views

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = f"{settings.SITE_NAME} admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "robots.txt",
        caching.cached_page(lambda request: set())(
            TemplateView.as_view(
                template_name="robots.txt", content_type="text/plain; charset=utf-8"
            )
        ),
        name="robots",
    ),
    path("", include("articles.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("terms/", newsletter_views.terms, name="terms"),
    path("privacy/", newsletter_views.privacy, name="privacy"),
]

if settings.DEBUG or settings.TESTING:
    # Production serves media from its storage (S3 or the web server), never through Django.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler404 = "articles.views.page_not_found"
handler500 = "articles.views.server_error"
