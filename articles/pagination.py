"""Page numbers from the query string, parsed one way for every list, search and canonical link,
and a paginator for lists too long to count.

Only ASCII digits count: `str.isdigit()` also accepts "²" and "٣", which `int()` then refuses
or reads as another number. A number is bounded before it is converted, so a 5 000-digit page
costs nothing, and a page that does not exist is a 404, never an empty page or a 500.
"""

import re

from django.core.exceptions import EmptyResultSet
from django.core.paginator import InvalidPage, Page, Paginator
from django.db import connections
from django.http import Http404
from django.utils.functional import cached_property

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
    return requested_page_of(request, Paginator(object_list, per_page))


def requested_page_of(request, paginator: Paginator) -> Page:
    """The page of `paginator` the request asks for; 404 when it is malformed or past the end."""
    try:
        return paginator.page(requested_page(request))
    except InvalidPage as exc:
        raise Http404("No such page.") from exc


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` rows, for lists where an exact count would read
    every match (a common word among 100 000 articles): it reads the keys of up to `cap + 1`
    rows, and when there are more, `capped` is true, `count` is `cap` and the pages stop
    there. Narrowing the list (a search, a filter) finds what lies beyond.

    On PostgreSQL, when the keys were all read (no more than `cap` rows), a page is fetched by
    them: the planner, guessing that a search matches more than it does, would otherwise
    walk the whole table newest first, checking each row's search vector on the way.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap = cap

    @cached_property
    def _keys(self) -> list:
        """The keys of up to `cap + 1` rows, in no particular order."""
        rows = self.object_list.order_by().values_list("pk", flat=True)
        connection = connections[rows.db]
        if connection.vendor != "postgresql":
            return list(rows[: self.cap + 1])
        # Planned under the LIMIT, PostgreSQL guesses that reading a few thousand rows in key
        # order is cheapest and checks each row's search vector (unpacking it from TOAST):
        # 150 ms for a common word at 100 000 articles. A MATERIALIZED CTE is planned on its
        # own, as if every match were wanted (the GIN index), and the LIMIT still stops it.
        try:
            sql, params = rows.query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (`pk__in=[]`)
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH matches AS MATERIALIZED ({sql}) SELECT * FROM matches LIMIT %s",
                [*params, self.cap + 1],
            )
            return [key for (key,) in cursor.fetchall()]

    @cached_property
    def count(self) -> int:
        return min(len(self._keys), self.cap)

    @property
    def capped(self) -> bool:
        """True when there are more rows than `count` says."""
        return len(self._keys) > self.cap

    def page(self, number):
        number = self.validate_number(number)
        rows = self.object_list
        if not self.capped and connections[rows.db].vendor == "postgresql":
            rows = rows.filter(pk__in=self._keys)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows[bottom:top], number, self)
