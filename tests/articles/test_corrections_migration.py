"""0010_corrections turns each article's old note into the first entry of its record, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0009_article_embargo_credit_line")]
AFTER = [("articles", "0010_corrections")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_each_note_becomes_the_first_entry_and_goes_back():
    old = migrate(BEFORE)
    Section, Article = old.get_model("articles", "Section"), old.get_model("articles", "Article")
    section = Section.objects.create(name="News", slug="news")
    common = {"section": section, "standfirst": "S.", "publish_at": timezone.now()}
    noted = Article.objects.create(
        headline="A", slug="a", note="Misnamed <the> bridge.", note_kind="correction", **common
    )
    Article.objects.create(headline="B", slug="b", note="", **common)

    new = migrate(AFTER)
    Correction = new.get_model("articles", "Correction")
    entry = Correction.objects.get()
    assert (entry.article_id, entry.kind, entry.status) == (noted.pk, "correction", "approved")
    assert entry.text == "Misnamed &lt;the&gt; bridge."

    back = migrate(BEFORE)
    restored = back.get_model("articles", "Article").objects.get(pk=noted.pk)
    assert (restored.note, restored.note_kind) == ("Misnamed <the> bridge.", "correction")
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
