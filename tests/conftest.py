import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Each test writes media into its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    """Move time in tests: `clock.move_to(dt)` / `clock.shift(seconds)`; no sleeping."""
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL's full-text search; skip them elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)
