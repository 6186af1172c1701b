from django.conf import settings

from articles.models import Section


def site(request) -> dict:
    """The site's name and the navigation's sections."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "nav_sections": Section.objects.navigation(),
    }
