from django.apps import AppConfig
from django.core import checks

from .checks import production_settings


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        checks.register(production_settings, checks.Tags.security, deploy=True)
