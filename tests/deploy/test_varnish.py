"""deploy/varnish.vcl in front of gunicorn: Debian's varnishd and the app, on loopback ports.

Skipped when varnishd is not installed (`./dev.sh test` installs Debian's `varnish` when it
can). The app runs in its own gunicorn process on the test database, with its own page cache
off: Varnish is the cache under test, purged by this process's changes.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_editor, make_section

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
            if time.monotonic() > deadline:
                raise
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def app(tmp_path):
    """Starts gunicorn on the test database: `app(page_seconds)` → its port."""
    started = []

    def start(page_seconds: int = 600) -> int:
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_DEBUG": "1",  # no collectstatic manifest in a test run
            "DATABASE_URL": database_url(),
            "PAGE_CACHE": "0",
            "PAGE_CACHE_SECONDS": str(page_seconds),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        started.append(process)
        wait_for(f"http://127.0.0.1:{port}/robots.txt")
        return port

    start.processes = started
    yield start
    for process in started:
        stop(process)


@pytest.fixture
def varnish(tmp_path, app, settings):
    """varnishd with deploy/varnish.vcl pointed at a fresh gunicorn; purges go to it."""
    if not Path(VARNISHD).exists():
        pytest.skip("varnishd is not installed (apt-get install varnish)")

    def start(page_seconds: int = 600) -> str:
        backend = app(page_seconds)
        vcl = (ROOT / "deploy" / "varnish.vcl").read_text()
        vcl = vcl.replace('.port = "8000";', f'.port = "{backend}";')
        (tmp_path / "newsroom.vcl").write_text(vcl)
        port = free_port()
        process = subprocess.Popen(
            [VARNISHD, "-F", "-j", "none", "-n", str(tmp_path / "varnish"),
             "-a", f"127.0.0.1:{port}", "-f", str(tmp_path / "newsroom.vcl"),
             "-s", "malloc,32m", "-T", "none"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/robots.txt")
        settings.PAGE_CACHE_PURGE_URLS = [url + "/"]
        return url

    processes = []
    yield start
    for process in processes:
        stop(process)


def get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, dict(response.headers), response.read().decode()


def from_cache(headers: dict) -> bool:
    # Varnish names two transactions in X-Varnish when it answered from a stored object.
    return len(headers["X-Varnish"].split()) == 2


def test_publish_is_visible_through_varnish_at_once(varnish):
    section = make_section("World")
    make_article("River rises in the valley", section=section)
    draft = make_article(
        "Evacuation ordered", section=section, status=Article.Status.DRAFT, publish_at=None
    )
    editor = make_editor()
    varnish_url = varnish()
    get(varnish_url + "/")
    status, headers, home = get(varnish_url + "/")
    assert status == 200 and from_cache(headers)
    assert "Evacuation ordered" not in home
    assert "Surrogate-Key" not in headers

    workflow.publish(draft, by=editor)  # commits, then purges Varnish by key

    status, headers, home = get(varnish_url + "/")
    assert not from_cache(headers)
    assert "Evacuation ordered" in home
    assert from_cache(get(varnish_url + "/")[1])


def test_varnish_serves_the_last_article_page_while_the_app_is_down(varnish, app):
    story = make_article("River rises in the valley", section=make_section("World"))
    varnish_url = varnish(page_seconds=2)  # s-maxage=1: the page expires in a second
    page = varnish_url + story.get_absolute_url()
    get(page)
    time.sleep(1.5)  # a real process's clock: let the TTL run out
    for process in app.processes:
        stop(process)

    status, headers, html = get(page)

    assert status == 200
    assert "River rises in the valley" in html
    assert int(headers["Age"]) >= 1


def test_pages_the_app_does_not_mark_public_are_not_kept_by_varnish(varnish):
    scheduled = make_article(
        "Dam report published",
        section=make_section("World"),
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(hours=1),
    )
    varnish_url = varnish()
    answers = []
    for _ in range(2):
        with pytest.raises(urllib.error.HTTPError) as missing:
            get(varnish_url + scheduled.get_absolute_url())
        answers.append(missing.value)
    for _ in range(2):
        status, headers, _html = get(varnish_url + "/newsletter/")

    assert [answer.code for answer in answers] == [404, 404]
    assert not from_cache(answers[1].headers)
    assert status == 200 and not from_cache(headers)


def test_signed_in_staff_pass_through_varnish(varnish, client):
    story = make_article("River rises in the valley", section=make_section("World"))
    varnish_url = varnish()
    get(varnish_url + story.get_absolute_url())
    request = urllib.request.Request(
        varnish_url + story.get_absolute_url(), headers={"Cookie": "sessionid=anything"}
    )

    with urllib.request.urlopen(request, timeout=5) as response:
        assert len(response.headers["X-Varnish"].split()) == 1


def test_api_keys_reach_the_app_through_varnish(varnish):
    from api.models import ApiKey

    make_article("River rises in the valley", section=make_section("World"))
    key = ApiKey(partner="Example News")
    raw = key.generate()
    key.save()
    varnish_url = varnish()
    url = varnish_url + "/api/ninjs/articles/"
    get(url)
    assert from_cache(get(url)[1])  # open API: anonymous answers are shared

    def with_key(value: str):
        return urllib.request.Request(url, headers={"Authorization": f"Bearer {value}"})

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(with_key("not-a-key"), timeout=5)
    assert refused.value.code == 401
    with urllib.request.urlopen(with_key(raw), timeout=5) as response:
        assert response.status == 200
        assert len(response.headers["X-Varnish"].split()) == 1
