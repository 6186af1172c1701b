"""The root catalog (locale/es) holds every string of the templates and scripts, translated,
and its compiled .mo is the .po as committed.

The check runs makemessages on a copy of templates/ and static/js/ (as the README's "How to add
a language" does) and compares the msgids it extracts with the committed catalog's. Messages
are compared through GNU gettext's own tools and Python's gettext module, so no .po parser of
ours can hide a mistake.
"""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
CATALOGS = ROOT / "locale" / "es" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")

needs_gettext = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xgettext", "msgfmt", "msgen", "msgmerge")),
    reason="GNU gettext is not installed (./dev.sh test installs it: apt-get install gettext)",
)


def compiled(po: Path, mo: Path) -> dict:
    """The messages of a .po as Python's gettext reads them once msgfmt has compiled it."""
    subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as file:
        return gettext.GNUTranslations(file)._catalog


def message_keys(catalog: dict) -> set:
    """msgids (with their context, and plural forms by msgid), without the header."""
    return {key[0] if isinstance(key, tuple) else key for key in catalog} - {""}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A fresh makemessages run over copies of the templates and scripts."""
    work = tmp_path_factory.mktemp("makemessages")
    shutil.copytree(ROOT / "templates", work / "templates")
    shutil.copytree(ROOT / "static" / "js", work / "static" / "js")
    (work / "locale").mkdir()
    return work


@needs_gettext
@pytest.mark.parametrize("domain", DOMAINS)
def test_committed_catalog_has_every_extracted_message(
    extracted, domain, monkeypatch, settings, tmp_path
):
    settings.LOCALE_PATHS = [extracted / "locale"]
    monkeypatch.chdir(extracted)
    extensions = ["html", "txt"] if domain == "django" else ["js"]
    call_command("makemessages", locale=["es"], domain=domain, extensions=extensions, verbosity=0)
    fresh = extracted / "locale" / "es" / "LC_MESSAGES" / f"{domain}.po"
    # Django's own Spanish catalog declares three plural forms (for "millones"); ours, as
    # agreed, two. Only the msgids matter here.
    two_forms = "Plural-Forms: nplurals=2; plural=(n != 1);"
    fresh.write_text(re.sub(r"Plural-Forms: [^\\]*", two_forms, fresh.read_text()))
    # msgen fills every msgstr with its msgid, so msgfmt keeps every message.
    subprocess.run(["msgen", "-o", str(tmp_path / "fresh.po"), str(fresh)], check=True)
    wanted = message_keys(compiled(tmp_path / "fresh.po", tmp_path / "fresh.mo"))
    committed = message_keys(compiled(CATALOGS / f"{domain}.po", tmp_path / "committed.mo"))

    assert wanted - committed == set(), "run makemessages and translate these (README)"
    assert committed - wanted == set(), "these are no longer used: run makemessages"


@needs_gettext
@pytest.mark.parametrize("domain", DOMAINS)
def test_committed_catalog_is_fully_translated(domain):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGS / f"{domain}.po")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert "#, fuzzy" not in (CATALOGS / f"{domain}.po").read_text()


@needs_gettext
@pytest.mark.parametrize("domain", DOMAINS)
def test_committed_mo_is_compiled_from_the_committed_po(domain, tmp_path):
    with (CATALOGS / f"{domain}.mo").open("rb") as file:
        shipped = gettext.GNUTranslations(file)._catalog
    assert shipped == compiled(CATALOGS / f"{domain}.po", tmp_path / f"{domain}.mo"), (
        "run manage.py compilemessages and commit the .mo"
    )


def test_plural_forms_are_declared_for_spanish():
    with (CATALOGS / "django.mo").open("rb") as file:
        catalog = gettext.GNUTranslations(file)
    assert catalog.ngettext("%(counter)s story", "%(counter)s stories", 1) == "%(counter)s noticia"
    assert catalog.ngettext("%(counter)s story", "%(counter)s stories", 2) == "%(counter)s noticias"
    assert catalog.ngettext("%(counter)s story", "%(counter)s stories", 0) == "%(counter)s noticias"
