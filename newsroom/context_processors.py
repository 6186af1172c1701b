from django.conf import settings
from django.core.cache import cache


def site(request) -> dict:
    """The site's name and the navigation's sections (cached: every page shows them)."""
    from articles.models import Section
    from articles.signals import NAV_SECTIONS_CACHE_KEY

    sections = cache.get(NAV_SECTIONS_CACHE_KEY)
    if sections is None:
        sections = list(Section.objects.all())
        cache.set(NAV_SECTIONS_CACHE_KEY, sections, 300)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "nav_sections": sections,
    }
