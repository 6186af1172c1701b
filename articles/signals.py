"""Cache invalidation only: the navigation's section list is cached for every page."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Section

NAV_SECTIONS_CACHE_KEY = "articles:nav-sections"


@receiver([post_save, post_delete], sender=Section)
def forget_nav_sections(**kwargs) -> None:
    cache.delete(NAV_SECTIONS_CACHE_KEY)
