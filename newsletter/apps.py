from anymail.signals import tracking
from django.apps import AppConfig
from django.core import checks as django_checks
from django.utils.translation import gettext_lazy as _

from .checks import check_bounce_webhooks_are_configured, check_limits_are_shared


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        for check in (check_limits_are_shared, check_bounce_webhooks_are_configured):
            django_checks.register(check, django_checks.Tags.security, deploy=True)
        # Deferred as Django requires: it imports this module before any model exists, and
        # the webhook receiver needs the models.
        from . import webhooks

        tracking.connect(
            webhooks.suppress_from_provider, dispatch_uid="newsletter.suppress_from_provider"
        )
