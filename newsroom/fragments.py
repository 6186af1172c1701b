"""Parts of public pages rendered once per process for as long as what they show is the same.

A fragment's key is everything it displays (each caller lists it), plus what every fragment
depends on: the active language and time zone, the URL configuration and script prefix (its
links) and the media address. An edited article, a renamed section or a new caption makes a
new key, so a memoised fragment can never be out of date and needs no invalidation: unlike the
page cache, it saves rendering, never the queries that say what the page shows.

Each memo lives in one process and is bounded (emptied when full). It is not shared through
Django's cache: a lookup there costs about as much as the render it saves.
"""

from collections.abc import Callable, Hashable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language


class FragmentMemo:
    def __init__(self, limit: int = 5000):
        self.limit = limit
        self._html: dict[tuple, str] = {}

    def render(self, key: Hashable, render: Callable[[], str]) -> str:
        """The HTML `render()` returns for `key`, rendered on the first call only."""
        full_key = (
            get_language(),
            get_current_timezone_name(),
            get_urlconf(),
            get_script_prefix(),
            settings.MEDIA_URL,
            key,
        )
        html = self._html.get(full_key)
        if html is None:
            html = render()
            if len(self._html) >= self.limit:
                self._html.clear()
            self._html[full_key] = html
        return html

    def clear(self) -> None:
        self._html.clear()

    def __len__(self) -> int:
        return len(self._html)


def clear_all() -> None:
    """Forget every memoised fragment (benchmarks measuring a cold render call this)."""
    for memo in MEMOS:
        memo.clear()


MEMOS: list[FragmentMemo] = []


def memo(limit: int = 5000) -> FragmentMemo:
    """A new memo, registered so that `clear_all` reaches it."""
    created = FragmentMemo(limit)
    MEMOS.append(created)
    return created
