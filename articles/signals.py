"""Cache invalidation only: the navigation's section list is cached for every page."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Section


@receiver([post_save, post_delete], sender=Section)
def forget_nav_sections(**kwargs) -> None:
    Section.objects.forget_navigation()
