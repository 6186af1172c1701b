"""What an article page costs a reader: bytes before images, requests, Largest Contentful Paint.

The byte budget is asserted; the request count and LCP are recorded (printed and written to
test-artifacts/page-weight.json) because time over loopback on a shared machine is no gate.
"""

import json

import pytest

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
LCP = """() => new Promise(resolve => {
    new PerformanceObserver(list => {
        const entries = list.getEntries();
        resolve(entries[entries.length - 1].startTime);
    }).observe({type: "largest-contentful-paint", buffered: true});
})"""


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
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))

    page.goto(live_server.url + article.get_absolute_url(), wait_until="networkidle")
    lcp_ms = page.evaluate(LCP)

    def transferred(request) -> int:
        sizes = request.sizes()
        return sizes["responseHeadersSize"] + sizes["responseBodySize"]

    before_images = [r for r in finished if r.resource_type != "image"]
    figures = {
        "bytes_before_images": sum(transferred(r) for r in before_images),
        "bytes_images": sum(transferred(r) for r in finished if r.resource_type == "image"),
        "requests": len(finished),
        "requests_before_images": len(before_images),
        "lcp_ms": round(lcp_ms),
        "resources": sorted(f"{r.resource_type} {transferred(r)} {r.url}" for r in finished),
    }
    (artifacts / "page-weight.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    context.close()

    assert figures["bytes_before_images"] <= BUDGET, figures
