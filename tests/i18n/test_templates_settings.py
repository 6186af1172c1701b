"""The language settings come from the environment: LANGUAGE_CODE, SEARCH_CONFIG following it,
and TEMPLATE_OVERRIDES_DIR, where a deployment puts its own wording of any template."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def settings_under(**env: str) -> dict:
    """The language settings as a fresh process reads them from `env`."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'LANGUAGE_CODE': s.LANGUAGE_CODE, 'SEARCH_CONFIG': s.SEARCH_CONFIG,"
        " 'DIRS': [str(d) for d in s.TEMPLATES[0]['DIRS']]}))"
    )
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"LANGUAGE_CODE", "SEARCH_CONFIG", "TEMPLATE_OVERRIDES_DIR"}
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "newsroom.settings", "DJANGO_DEBUG": "1"} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("language", "search"), [("es", "spanish"), ("de", "german"), ("en-gb", "english")]
)
def test_search_config_follows_the_language(language, search):
    assert settings_under(LANGUAGE_CODE=language) == {
        "LANGUAGE_CODE": language,
        "SEARCH_CONFIG": search,
        "DIRS": [str(ROOT / "templates")],
    }


def test_an_explicit_search_config_wins():
    assert settings_under(LANGUAGE_CODE="es", SEARCH_CONFIG="simple")["SEARCH_CONFIG"] == "simple"


def test_english_is_the_default():
    assert settings_under()["LANGUAGE_CODE"] == "en-gb"


def test_template_overrides_dir_is_searched_first(tmp_path):
    assert settings_under(TEMPLATE_OVERRIDES_DIR=str(tmp_path))["DIRS"] == [
        str(tmp_path),
        str(ROOT / "templates"),
    ]


@pytest.mark.django_db
def test_a_deployment_rewords_the_privacy_notice_without_touching_the_code(
    tmp_path, settings, client
):
    (tmp_path / "newsletter").mkdir()
    (tmp_path / "newsletter" / "privacy.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Our own notice</h1>{% endblock %}'
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    with override_settings(TEMPLATES=templates):
        page = client.get(reverse("privacy")).content.decode()

    assert "<h1>Our own notice</h1>" in page
