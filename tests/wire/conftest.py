import io
import zipfile
from pathlib import Path

import pytest

from tests.factories import make_editor, make_section

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def section(db):
    return make_section("News")


@pytest.fixture
def editor(db):
    return make_editor("edna")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
