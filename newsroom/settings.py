"""Newsroom settings: one module, read from the environment.

Debug is off unless DJANGO_DEBUG=1 says otherwise, and then the development defaults need
nothing installed. Without DJANGO_DEBUG (and outside the tests) the site is in production: it
refuses to serve without a real secret key and allowed hosts (newsroom/checks.py, called by
wsgi.py and asgi.py, and `check --deploy`). Loading the settings never fails, so every
management command, `python -m django check` included, runs whatever the environment.
"""

import os
import secrets
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# The test runner is pytest (pytest-django loads these settings inside it); nothing else is
# read from the command line.
TESTING = "pytest" in sys.modules
DEBUG = env_bool("DJANGO_DEBUG", False)
# Production is anything that is neither debugging nor running the tests: forgetting
# DJANGO_DEBUG never turns debug pages on.
PRODUCTION = not DEBUG and not TESTING
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
# The variables production needs and the environment lacks. Serving refuses to start while
# any is missing (newsroom.checks.refuse_to_serve_unconfigured, in wsgi.py and asgi.py) and
# `check --deploy` reports them; other commands (migrate, makemigrations…) run regardless.
PRODUCTION_SETTINGS_MISSING: list[str] = []

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        PRODUCTION_SETTINGS_MISSING.append("DJANGO_SECRET_KEY")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "The Newsroom")
# Who hears about vulnerabilities: /.well-known/security.txt (a mailto: or https: URI).
SECURITY_CONTACT = os.environ.get(
    "SECURITY_CONTACT", f"mailto:security@{urlsplit(SITE_URL).hostname or 'localhost'}"
)
# The language of the public site: one per deployment (public pages are cached for everyone,
# so they never vary by reader). Staff pages follow each staff member's browser language among
# LANGUAGES (newsroom.middleware.AdminLocaleMiddleware).
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-gb")
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# PostgreSQL text-search configuration for article search (stemming and stop words); it follows
# LANGUAGE_CODE unless set. After a change, `manage.py rebuild_search_index` recomputes the
# stored vectors, which were made with the old one.
SEARCH_CONFIGS = {"en": "english", "es": "spanish", "de": "german"}
SEARCH_CONFIG = os.environ.get("SEARCH_CONFIG") or SEARCH_CONFIGS.get(
    LANGUAGE_CODE.split("-")[0].lower(), "english"
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if PRODUCTION:
        PRODUCTION_SETTINGS_MISSING.append("DJANGO_ALLOWED_HOSTS")
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS") or [
    f"{urlsplit(SITE_URL).scheme}://{urlsplit(SITE_URL).netloc}"
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "taggit",
    "django_prose_editor",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "newsroom",
    "articles",
    "newsletter",
    "api",
    "wire",
]

MIDDLEWARE = [
    # Before the page cache: API keys and their limits are checked on cache hits too.
    "api.middleware.ApiKeyMiddleware",
    # Then: a stored page carries every header the others add, and a hit skips them all.
    "newsroom.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.HttpMethodsMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Staff pages in the staff member's language; public pages in LANGUAGE_CODE.
    "newsroom.middleware.AdminLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "newsroom.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
TEMPLATE_OVERRIDES_DIR = os.environ.get("TEMPLATE_OVERRIDES_DIR", "")
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # A deployment's own versions of any template (the terms and privacy pages, the signup
        # wording…) go in TEMPLATE_OVERRIDES_DIR, which is searched first.
        "DIRS": [
            *([Path(TEMPLATE_OVERRIDES_DIR)] if TEMPLATE_OVERRIDES_DIR else []),
            BASE_DIR / "templates",
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
                "articles.metadata.canonical",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes. Connections are kept between
    # requests as on PostgreSQL: opening one and running its PRAGMAs cost a sixth of a cold
    # article page.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if TESTING:
        # A file, not the shared in-memory database: the browser tests' live server answers
        # from other threads, and each thread then opens a connection of its own.
        DATABASES["default"]["TEST"] = {
            "NAME": str(Path(tempfile.gettempdir()) / f"newsroom-test-{os.getpid()}.sqlite3")
        }
    # SQLite has no covering indexes: it builds article_section_live (articles/models.py) on
    # the section alone, which still serves it. Without this, every migrate on the default
    # database warned about it.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache_backends.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
        }
    }
else:
    # One process's memory: with several app processes, set REDIS_URL so that a purge in one
    # reaches the pages cached by all of them.
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache_backends.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000)},
        }
    }

# The page cache (newsroom/pagecache.py): anonymous public pages, whole, purged by key.
PAGE_CACHE = env_bool("PAGE_CACHE", True)
# How long a page stays fresh here and at the edge (s-maxage), at most; a scheduled
# publication, or a purge, ends it sooner.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Browsers cannot be purged: they keep a page this long (max-age).
PAGE_CACHE_BROWSER_SECONDS = env_int("PAGE_CACHE_BROWSER_SECONDS", 5)
PAGE_CACHE_STALE_WHILE_REVALIDATE = env_int("PAGE_CACHE_STALE_WHILE_REVALIDATE", 30)
# The last good copy of a page is kept this long, to serve when rendering fails (stale-if-error).
PAGE_CACHE_STALE_SECONDS = env_int("PAGE_CACHE_STALE_SECONDS", 24 * 60 * 60)
# A purge's time is compared with when a page began rendering: a page begun before the purge
# may show the old rows and is not stored. This margin covers clocks of app servers sharing one
# Redis that differ a little.
PAGE_CACHE_CLOCK_MARGIN = float(os.environ.get("PAGE_CACHE_CLOCK_MARGIN", "0.25"))
# Proxies to tell about purges: each gets `PURGE` with a Surrogate-Key header (deploy/varnish).
PAGE_CACHE_PURGE_URLS = env_list("PAGE_CACHE_PURGE_URLS")

# The content API (api/): keys are optional unless this is on; `copyrightHolder` of every item.
API_REQUIRE_KEY = env_bool("API_REQUIRE_KEY", False)
API_COPYRIGHT_HOLDER = os.environ.get("API_COPYRIGHT_HOLDER", SITE_NAME)

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Media on S3-compatible storage (pip install "django-storages[s3]"), so app servers keep no
# files of their own. Credentials come from the usual AWS_* variables or the instance's role.
MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "")
if MEDIA_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": os.environ.get("MEDIA_ENDPOINT_URL") or None,
            "custom_domain": os.environ.get("MEDIA_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }

# Images: uploads larger than these are refused with a form error.
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 20 * 1024 * 1024)

# The wire desk (wire/): agency copy in. A killed live story is unpublished automatically
# ("unpublish") or left up while editors are alerted ("alert"); editors are alerted either way.
WIRE_KILL_ACTION = os.environ.get("WIRE_KILL_ACTION", "alert")
if WIRE_KILL_ACTION not in ("unpublish", "alert"):
    raise ImproperlyConfigured('WIRE_KILL_ACTION must be "unpublish" or "alert".')
WIRE_MAX_BYTES = env_int("WIRE_MAX_BYTES", 10 * 1024 * 1024)
# The section new wire drafts are filed in (its slug); the first section when unset.
WIRE_SECTION = os.environ.get("WIRE_SECTION", "")
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
IMAGE_RENDITION_WIDTHS = (480, 960, 1600)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Email: console in development; EMAIL_URL (smtp://user:pass@host:port, smtp+tls://…)
# or the EMAIL_* variables in production.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "The Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    _email = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = _email.username or ""
    EMAIL_HOST_PASSWORD = _email.password or ""
    EMAIL_USE_TLS = _email.scheme in {"smtp+tls", "submission"}
    EMAIL_USE_SSL = _email.scheme == "smtps"
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", BASE_DIR / "sent-mail")
EMAIL_TIMEOUT = 30

# Newsletter: double opt-in and abuse limits (seconds unless the name says otherwise).
NEWSLETTER_CONFIRM_MAX_AGE_DAYS = env_int("NEWSLETTER_CONFIRM_MAX_AGE_DAYS", 3)
NEWSLETTER_RESEND_INTERVAL = env_int("NEWSLETTER_RESEND_INTERVAL", 600)
NEWSLETTER_RATE_LIMIT_PER_CLIENT = env_int("NEWSLETTER_RATE_LIMIT_PER_CLIENT", 10)
NEWSLETTER_RATE_LIMIT_CLIENT_WINDOW = env_int("NEWSLETTER_RATE_LIMIT_CLIENT_WINDOW", 600)
NEWSLETTER_RATE_LIMIT_PER_EMAIL = env_int("NEWSLETTER_RATE_LIMIT_PER_EMAIL", 5)
NEWSLETTER_RATE_LIMIT_EMAIL_WINDOW = env_int("NEWSLETTER_RATE_LIMIT_EMAIL_WINDOW", 3600)
# Where the limits count: a cache alias every process shares (Redis), or "" for the
# database (newsletter.LimitCounter). Never a per-process cache (checked: newsletter/checks.py).
NEWSLETTER_LIMITS_CACHE = os.environ.get("NEWSLETTER_LIMITS_CACHE", "default" if REDIS_URL else "")
NEWSLETTER_SEND_MAX_ATTEMPTS = env_int("NEWSLETTER_SEND_MAX_ATTEMPTS", 5)
NEWSLETTER_SEND_RETRY_DELAY = env_int("NEWSLETTER_SEND_RETRY_DELAY", 60)
# Editions (see README, "Sending newsletter editions"). The send rate is messages per second
# for the whole site, across every worker (0: no limit); workers claim batches of deliveries
# and hold them for the lease (seconds) unless they renew it.
NEWSLETTER_SEND_RATE = env_int("NEWSLETTER_SEND_RATE", 0)
NEWSLETTER_SEND_WORKERS = env_int("NEWSLETTER_SEND_WORKERS", 2)
NEWSLETTER_SEND_BATCH_SIZE = env_int("NEWSLETTER_SEND_BATCH_SIZE", 200)
NEWSLETTER_SEND_LEASE = env_int("NEWSLETTER_SEND_LEASE", 60)
NEWSLETTER_DELIVERY_RETRY_DELAY = env_int("NEWSLETTER_DELIVERY_RETRY_DELAY", 60)
NEWSLETTER_DELIVERY_MAX_ATTEMPTS = env_int("NEWSLETTER_DELIVERY_MAX_ATTEMPTS", 8)
# PostgreSQL: record each sent message without waiting for the WAL flush (see README).
NEWSLETTER_ASYNC_COMMIT = env_bool("NEWSLETTER_ASYNC_COMMIT", True)
# Behind a reverse proxy every request comes from the proxy's address; name the header the
# proxy sets to the real client address (e.g. "X-Real-IP"). Only set this when the proxy
# overwrites that header: clients can send any header they like.
NEWSLETTER_CLIENT_ADDRESS_HEADER = os.environ.get("NEWSLETTER_CLIENT_ADDRESS_HEADER", "")

# Bounce and complaint webhooks from the email provider (django-anymail), at
# /newsletter/webhooks/<provider>/tracking/. The provider calls them with HTTP basic auth
# "user:password" (ANYMAIL_WEBHOOK_SECRET); Mailgun's calls are signed too. Anymail would accept
# unauthenticated calls when no secret is set, so an unset secret is replaced by a random one
# nobody knows: the webhooks refuse every call until it is configured.
NEWSLETTER_WEBHOOKS_CONFIGURED = bool(os.environ.get("ANYMAIL_WEBHOOK_SECRET"))
ANYMAIL = {
    "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET") or secrets.token_urlsafe(32),
    "MAILGUN_WEBHOOK_SIGNING_KEY": (
        os.environ.get("MAILGUN_WEBHOOK_SIGNING_KEY") or secrets.token_urlsafe(32)
    ),
}

LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or client before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing on the sign-in page (django-axes): after AXES_FAILURE_LIMIT failures in a
# row, that username is locked out, and so is the client address, each on its own, for
# AXES_COOLOFF_MINUTES. Unlock early in the admin (Access attempts) or with
# `manage.py axes_reset_username <name>` / `axes_reset_ip <address>`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "newsroom.signin.locked_out"
# The client address comes from the same trusted-proxy header as the newsletter's limits.
AXES_CLIENT_IP_CALLABLE = "newsletter.limits.client_address"
AXES_USERNAME_CALLABLE = "newsroom.signin.lockout_username"
# Two-factor sign-in (django-otp: an authenticator app, plus single-use recovery codes). Anyone
# on the staff may set it up at /admin/two-factor/; with STAFF_TWO_FACTOR_REQUIRED (on by
# default in production, off under DEBUG and the tests) superusers and these groups must.
STAFF_TWO_FACTOR_REQUIRED = env_bool("STAFF_TWO_FACTOR_REQUIRED", PRODUCTION)
STAFF_TWO_FACTOR_GROUPS = env_list("STAFF_TWO_FACTOR_GROUPS", "Editor")
OTP_TOTP_ISSUER = SITE_NAME
# Where sign-in lands when `next` is missing or points off the site.
LOGIN_REDIRECT_URL = "admin:index"
CSRF_FAILURE_VIEW = "newsroom.errors.csrf_failure"

# Security: strict in production, relaxed only where DEBUG needs it.
# Content-Security-Policy (django-csp). Public pages: nothing inline, every script and style
# from our own origin, and no per-request nonce, so every reader gets the same cacheable bytes.
# The admin is relaxed where Django's admin and the prose editor need it (see
# newsroom/middleware.py). Images may also come from the media bucket's domain.
_MEDIA_ORIGINS = [
    f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    for url in (
        MEDIA_URL,
        os.environ.get("MEDIA_ENDPOINT_URL", ""),
        f"https://{os.environ.get('MEDIA_CUSTOM_DOMAIN', '')}",
    )
    if urlsplit(url).netloc
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
