"""What an article page costs a reader: bytes before images, requests, Largest Contentful Paint.

The byte budget is asserted; the request count and LCP are recorded (printed and written to
test-artifacts/page-weight.json) because time over loopback on a shared machine is no gate:
bench/article_weight.py measures them over several runs.
"""

import json

import pytest

from bench.article_weight import measure
from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET = 100 * 1024  # HTML, CSS and JS, before any image
BODY = "".join(
    f"<p>Paragraph {n} of the report: the council's engineers said the barrier would be tested"
    " again in the spring, after the river has fallen back to its usual level.</p>"
    for n in range(16)
) + (
    "<figure><blockquote><p>“We did not expect the water to rise this fast,” she said.</p>"
    "</blockquote><figcaption>Maria Lopes, harbour master</figcaption></figure>"
)


def test_article_page_stays_within_its_byte_budget(browser, live_server, artifacts):
    section = make_section("News")
    author = make_author("Amara Okafor")
    for n in range(6):
        make_article(f"Related harbour story {n}", section=section, tags=["Water"])
    article = make_article(
        "Flood barrier holds as storm surge tops records",
        section=section,
        authors=[author],
        hero_image=make_image(width=1600, height=900, caption="The harbour.", credit="Jo Lee"),
        body=BODY,
        tags=["Water", "Weather", "Ports"],
    )
    figures = measure(browser, live_server.url + article.get_absolute_url())
    (artifacts / "page-weight.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))

    assert figures["bytes_before_images"] <= BUDGET, figures
