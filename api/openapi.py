"""The OpenAPI 3.1 description of the content API, served as JSON and rendered as a page."""

from typing import Any

from django.conf import settings
from django.urls import reverse

from .forms import DEFAULT_LIMIT, MAX_LIMIT
from .ninjs import STANDARD

NINJS_ITEM = {"$ref": STANDARD["schema"]}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


KEY_ERRORS = {
    "401": _error("No key, or a key that is not valid (when keys are required, or one was sent)."),
    "403": _error("The key was revoked."),
    "429": _error(
        "The key made too many requests this minute; `Retry-After` says how long to wait."
    ),
}


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}  # fmt: skip


def description(request) -> dict[str, Any]:
    base = request.build_absolute_uri("/").rstrip("/")
    security: list[dict] = [{"bearer": []}, {"apiKeyHeader": []}]
    if not settings.API_REQUIRE_KEY:
        security.append({})  # open: a key is optional
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{settings.SITE_NAME} content API",
            "version": "1",
            "description": (
                "Read-only access to every live article as an IPTC ninjs 3.0 news item. "
                "Responses carry `ETag` and `Cache-Control` like the site's pages: send "
                "`If-None-Match` to get `304 Not Modified` for what has not changed. "
                + (
                    "A key is required."
                    if settings.API_REQUIRE_KEY
                    else "A key is optional; with one, its own rate limit applies."
                )
                + " Keys travel in a header, never in the URL."
            ),
        },
        "externalDocs": {"description": "IPTC ninjs", "url": "https://iptc.org/standards/ninjs/"},
        "servers": [{"url": base}],
        "security": security,
        "paths": {
            reverse("api:articles"): {
                "get": {
                    "operationId": "listArticles",
                    "summary": "Live articles, newest first",
                    "description": (
                        "A page of live articles, newest first by publication time. `next` is the "
                        "URL of the following page (null on the last); it stays correct while "
                        "new stories are published."
                    ),
                    "parameters": [
                        _query("section", "Only this section (its slug).", {"type": "string"}),
                        _query(
                            "tag", "Only articles with this tag (its slug).", {"type": "string"}
                        ),
                        _query(
                            "author", "Only articles by this author (slug).", {"type": "string"}
                        ),
                        _query(
                            "updated_since",
                            "Only articles published or changed at or after this ISO 8601 time.",
                            {"type": "string", "format": "date-time"},
                        ),
                        _query(
                            "limit",
                            f"Articles per page (default {DEFAULT_LIMIT}).",
                            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                        ),
                        _query("cursor", "Where the page starts: from `next`.", {"type": "string"}),
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of articles.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ArticlePage"}
                                }
                            },
                        },
                        "304": {"description": "Not modified since the `ETag` you sent."},
                        "400": _error("A parameter is unknown or not valid; `fields` says which."),
                        **KEY_ERRORS,
                    },
                }
            },
            reverse("api:article", kwargs={"ident": "0"})[:-1] + "{id}": {
                "get": {
                    "operationId": "getArticle",
                    "summary": "One live article",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "description": "The article's id, or its ninjs `uri`.",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The article as a ninjs 3.0 item.",
                            "content": {"application/json": {"schema": NINJS_ITEM}},
                        },
                        "304": {"description": "Not modified since the `ETag` you sent."},
                        "404": _error("No live article has this id (or it is not published)."),
                        **KEY_ERRORS,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <key>`",
                },
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
            "schemas": {
                "ArticlePage": {
                    "type": "object",
                    "required": ["items", "next"],
                    "properties": {
                        "items": {"type": "array", "items": NINJS_ITEM},
                        "next": {"type": ["string", "null"], "format": "uri"},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {"type": "string", "description": "What went wrong, for people."},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
        },
    }
