"""Every public URL pattern, walked with hostile query strings, bodies and methods: nothing
answers 5xx and nothing changes state (no subscriber, consent, article or signup appears)."""

import itertools

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from articles.models import Article, ArticleEvent, ShareLink
from newsletter.models import (
    ConsentRecord,
    Edition,
    Newsletter,
    SignupRequest,
    Subscriber,
    Subscription,
)
from tests.factories import make_article, make_author, make_editor, make_subscriber

pytestmark = pytest.mark.django_db

QUERIES = [
    "page=%C2%B2",  # ²
    "page=%D9%A3",  # Arabic-Indic three
    "page=" + "9" * 5000,
    "page=1&page=2&page=%C2%B2",
    "p=%C2%B2",
    "q=%00",
    "q=%ED%A0%80",  # a lone surrogate, UTF-8 encoded
    "q=%FF%FE",  # not UTF-8 at all
    "q=harbour&" * 200,
    "q=" + "a" * 20000,
    "page=-1&q=%27%22%3Cscript%3E",
]
BODIES = [
    (
        "application/x-www-form-urlencoded; charset=utf-16",
        "email=a\x00@example.org".encode("utf-16"),
    ),
    ("application/x-www-form-urlencoded", b"email=%ED%A0%80@example.org&agree=%00"),
    ("application/x-www-form-urlencoded", b"email=a@example.org&email=b@example.org&website=x"),
    ("multipart/form-data; boundary=nothing", b"--else\r\n\r\n"),
    ("application/json", b'{"email": "a@example.org", "agree": true'),
    ("text/plain; charset=ebcdic", b"\x00\xff" * 100),
]
METHODS = ["put", "patch", "delete", "trace", "options", "head"]


def public_patterns(resolver=None, prefix=""):
    """(namespaced name, route) for every named URL outside the admin and media."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("admin/", "media/")):
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from public_patterns(pattern, namespace)
        elif (
            isinstance(pattern, URLPattern)
            and pattern.name
            and not str(pattern.pattern).startswith(("admin/", "media/"))
        ):
            yield f"{prefix}{pattern.name}", pattern.pattern.converters


@pytest.fixture
def site(terms):
    author = make_author("Amara Okafor")
    story = make_article("Harbour reopens", authors=[author], tags=["Harbour"])
    draft = make_article("Secret draft", status=Article.Status.DRAFT)
    subscriber = make_subscriber("reader@example.com")
    newsletter = Newsletter.objects.default()
    edition = Edition.objects.create(
        newsletter=newsletter, subject="Morning", status=Edition.Status.SENT
    )
    return {
        "slug": [
            story.slug,
            story.section.slug,
            "harbour",
            author.slug,
            draft.slug,
            newsletter.slug,
            "x" * 300,
        ],
        "pk": [edition.pk, 10**30],
        "token": [
            subscriber.confirmation_token(),
            subscriber.unsubscribe_token(),
            subscriber.unsubscribe_token(newsletter),
            subscriber.manage_token(),
            "garbage",
        ],
        "section": ["articles", "sections", "nope"],
        # The content API's article: an id or its ninjs uri (api/urls.py).
        "ident": [story.pk, draft.pk, 10**30, f"http://testserver/x/{story.pk}", "x" * 300],
        "editor": make_editor(),
    }


def urls(site) -> list[tuple[str, bool]]:
    """Each URL, and whether a POST to it acts by design (a valid confirm, unsubscribe or
    manage link: its signed token authorises any POST, as one-click unsubscribe requires)."""
    found = []
    for name, converters in public_patterns():
        names = list(converters)
        for values in itertools.product(*(site[kwarg] for kwarg in names)):
            kwargs = dict(zip(names, values, strict=True))
            acts = kwargs.get("token", "garbage") != "garbage"
            found.append((reverse(name, kwargs=kwargs), acts))
    return found


def state() -> tuple:
    return (
        Subscriber.objects.count(),
        list(Subscriber.objects.values_list("status", flat=True)),
        ConsentRecord.objects.count(),
        SignupRequest.objects.count(),
        Subscription.objects.filter(left_at__isnull=True).count(),
        list(Article.objects.values_list("status", "version")),
        ArticleEvent.objects.count(),
        ShareLink.objects.count(),
    )


def test_every_public_url_survives_hostile_input_without_changing_state(site):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/admin/login/")  # a CSRF cookie, so POSTs reach the views
    token = client.cookies["csrftoken"].value
    before = state()
    tried = 0
    failures = []

    def check(response, what):
        nonlocal tried
        tried += 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {what}")

    for url, acts_on_post in urls(site):
        for query in QUERIES:
            check(client.get(f"{url}?{query}"), f"GET {url}?{query[:40]}")
        for content_type, body in [] if acts_on_post else BODIES:
            response = client.generic(
                "POST", url, body, content_type=content_type, HTTP_X_CSRFTOKEN=token
            )
            check(response, f"POST {url} {content_type}")
        for method in METHODS:
            check(getattr(client, method)(url), f"{method.upper()} {url}")

    assert failures == []
    assert state() == before
    assert tried > 500
