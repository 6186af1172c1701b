from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self) -> None:
        # Connects the provider webhooks' signal receiver.
        from . import webhooks  # noqa: F401
