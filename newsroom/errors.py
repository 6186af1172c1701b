"""The site's error pages: 400, 403, 404, 500 and the CSRF failure.

Each renders from settings alone, with no request context: no context processor runs, so an
error page never reads the request body (which may be what was malformed), never queries the
database (which may be what failed) and never sets a cookie. Django's own `bad_request` is
wrapped in `requires_csrf_token`, which reads the body a second time and turned a 400 into a
500; these views must not be.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template import loader


def _error_page(template_name: str, status: int, **context) -> HttpResponse:
    context.update(SITE_NAME=settings.SITE_NAME, SITE_URL=settings.SITE_URL)
    body = loader.get_template(template_name).render(context)
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _error_page("400.html", 400)


def permission_denied(request, exception=None):
    return _error_page("403.html", 403)


def page_not_found(request, exception=None):
    return _error_page("404.html", 404)


def server_error(request):
    return _error_page("500.html", 500)


def csrf_failure(request, reason: str = ""):
    """A form posted without its security token: almost always a page left open too long or
    cookies switched off, so the page says what to do rather than why Django refused."""
    return _error_page("403_csrf.html", 403)
