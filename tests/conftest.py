import pytest
from django.core.cache import cache
from django.utils import timezone

from newsletter.models import Terms
from tests.factories import make_editor, make_reporter


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Each test writes media into its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reporter(db):
    """Rita, in the Reporter group, writing under her own author page."""
    return make_reporter("rita")


@pytest.fixture
def editor(db):
    """Edna, in the Editor group."""
    return make_editor("edna")


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def terms(db) -> Terms:
    """The published terms signups agree to (the data migration's row may have been flushed
    by a transactional test, so make sure one exists)."""
    return Terms.objects.current() or Terms.objects.create(
        version="test-1", body="Test terms.", published_at=timezone.now()
    )


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
