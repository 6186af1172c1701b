"""Health checks and security.txt: never cached, revealing no versions or settings."""

import pytest
from django.db import DatabaseError

from newsroom import views

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_and_is_never_cached(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "tasks": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_fails_without_saying_why(client, monkeypatch):
    def database_down():
        raise DatabaseError("could not connect to server at 10.0.0.5, PostgreSQL 16.2")

    monkeypatch.setitem(views.CHECKS, "database", database_down)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["database"] == "failing"
    assert b"10.0.0.5" not in response.content and b"PostgreSQL" not in response.content


def test_security_txt_names_the_contact_from_settings(client, settings):
    settings.SECURITY_CONTACT = "mailto:security@news.example.org"

    response = client.get("/.well-known/security.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Contact: mailto:security@news.example.org\n" in text
    assert "Expires: " in text
