"""Production refuses to run without its secrets.

The settings only note what is missing (settings.PRODUCTION_SETTINGS_MISSING); serving the
site (wsgi.py, asgi.py) refuses to start, and `check --deploy` fails, while anything is.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def missing_production_settings() -> list[str]:
    """One sentence for each variable production needs and the environment lacks."""
    return [
        f"{name} must be set in production (for development, set DJANGO_DEBUG=1)."
        for name in settings.PRODUCTION_SETTINGS_MISSING
    ]


def refuse_to_serve_unconfigured() -> None:
    """Called where the site starts serving: gunicorn fails at start, not at the first request."""
    problems = missing_production_settings()
    if problems:
        raise ImproperlyConfigured(" ".join(problems))


def production_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A deploy check (registered in NewsroomConfig.ready)."""
    return [checks.Error(problem, id="newsroom.E001") for problem in missing_production_settings()]
