"""The demo newsroom that `manage.py load_demo` loads: sections, authors and stories.

Everything here is fictional and written for the demo. Stories live in `stories_a` and
`stories_b`; each is a dict in the format `story_problems()` checks. `LANGUAGES` holds the
demo in each language it is written in (`load_demo --language es`): the English one, and a
Spanish one with its own sections and stories (`stories_es`) and the same authors, whose bios
are translated.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import strip_tags

from . import stories_a, stories_b, stories_es

SECTIONS = [
    {
        "slug": "news",
        "name": "News",
        "position": 1,
        "description": "What happened today across the region, reported from the ground.",
    },
    {
        "slug": "politics",
        "name": "Politics",
        "position": 2,
        "description": "Councils, parliaments and campaigns, and what their decisions mean "
        "for the people who live with them.",
    },
    {
        "slug": "business",
        "name": "Business",
        "position": 3,
        "description": "Companies, jobs, markets and money, followed from the boardroom to "
        "the shop floor.",
    },
    {
        "slug": "climate",
        "name": "Climate",
        "position": 4,
        "description": "Energy, water, weather and the slow work of adapting to a warming world.",
    },
    {
        "slug": "culture",
        "name": "Culture",
        "position": 5,
        "description": "Books, stages, screens and galleries, and the people who keep them open.",
    },
]

# `login` names the staff account that writes as this author (see load_demo).
AUTHORS = [
    {
        "slug": "amara-okafor",
        "name": "Amara Okafor",
        "bio": "Amara Okafor is our chief political correspondent, covering parliament, "
        "elections and the people who run them. She has been at the paper for nine years.",
    },
    {
        "slug": "daniel-reyes",
        "name": "Daniel Reyes",
        "bio": "Daniel Reyes reports on business, trade and the world of work, with a "
        "particular eye on small firms. He joined the paper six years ago from a financial "
        "wire service.",
    },
    {
        "slug": "ingrid-solberg",
        "name": "Ingrid Solberg",
        "bio": "Ingrid Solberg is the news editor and still writes on housing and city "
        "government when the desk allows. She has worked at the paper for fourteen years.",
        "login": "editor",
    },
    {
        "slug": "tomasz-nowak",
        "name": "Tomasz Nowak",
        "bio": "Tomasz Nowak covers climate, energy and water, from grid connections to "
        "drought plans. He has been on the climate desk for five years.",
    },
    {
        "slug": "priya-raman",
        "name": "Priya Raman",
        "bio": "Priya Raman is our health and science reporter, covering hospitals, research "
        "and public health. She has been with the paper for seven years.",
    },
    {
        "slug": "hugo-marchetti",
        "name": "Hugo Marchetti",
        "bio": "Hugo Marchetti writes about the arts, from opera houses to community halls. "
        "He has been the paper's culture correspondent for eleven years.",
    },
    {
        "slug": "leila-haddad",
        "name": "Leila Haddad",
        "bio": "Leila Haddad covers courts, justice and civil liberties. She joined the paper "
        "four years ago after training as a paralegal.",
    },
    {
        "slug": "samuel-whitlock",
        "name": "Samuel Whitlock",
        "bio": "Samuel Whitlock is a general news reporter covering transport, schools and "
        "local services. He joined the paper three years ago as a trainee.",
        "login": "reporter",
    },
]

SECTIONS_ES = [
    {
        "slug": "noticias",
        "name": "Noticias",
        "position": 1,
        "description": "Lo que ha pasado hoy en la región, contado desde el lugar de los hechos.",
    },
    {
        "slug": "politica",
        "name": "Política",
        "position": 2,
        "description": "Ayuntamientos, parlamentos y campañas, y lo que sus decisiones significan "
        "para quienes viven con ellas.",
    },
    {
        "slug": "economia",
        "name": "Economía",
        "position": 3,
        "description": "Empresas, empleo, mercados y dinero, del consejo de administración al "
        "taller.",
    },
    {
        "slug": "clima",
        "name": "Clima",
        "position": 4,
        "description": "Energía, agua, tiempo y el trabajo lento de adaptarse a un mundo que se "
        "calienta.",
    },
    {
        "slug": "cultura",
        "name": "Cultura",
        "position": 5,
        "description": "Libros, escenarios, pantallas y salas, y la gente que las mantiene "
        "abiertas.",
    },
]

BIOS_ES = {
    "amara-okafor": "Amara Okafor es nuestra corresponsal política jefa: cubre el parlamento, "
    "las elecciones y a quienes las dirigen. Lleva nueve años en el periódico.",
    "daniel-reyes": "Daniel Reyes informa sobre empresas, comercio y el mundo del trabajo, con "
    "especial atención a los pequeños negocios. Llegó hace seis años desde una agencia "
    "financiera.",
    "ingrid-solberg": "Ingrid Solberg es la jefa de la sección de noticias y aún escribe sobre "
    "vivienda y gobierno municipal cuando la mesa se lo permite. Lleva catorce años en el "
    "periódico.",
    "tomasz-nowak": "Tomasz Nowak cubre clima, energía y agua, de las conexiones a la red a los "
    "planes de sequía. Lleva cinco años en la sección de clima.",
    "priya-raman": "Priya Raman es nuestra redactora de salud y ciencia: hospitales, "
    "investigación y salud pública. Lleva siete años en el periódico.",
    "hugo-marchetti": "Hugo Marchetti escribe sobre las artes, de los teatros de ópera a los "
    "centros cívicos. Es el corresponsal de cultura del periódico desde hace once años.",
    "leila-haddad": "Leila Haddad cubre tribunales, justicia y libertades civiles. Llegó al "
    "periódico hace cuatro años tras formarse como auxiliar jurídica.",
    "samuel-whitlock": "Samuel Whitlock es redactor de local: transporte, colegios y servicios "
    "municipales. Entró en el periódico hace tres años como becario.",
}


@dataclass(frozen=True)
class DemoSet:
    """The demo in one language: what load_demo writes, words of its own included."""

    sections: list[dict]
    authors: list[dict]
    story_source: Callable[[], list[dict]]  # read when loading, so tests can swap stories
    portrait_alt: str  # with {name}
    portrait_credit: str

    @property
    def stories(self) -> list[dict]:
        return self.story_source()


PALETTES = {"dusk", "sea", "forest", "city", "sand", "ember"}
STATUSES = {"published", "draft", "review", "scheduled"}
NOTE_KINDS = {"update", "correction", "clarification"}
BLOCK_KINDS = {"quote", "h2"}


def all_stories() -> list[dict]:
    """Every English demo story, from both story modules."""
    return [*stories_a.STORIES, *stories_b.STORIES]


LANGUAGES = {
    "en": DemoSet(
        sections=SECTIONS,
        authors=AUTHORS,
        story_source=lambda: all_stories(),
        portrait_alt="Placeholder portrait of {name}",
        portrait_credit="Demo illustration",
    ),
    "es": DemoSet(
        sections=SECTIONS_ES,
        authors=[{**author, "bio": BIOS_ES[author["slug"]]} for author in AUTHORS],
        story_source=lambda: stories_es.STORIES,
        portrait_alt="Retrato provisional de {name}",
        portrait_credit="Ilustración de demostración",
    ),
}


def paragraphs(story: dict) -> list[str]:
    return [item for item in story["body"] if isinstance(item, str)]


def quotes(story: dict) -> list[tuple]:
    return [item for item in story["body"] if isinstance(item, tuple) and item[0] == "quote"]


def word_count(story: dict) -> int:
    text = []
    for item in story["body"]:
        text.append(item if isinstance(item, str) else " ".join(item[1:]))
    return len(re.findall(r"\w+(?:['’]\w+)*", strip_tags(" ".join(text))))


def story_problems(story: dict, demo: DemoSet | None = None) -> list[str]:
    """What is wrong with one story dict, as sentences; an empty list means it can load.
    Its section and authors are looked up in `demo` (the English demo by default)."""
    demo = demo or LANGUAGES["en"]
    name = story.get("slug") or "a story without a slug"
    problems = []
    for field in ("slug", "headline", "standfirst", "section", "authors", "tags", "body"):
        if not story.get(field):
            problems.append(f"{name}: {field} is missing")
    if problems:
        return problems
    if story["section"] not in {section["slug"] for section in demo.sections}:
        problems.append(f"{name}: unknown section {story['section']!r}")
    unknown = set(story["authors"]) - {author["slug"] for author in demo.authors}
    if unknown:
        problems.append(f"{name}: unknown authors {sorted(unknown)}")
    if not 1 <= len(story["authors"]) <= 3:
        problems.append(f"{name}: needs 1–3 authors, has {len(story['authors'])}")
    if not 3 <= len(story["tags"]) <= 6:
        problems.append(f"{name}: needs 3–6 tags, has {len(story['tags'])}")
    for item in story["body"]:
        if not isinstance(item, str) and (
            not isinstance(item, tuple) or item[0] not in BLOCK_KINDS
        ):
            problems.append(f"{name}: body item {item!r} is not a paragraph, quote or h2")
    if not 8 <= len(paragraphs(story)) <= 20:
        problems.append(f"{name}: needs 8–20 paragraphs, has {len(paragraphs(story))}")
    if len(quotes(story)) < 2:
        problems.append(f"{name}: needs at least 2 block quotes, has {len(quotes(story))}")
    if any(len(quote) != 3 or not quote[2] for quote in quotes(story)):
        problems.append(f"{name}: every quote needs text and an attribution")
    if not 350 <= word_count(story) <= 700:
        problems.append(f"{name}: needs 350–700 words, has {word_count(story)}")
    image = story.get("image") or {}
    if not image.get("alt"):
        problems.append(f"{name}: the hero image needs alt text")
    if image.get("palette") not in PALETTES:
        problems.append(f"{name}: image palette must be one of {sorted(PALETTES)}")
    status = story.get("status", "published")
    if status not in STATUSES:
        problems.append(f"{name}: unknown status {status!r}")
    age = story.get("age_hours")
    if not isinstance(age, int | float):
        problems.append(f"{name}: age_hours must be a number")
    elif status == "scheduled" and age >= 0:
        problems.append(f"{name}: a scheduled story needs a negative age_hours (the future)")
    elif status == "published" and age <= 0:
        problems.append(f"{name}: a published story needs a positive age_hours (the past)")
    note = story.get("note")
    if note and (note.get("kind") not in NOTE_KINDS or not note.get("text")):
        problems.append(f"{name}: a note needs a kind ({sorted(NOTE_KINDS)}) and text")
    return problems
