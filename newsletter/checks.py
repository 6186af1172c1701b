"""System checks for the newsletter's settings."""

from django.conf import settings
from django.core.checks import Error, Warning

# Cache backends whose data lives inside one process (or one machine's files): counting the
# signup limits there multiplies them by the number of workers.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


def check_limits_are_shared(app_configs, **kwargs):
    """A deploy check (registered in NewsletterConfig.ready)."""
    alias = settings.NEWSLETTER_LIMITS_CACHE
    if not alias:
        return []  # the database: shared by every process
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES or not backend:
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
