import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()

# Production without its secrets refuses to serve (settings.py only notes what is missing, so
# that management commands run anywhere).
from newsroom.checks import refuse_to_serve_unconfigured  # noqa: E402

refuse_to_serve_unconfigured()
