"""Page numbers from the query string, parsed one way for every list, search and canonical link.

Only ASCII digits count: `str.isdigit()` also accepts "²" and "٣", which `int()` then refuses
or reads as another number. A number is bounded before it is converted, so a 5 000-digit page
costs nothing, and a page that does not exist is a 404, never an empty page or a 500.
"""

import re

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404

MAX_PAGE = 100_000
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def page_number(value: str | None) -> int | None:
    """The page `value` names: 1 when absent or empty, None when it is not a page number."""
    if value is None or value == "":
        return 1
    if not _PAGE_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_PAGE else None


def requested_page(request, param: str = "page") -> int:
    """The page a request asks for; 404 for anything that is not a page number."""
    number = page_number(request.GET.get(param))
    if number is None:
        raise Http404("No such page.")
    return number


def paginate(request, object_list, per_page: int) -> Page:
    """The requested page of `object_list`; 404 when it is malformed or past the last page."""
    paginator = Paginator(object_list, per_page)
    try:
        return paginator.page(requested_page(request))
    except InvalidPage as exc:
        raise Http404("No such page.") from exc
