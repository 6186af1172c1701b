"""The yardsticks for bench/pages.py: a bare Django project with two views, served by gunicorn
exactly like the site (`gunicorn bench.bare_site:application`).

- `/ok`: returns "ok" — Django's floor: request, URL resolving, response, nothing else.
- `/page`: renders a 13 KB template (a masthead, 17 story cards in a loop, a footer) from a
  context of plain Python objects — what templating alone costs, with no database.

This module is its own settings module, URLconf and WSGI application.
"""

import sys
from datetime import datetime
from pathlib import Path

import django
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{{ description }}">
<link rel="stylesheet" href="/static/site.css"></head>
<body><header class="masthead"><a class="masthead__title" href="/">{{ site_name }}</a>
<nav><ul>{% for section in sections %}<li><a href="/section/{{ section|slugify }}/">{{ section }}</a></li>{% endfor %}</ul></nav></header>
<main class="page"><h1>{{ title }}</h1><ul class="card-grid">
{% for story in stories %}<li><article class="card"><div class="card__text">
<p class="card__section"><a href="/section/{{ story.section|slugify }}/">{{ story.section }}</a></p>
<h3 class="card__headline"><a href="/articles/{{ story.slug }}/">{{ story.headline }}</a></h3>
<p class="card__standfirst">{{ story.standfirst|truncatewords:40 }}</p>
<div class="card__meta"><p class="byline">By {% for author in story.authors %}<a href="/author/{{ author|slugify }}/">{{ author }}</a>{% if not forloop.last %}, {% endif %}{% endfor %}</p>
<p><time datetime="{{ story.published|date:'c' }}">{{ story.published|date:"j M Y, H:i" }}</time></p></div>
</div></article></li>
{% endfor %}</ul></main>
<footer><p>{{ site_name }}</p><ul>{% for section in sections %}<li><a href="/section/{{ section|slugify }}/">{{ section }}</a></li>{% endfor %}</ul></footer>
</body></html>
"""  # noqa: E501 (a template: its lines are markup)

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only-not-secret",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        (
                            "django.template.loaders.cached.Loader",
                            [("django.template.loaders.locmem.Loader", {"page.html": PAGE})],
                        )
                    ]
                },
            }
        ],
    )
    django.setup()

SECTIONS = ["News", "Politics", "Business", "Sport", "Culture", "Science", "World", "Opinion"]
STORIES = [
    {
        "section": SECTIONS[n % len(SECTIONS)],
        "slug": f"story-number-{n}-about-the-river-and-the-town",
        "headline": f"Story {n}: the council votes on the flood barrier after a long night",
        "standfirst": "Engineers say the barrier held, but residents downstream want to know "
        "why the warning came so late and who will pay for the clean-up this time.",
        "authors": ["Amara Okafor", "Tom Reyes"] if n % 3 else ["Jo Lind"],
        "published": datetime(2025, 3, 1 + n % 27, 9, n % 60),
    }
    for n in range(17)
]


def ok(request):
    return HttpResponse("ok")


def page(request):
    context = {
        "title": "The latest news",
        "description": "Independent news, reported and edited by the bench.",
        "site_name": "The Bench",
        "sections": SECTIONS,
        "stories": STORIES,
    }
    return render(request, "page.html", context)


urlpatterns = [path("ok", ok), path("page", page)]

from django.core.wsgi import get_wsgi_application  # noqa: E402 (settings come first)

application = get_wsgi_application()
