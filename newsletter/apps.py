from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self) -> None:
        # Registers the system checks and connects the provider webhooks' signal receiver.
        from . import checks, webhooks  # noqa: F401
