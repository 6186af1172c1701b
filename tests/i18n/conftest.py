import pytest
from django.utils import translation


@pytest.fixture
def spanish(settings):
    """A Spanish deployment: LANGUAGE_CODE=es, as the environment would set it."""
    settings.LANGUAGE_CODE = "es"
    with translation.override("es"):
        yield
