"""System checks for the newsletter's settings."""

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, Warning
from django.utils.module_loading import import_string

# Cache backends (and their subclasses) whose data lives inside one process (or one machine's
# files): counting the signup limits there multiplies them by the number of workers.
PER_PROCESS_CACHES = (LocMemCache, DummyCache, FileBasedCache)


def _per_process(backend: str) -> bool:
    try:
        return issubclass(import_string(backend), PER_PROCESS_CACHES)
    except ImportError:
        return True  # not a backend at all: nothing shared either


def check_limits_are_shared(app_configs, **kwargs):
    """A deploy check (registered in NewsletterConfig.ready)."""
    alias = settings.NEWSLETTER_LIMITS_CACHE
    if not alias:
        return []  # the database: shared by every process
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if not backend or _per_process(backend):
        return [
            Error(
                f"The newsletter's signup limits count in the cache {alias!r} "
                f"({backend or 'missing'}), which each worker process keeps on its own: with N "
                "workers the limits let N times as many signups through.",
                hint="Set REDIS_URL, or NEWSLETTER_LIMITS_CACHE to a shared cache, or leave "
                "NEWSLETTER_LIMITS_CACHE empty to count in the database.",
                id="newsletter.E001",
            )
        ]
    return []


def check_bounce_webhooks_are_configured(app_configs, **kwargs):
    """A deploy check (registered in NewsletterConfig.ready)."""
    if settings.NEWSLETTER_WEBHOOKS_CONFIGURED:
        return []
    return [
        Warning(
            "ANYMAIL_WEBHOOK_SECRET is not set, so the bounce and complaint webhooks refuse "
            "every call: addresses that bounce or complain keep being mailed, which hurts the "
            "sender's reputation with every mailbox provider.",
            hint="Set ANYMAIL_WEBHOOK_SECRET=user:password and give the webhook URL to your "
            'email provider (README, "Bounces and complaints from the provider").',
            id="newsletter.W001",
        )
    ]
