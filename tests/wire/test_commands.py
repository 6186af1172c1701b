"""The command and the drop folder: one line per item, non-zero exit on refusal, files moved
to done/ or failed/ with a reason, and two ingesters at once importing each item once."""

import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article
from tests.factories import image_bytes, make_section
from tests.wire.conftest import FIXTURES, fixture_bytes
from wire.dropfolder import process_folder
from wire.models import WireItem, WireVersion

pytestmark = pytest.mark.django_db


def test_import_wire_prints_one_line_per_item(section, tmp_path, capsys):
    (tmp_path / "a.json").write_bytes(fixture_bytes("ninjs2.json"))
    (tmp_path / "b.xml").write_bytes(fixture_bytes("newsml_nitf.xml"))
    call_command("import_wire", str(tmp_path / "a.json"), str(tmp_path / "b.xml"))
    call_command("import_wire", str(tmp_path / "a.json"))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["created", "created", "unchanged"]
    assert Article.objects.count() == 2


def test_import_wire_takes_a_picture_from_the_items_folder(section, tmp_path):
    (tmp_path / "story.json").write_bytes(fixture_bytes("ninjs2.json"))
    (tmp_path / "barrier.jpg").write_bytes(image_bytes())
    call_command("import_wire", str(tmp_path))
    assert Article.objects.get().hero_image is not None


def test_import_wire_exits_non_zero_on_refusal_but_imports_the_rest(section, capsys):
    with pytest.raises(CommandError, match="3 item"):
        call_command(
            "import_wire",
            str(FIXTURES / "billion_laughs.xml"),
            str(FIXTURES / "ninjs3.json"),
            str(FIXTURES / "malformed.json"),
            str(FIXTURES / "external_entity.xml"),
        )
    captured = capsys.readouterr()
    assert captured.out.startswith("created: ")
    assert captured.err.count("refused: ") == 3
    assert "DTD or entities" in captured.err
    assert Article.objects.count() == 1


def test_import_wire_refuses_a_fifty_megabyte_file_unread(section, tmp_path, capsys):
    huge = tmp_path / "huge.json"
    with huge.open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    with pytest.raises(CommandError):
        call_command("import_wire", str(huge))
    assert "wire items may be at most" in capsys.readouterr().err


def test_plain_text_through_the_command_needs_a_source(section, tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_wire", str(FIXTURES / "pasted_email.txt"))
    call_command("import_wire", str(FIXTURES / "pasted_email.txt"), "--source", "Island Times")
    assert Article.objects.get().credit_line == "Island Times"


def test_drop_folder_moves_files_with_reasons(section, tmp_path):
    (tmp_path / "good.json").write_bytes(fixture_bytes("ninjs2.json"))
    (tmp_path / "again.json").write_bytes(fixture_bytes("ninjs2.json"))
    (tmp_path / "bad.xml").write_bytes(fixture_bytes("billion_laughs.xml"))
    call_command("ingest_wire", "--watch", str(tmp_path), "--once")
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == [
        "again.json",
        "again.json.reason.txt",
        "good.json",
        "good.json.reason.txt",
    ]
    assert sorted(p.name for p in (tmp_path / "failed").iterdir()) == [
        "bad.xml",
        "bad.xml.reason.txt",
    ]
    assert "DTD or entities" in (tmp_path / "failed" / "bad.xml.reason.txt").read_text()
    assert not list((tmp_path / "processing").iterdir())
    assert WireItem.objects.count() == 1 and WireVersion.objects.count() == 1


def test_drop_folder_reimport_changes_nothing(section, tmp_path):
    (tmp_path / "story.json").write_bytes(fixture_bytes("ninjs2.json"))
    call_command("ingest_wire", "--watch", str(tmp_path), "--once")
    version = Article.objects.get().version
    (tmp_path / "story.json").write_bytes(fixture_bytes("ninjs2.json"))
    call_command("ingest_wire", "--watch", str(tmp_path), "--once")
    assert Article.objects.get().version == version
    assert "unchanged" in (tmp_path / "done" / "story.2.json.reason.txt").read_text()


def test_a_file_left_in_processing_by_a_dead_ingester_is_retried(section, tmp_path):
    (tmp_path / "processing").mkdir()
    (tmp_path / "processing" / "story.json").write_bytes(fixture_bytes("ninjs2.json"))
    call_command("ingest_wire", "--watch", str(tmp_path), "--once")
    assert not Article.objects.exists()  # claimed a moment ago: its ingester may be working
    call_command("ingest_wire", "--watch", str(tmp_path), "--once", "--stale-after", "0")
    assert Article.objects.count() == 1
    assert (tmp_path / "done" / "story.json").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ingesters_at_once_import_each_item_once(tmp_path):
    """Each item is dropped three times under different names; two ingesters race over
    them. Every file ends in done/, and each item (and version) is stored exactly once."""
    make_section("News")
    items = 12
    for number in range(items):
        item = {
            "uri": f"urn:race:{number}",
            "copyrightholder": "AP",
            "headline": f"Story {number}",
            "body_html": f"<p>Text {number}.</p>",
        }
        body = json.dumps(item).encode()
        for copy in range(3):
            (tmp_path / f"{number:02d}-{copy}.json").write_bytes(body)
    start = threading.Barrier(2)
    outcomes: list[list] = [[], []]
    errors = []

    def ingester(number: int):
        try:
            start.wait()
            outcomes[number] = process_folder(tmp_path)
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ingester, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(outcomes), "both ingesters took a share of the files"
    results = [o.result for o in outcomes[0] + outcomes[1]]
    assert len(results) == items * 3  # each file handled by exactly one ingester
    assert results.count("created") == items
    assert results.count("unchanged") == items * 2
    assert WireItem.objects.count() == items
    assert WireVersion.objects.count() == items
    assert Article.objects.count() == items
    done = [p for p in (tmp_path / "done").iterdir() if p.suffix == ".json"]
    assert len(done) == items * 3
    assert not list((tmp_path / "failed").iterdir())
    assert not list((tmp_path / "processing").iterdir())
