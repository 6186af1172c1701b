from importlib.util import find_spec

from anymail import urls as anymail_urls
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.i18n import set_language
from django.views.static import serve

from articles import caching
from newsletter import urls as newsletter_urls

from . import signin, views

# The tracking webhooks (bounces, complaints, unsubscribes) of the providers the README covers;
# no inbound mail. Amazon SES's needs boto3 (`pip install "django-anymail[amazon-ses]"`).
WEBHOOK_PROVIDERS = ["postmark", "mailgun"] + (["amazon_ses"] if find_spec("boto3") else [])
PROVIDER_WEBHOOKS = [
    pattern
    for pattern in anymail_urls.urlpatterns
    if pattern.name in {f"{provider}_tracking_webhook" for provider in WEBHOOK_PROVIDERS}
]

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.login_form = signin.TwoFactorLoginForm
admin.site.login_template = "admin/two_factor_login.html"

urlpatterns = [
    # Before the admin's own URLs: replaces its unscoped "view on site" shortcut.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(views.view_on_site),
    ),
    path(
        "admin/two-factor/",
        admin.site.admin_view(signin.two_factor_setup),
        name="two_factor_setup",
    ),
    # Staff choose the admin's language (a cookie that AdminLocaleMiddleware reads under
    # /admin/ only; public pages stay in LANGUAGE_CODE). Django's view: POST, CSRF-checked,
    # and it only redirects back to this site.
    path("admin/language/", admin.site.admin_view(set_language), name="set_language"),
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
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("api/", include("api.urls")),
    path("", include("articles.urls")),
    # Provider webhooks (bounces, complaints) before the newsletter's /<slug>/ pages.
    path("newsletter/webhooks/", include((PROVIDER_WEBHOOKS, "anymail"))),
    path("newsletter/", include("newsletter.urls")),
    path("", include(newsletter_urls.root_urlpatterns)),
]

if settings.DEBUG or settings.TESTING:
    # Production serves media from its storage (S3 or the web server), never through Django.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler400 = "newsroom.errors.bad_request"
handler403 = "newsroom.errors.permission_denied"
handler404 = "newsroom.errors.page_not_found"
handler500 = "newsroom.errors.server_error"
