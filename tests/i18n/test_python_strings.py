"""Issue 16, the Python half: every user-facing string in our Python goes through gettext, each
app's Spanish catalog holds every string its code marks, and Spanish plurals come out right.

The templates' half (and the catalog at the repo root) is tests/i18n/test_templates*.py.
"""

import ast
import gettext as gettext_module
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import translation

from articles import checks, workflow
from articles.models import Article
from tests.factories import make_article, make_reporter, make_subscriber, make_user

ROOT = Path(settings.BASE_DIR)
APPS = ["articles", "newsletter", "wire", "api", "newsroom", "admin_forms"]

# Not looked at: the schema history, developer-facing command output, the settings (read by the
# deployer, not the reader) and the demo's content (stories, not interface; load_demo picks the
# language of that itself).
SKIPPED_PARTS = {"migrations", "management", "demo_content"}
SKIPPED_FILES = {"newsroom/settings.py"}

GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}

# Keyword arguments whose value a person reads, wherever they are passed (a model or form field,
# admin.display, admin.action, an email).
TEXT_KEYWORDS = {
    "verbose_name",
    "verbose_name_plural",
    "help_text",
    "label",
    "empty_label",
    "description",
    "subject",
    "title",
}
# Class attributes a person reads: Meta's names, list_filter titles, admin.action's older
# spelling, the feeds' title and description, a form's refusal prefix.
TEXT_ATTRIBUTES = {
    "verbose_name",
    "verbose_name_plural",
    "short_description",
    "title",
    "description",
    "refusal",
}
# Keys of a dict (a template's context, a fieldset's options) whose value a person reads.
TEXT_DICT_KEYS = {"title", "description", "button"}
# Calls whose message argument is shown to a person, and the argument's position.
MESSAGE_CALLS = {
    "success": 1,
    "error": 1,
    "warning": 1,
    "info": 1,
    "debug": 1,
    "add_message": 2,
    "message_user": 1,
}
# Exceptions whose message is shown to the person who asked (forms, the workflow's refusals the
# admin turns into messages, the newsletter's sending refusals, the wire desk's import refusals).
SHOWN_EXCEPTIONS = {
    "ValidationError",
    "TransitionError",
    "TransitionNotAllowed",
    "InvalidTransition",
    "StaleArticleError",
    "PermissionDenied",
    "EditionError",
    "NothingNew",
    "WireFormatError",
}

# (file, a literal the check flags there): strings that are not for translation, with why.
ALLOWLIST = {
    # JSON error reasons of the API are read by programs, not people; they stay English so a
    # client can match them whatever language the deployment speaks.
    ("api/views.py", "*"),
    ("api/forms.py", "*"),
    ("api/cursors.py", "*"),
    ("api/middleware.py", "*"),
    # The OpenAPI description is the API's contract, like its error reasons: English.
    ("api/openapi.py", "*"),
    # newsroom/middleware.py belongs to the templates' half of issue 16 (branch i18n).
    ("newsroom/middleware.py", "*"),
}


def python_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if SKIPPED_PARTS & set(relative.parts) or str(relative) in SKIPPED_FILES:
                continue
            yield relative


def _is_gettext_call(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name in GETTEXT


def untranslated(node) -> str | None:
    """The text of a literal a person would read untranslated in `node`, or None.

    A variable or another call's result is trusted (it was translated where it was made);
    a literal, an f-string, or a literal glued to anything is not."""
    if node is None:
        return None
    if _is_gettext_call(node):
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
        return text if any(c.isalpha() for c in text) else None
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return f"f-string “{literal}”" if any(c.isalpha() for c in literal) else None
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mod):
            return untranslated(node.left)
        return untranslated(node.left) or untranslated(node.right)
    if isinstance(node, ast.IfExp):
        return untranslated(node.body) or untranslated(node.orelse)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in {"format_html", "mark_safe"} and node.args:
            return untranslated(node.args[0])
        if name == "format" and isinstance(func, ast.Attribute):
            return untranslated(func.value)
        if name == "join" and isinstance(func, ast.Attribute) and node.args:
            return untranslated(node.args[0]) if not isinstance(node.args[0], ast.Name) else None
    if isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            if found := untranslated(element):
                return found
    return None


class Finder(ast.NodeVisitor):
    def __init__(self):
        self.found: list[tuple[int, str, str]] = []
        self.in_choices = 0

    def flag(self, node, where: str, value) -> None:
        if text := untranslated(value):
            self.found.append((node.lineno, where, text))

    def visit_Call(self, node):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in MESSAGE_CALLS and (
            name in {"message_user", "add_message"}
            or (isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "messages")
        ):
            position = MESSAGE_CALLS[name]
            if len(node.args) > position:
                self.flag(node, f"{name}()", node.args[position])
            for keyword in node.keywords:
                if keyword.arg == "message":
                    self.flag(node, f"{name}(message=)", keyword.value)
        if name in SHOWN_EXCEPTIONS and node.args:
            self.flag(node, f"{name}()", node.args[0])
        # A model field's verbose name, given first: models.CharField("item id", …).
        is_model_field = (
            isinstance(func, ast.Attribute)
            and getattr(func.value, "id", "") == "models"
            and name.endswith("Field")
            and name not in {"OneToOneField", "ManyToManyField"}
        )
        if is_model_field and node.args:
            self.flag(node, f"{name}() verbose name", node.args[0])
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                self.flag(node, f"{keyword.arg}=", keyword.value)
            if keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
                for choice in keyword.value.elts:
                    if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                        self.flag(choice, "choices", choice.elts[1])
            if keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                for message in keyword.value.values:
                    self.flag(message, "error_messages=", message)
        self.generic_visit(node)

    def visit_Dict(self, node):
        # A page's title or a fieldset's description, handed to a template in a dict.
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in TEXT_DICT_KEYS:
                self.flag(value, f"{{{key.value!r}: …}}", value)
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        bases = {getattr(b, "attr", getattr(b, "id", "")) for b in node.bases}
        is_choices = bool(bases & {"TextChoices", "IntegerChoices", "Choices"})
        for statement in node.body:
            if isinstance(statement, ast.Assign):
                targets = {getattr(t, "id", None) for t in statement.targets}
                if targets & TEXT_ATTRIBUTES:
                    self.flag(statement, f"{node.name}.{targets.pop()}", statement.value)
                if is_choices and isinstance(statement.value, ast.Tuple):
                    self.flag(statement, f"{node.name} choice", statement.value.elts[-1])
        self.generic_visit(node)

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in {"short_description"}:
                self.flag(node, target.attr, node.value)
        self.generic_visit(node)


def findings():
    for path in python_modules():
        allowed = {literal for file, literal in ALLOWLIST if file == str(path)}
        if "*" in allowed:
            continue
        finder = Finder()
        finder.visit(ast.parse(path.read_text(), filename=str(path)))
        for line, where, text in finder.found:
            if text not in allowed:
                yield f"{path}:{line} {where}: {text}"


CAUGHT = [
    'messages.success(request, f"{n} stories were published.")',
    'messages.error(request, "Not scheduled: " + reason)',
    'self.message_user(request, "Done.", messages.SUCCESS)',
    'raise ValidationError("Too long.")',
    'raise InvalidTransition(f"“{headline}” is live.")',
    'title = models.CharField(max_length=9, help_text="Shown on the page.")',
    'field = forms.CharField(label="Headline", error_messages={"required": "Write one."})',
    'admin.display(description="Photo")',
    'class Kind(models.TextChoices):\n    NEWS = "news", "News"',
    'class Meta:\n    verbose_name = "story"',
    'item_id = models.CharField("item id", max_length=255)',
    'TemplateResponse(request, "page.html", {"title": "Schedule articles"})',
    'messages.info(request, format_html("<b>{}</b> was published", headline))',
]
PASSED = [
    'messages.success(request, gettext("“%(h)s” was published.") % {"h": h})',
    'messages.info(request, ngettext("%(n)d story", "%(n)d stories", n) % {"n": n})',
    "messages.warning(request, str(exc))",
    'raise ValidationError(_("Too long."), code="too_long")',
    'admin.display(description=pgettext_lazy("column", "Update"))',
    'class Kind(models.TextChoices):\n    NEWS = "news", _("News")',
    'messages.info(request, format_html(gettext("<b>{}</b> was published"), headline))',
    'messages.error(request, form.refusal % {"errors": errors})',
    'item_id = models.CharField(_("item id"), max_length=255)',
    'article = models.ForeignKey("articles.Article", on_delete=models.CASCADE)',
]


@pytest.mark.parametrize("source", CAUGHT)
def test_the_check_catches_an_untranslated_string(source):
    finder = Finder()
    finder.visit(ast.parse(source))
    assert finder.found, source


@pytest.mark.parametrize("source", PASSED)
def test_the_check_lets_translated_strings_through(source):
    finder = Finder()
    finder.visit(ast.parse(source))
    assert not finder.found, source


def test_no_user_facing_literal_outside_gettext():
    found = list(findings())
    assert not found, "Wrap these in gettext (or allowlist them with a reason):\n" + "\n".join(
        found
    )


# --- (b) each app's catalog holds every string its Python marks ------------------------------

# An app's catalog is made in its own folder, leaving out what the check above leaves out:
#   cd <app> && ../manage.py makemessages -l es -e py -i 'management/*' -i 'demo_content/*'
# (newsroom: also -i settings.py -i middleware.py, the templates' half's, branch i18n).
NOT_IN_CATALOGS = ["management/*", "demo_content/*", "migrations/*"]
CATALOG_APPS = {
    "articles": NOT_IN_CATALOGS,
    "newsletter": NOT_IN_CATALOGS,
    "wire": NOT_IN_CATALOGS,
    "api": NOT_IN_CATALOGS,
    "newsroom": [*NOT_IN_CATALOGS, "settings.py", "middleware.py"],
}
GNU_GETTEXT = shutil.which("xgettext") and shutil.which("msgfmt")
needs_gettext = pytest.mark.skipif(
    not GNU_GETTEXT,
    reason="GNU gettext (xgettext, msgfmt) is not installed: apt-get install gettext",
)


def po_keys(path: Path) -> set:
    """The msgids of a .po file, as GNUTranslations keys them ("context\\x04id" with a
    context, (id, 0) for a plural), the header left out."""
    unescape = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    entries, entry, field = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry, field = {}, None
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = line
        else:
            field, value = line.split(" ", 1)
        text = re.sub(r"\\(.)", lambda m: unescape[m.group(1)], value.strip()[1:-1])
        entry[field] = entry.get(field, "") + text
    keys = set()
    for entry in entries:
        msgid = entry.get("msgid", "")
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if msgid:
            keys.add((msgid, 0) if "msgid_plural" in entry else msgid)
    return keys


def compiled(po: Path, mo: Path) -> dict:
    subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as handle:
        return gettext_module.GNUTranslations(handle)._catalog


@needs_gettext
@pytest.mark.parametrize("app", sorted(CATALOG_APPS))
def test_app_catalog_translates_every_marked_string(app, tmp_path, monkeypatch):
    copy = tmp_path / app
    shutil.copytree(ROOT / app, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()  # makemessages writes here, never into the worktree's catalogs
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["es"],
        extensions=["py"],
        ignore_patterns=CATALOG_APPS[app],
        no_obsolete=True,
        verbosity=0,
    )
    extracted = po_keys(copy / "locale/es/LC_MESSAGES/django.po")
    committed = ROOT / app / "locale/es/LC_MESSAGES/django.po"
    catalog = compiled(committed, tmp_path / "committed.mo")  # msgfmt leaves out fuzzy and empty

    missing = sorted(str(key) for key in extracted if not catalog.get(key))
    assert extracted and not missing, (
        f"{app}'s Spanish catalog lacks these (run makemessages in {app}/ and translate):\n"
        + "\n".join(missing)
    )
    assert "#, fuzzy" not in committed.read_text(encoding="utf-8")
    mo = committed.with_suffix(".mo")
    with mo.open("rb") as handle:
        shipped = gettext_module.GNUTranslations(handle)._catalog
    assert shipped == catalog, f"{mo} is older than its .po: run compilemessages in {app}/"


def test_catalogs_use_the_agreed_plural_forms():
    for app in CATALOG_APPS:
        header = (ROOT / app / "locale/es/LC_MESSAGES/django.po").read_text(encoding="utf-8")
        assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header, app


# --- (c) Spanish, plurals included, from the Python side --------------------------------------


@pytest.fixture
def spanish(settings):
    """A Spanish deployment: the site's language, and this thread's."""
    settings.LANGUAGE_CODE = "es"
    with translation.override("es"):
        yield


@pytest.mark.parametrize(
    ("words", "expected"),
    [(1, "El cuerpo es muy corto (1 palabra)."), (2, "El cuerpo es muy corto (2 palabras).")],
)
def test_prepublish_check_counts_words_in_spanish(db, spanish, words, expected):
    article = make_article(body="<p>" + " ".join(["palabra"] * words) + "</p>")

    assert expected in [check.message for check in checks.prepublish_checks(article)]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Correo de confirmación en cola para 1 suscriptor."),
        (2, "Correo de confirmación en cola para 2 suscriptores."),
    ],
)
def test_bulk_resend_says_how_many_subscribers_in_spanish(
    client, terms, spanish, django_capture_on_commit_callbacks, count, expected
):
    staff = make_user("newsdesk")
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletter",
            codename__in=["view_subscriber", "change_subscriber"],
        )
    )
    client.force_login(staff)
    pending = [make_subscriber(f"reader{n}@example.com") for n in range(count)]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/newsletter/subscriber/",
            {"action": "resend_confirmation", "_selected_action": [s.pk for s in pending]},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="es",
        )

    assert [str(m) for m in response.context["messages"]] == [expected]


def test_bulk_publish_reports_each_article_and_sums_up_in_spanish(editor_client, spanish):
    first = make_article(headline="Primera", status=Article.Status.DRAFT)
    second = make_article(headline="Segunda", status=Article.Status.DRAFT)

    response = editor_client.post(
        "/admin/articles/article/",
        {"action": "publish_selected", "_selected_action": [first.pk, second.pk], "apply": "1"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert [(m.level, str(m)) for m in response.context["messages"]] == [
        (messages.SUCCESS, "“Primera” ha sido publicado."),
        (messages.SUCCESS, "“Segunda” ha sido publicado."),
        (messages.INFO, "Resumen: 2 de 2 artículos seleccionados (publicado)."),
    ]


def test_workflow_refusal_names_the_status_and_transition_in_spanish(editor_client, spanish):
    live = make_article(headline="En portada", status=Article.Status.PUBLISHED)

    response = editor_client.post(
        f"/admin/articles/article/{live.pk}/transition/submit/",
        {"version": live.version},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert [str(m) for m in response.context["messages"]] == [
        "“En portada” está en estado «publicado»; desde ahí no puede ser enviado a revisión."
    ]


def test_workflow_email_speaks_the_sites_language_not_the_senders(
    settings, editor, django_capture_on_commit_callbacks, mailoutbox
):
    """The notification is sent by a task, outside any request: a Spanish newsroom's editors
    get Spanish subjects even when the person who acted used the admin in English."""
    settings.LANGUAGE_CODE = "es"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    reporter = make_reporter("rita")
    article = make_article(
        headline="Ferris", status=Article.Status.DRAFT, authors=[reporter.author]
    )

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, by=reporter)

    assert [message.subject for message in mailoutbox] == ["Para revisar: Ferris"]
