import pytest
from django.utils import timezone

from newsletter.models import Terms


@pytest.fixture
def terms(db) -> Terms:
    """Published terms, so signups are open (a transactional test may have flushed them)."""
    return Terms.objects.current() or Terms.objects.create(
        version="test-1", body="Test terms.", published_at=timezone.now()
    )


@pytest.fixture
def signup_data(terms):
    def data(email="reader@example.com", page="/newsletter/") -> dict:
        return {"email": email, "agree": "on", "website": "", "next": page}

    return data
