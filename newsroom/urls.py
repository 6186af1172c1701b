from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]

if settings.DEBUG or settings.TESTING:
    # Production serves media from its storage (S3 or the web server), never through Django.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler404 = "articles.views.page_not_found"
handler500 = "articles.views.server_error"
