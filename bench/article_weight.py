"""Article page weight and Largest Contentful Paint, as Chromium sees them over loopback.

For each run, a fresh browser context (empty cache) opens the page and Playwright's network
events count what was transferred: HTML, CSS and JS before images (the budget is 100 KB,
asserted by tests/browser/test_page_weight.py), images, and requests. LCP comes from the page's
own PerformanceObserver. Prints each run and the median; the LCP target is under 1.0 s.

    ./dev.sh run &                       # demo content on http://127.0.0.1:8000/
    .venv/bin/python bench/article_weight.py http://127.0.0.1:8000/articles/<slug>/ --runs 10
"""

import argparse
import json
import os
import statistics

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LCP = """() => new Promise(resolve => {
    new PerformanceObserver(list => {
        const entries = list.getEntries();
        resolve(entries[entries.length - 1].startTime);
    }).observe({type: "largest-contentful-paint", buffered: true});
})"""


def measure(browser, url: str) -> dict:
    """One cold load of `url` in a new context: bytes, requests and LCP in milliseconds."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="networkidle")
    lcp_ms = page.evaluate(LCP)
    loaded = []
    for request in finished:
        sizes = request.sizes()  # asked while the page is open
        size = sizes["responseHeadersSize"] + sizes["responseBodySize"]
        loaded.append((request.resource_type, size, request.url))
    context.close()

    return {
        "bytes_before_images": sum(size for kind, size, _ in loaded if kind != "image"),
        "bytes_images": sum(size for kind, size, _ in loaded if kind == "image"),
        "requests": len(loaded),
        "lcp_ms": round(lcp_ms),
        "resources": sorted(f"{kind} {size} {url}" for kind, size, url in loaded),
    }


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        runs = [measure(browser, args.url) for _ in range(args.runs)]
        browser.close()
    print(json.dumps(runs[0], indent=2))
    for number, run in enumerate(runs, start=1):
        print(
            f"run {number}: {run['bytes_before_images']} B before images,"
            f" {run['requests']} requests, LCP {run['lcp_ms']} ms"
        )
    print(
        f"median LCP {statistics.median(r['lcp_ms'] for r in runs):.0f} ms,"
        f" bytes before images {runs[-1]['bytes_before_images']}"
    )


if __name__ == "__main__":
    main()
