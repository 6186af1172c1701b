"""Real `db_worker` processes and a real SMTP server, for the sending tests."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from tests.newsletter.test_smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Recorder:
    """An aiosmtpd handler that keeps every message, and can refuse chosen recipients:
    `answers[address]` is a list of RCPT replies to give, one per attempt, before accepting."""

    def __init__(self):
        self.pipelining = True
        self.lock = threading.Lock()
        self.messages: list[tuple[str, bytes]] = []
        self.answers: dict[str, list[str]] = {}
        self.mail_answers: list[str] = []  # replies to MAIL FROM, before accepting
        self.data_answers: dict[str, list[str]] = {}  # replies after the content, per address

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        """aiosmtpd reads pipelined commands in order; say so when the test wants it."""
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            if self.mail_answers:
                return self.mail_answers.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            planned = self.answers.get(address)
            if planned:
                return planned.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for address in envelope.rcpt_tos:
                planned = self.data_answers.get(address)
                if planned:
                    return planned.pop(0)
            for address in envelope.rcpt_tos:
                self.messages.append((address, envelope.content))
        return f"250 2.0.0 Ok: queued as Q{len(self.messages)}"

    def copies(self) -> Counter:
        with self.lock:
            return Counter(address for address, _ in self.messages)

    def __len__(self) -> int:
        with self.lock:
            return len(self.messages)


@pytest.fixture(name="smtp")
def smtp_fixture(settings):
    """A real SMTP server on a free port; this process's mail goes to it too."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    recorder.port = controller.port
    yield recorder
    controller.stop()


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Workers:
    """`manage.py db_worker` processes on the test database, sending to the test's server."""

    def __init__(self, smtp_port: int, env: dict[str, str]):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "SITE_URL": settings.SITE_URL,
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "NEWSLETTER_SEND_WORKERS": "2",
            **env,
        }
        self.env.pop("REDIS_URL", None)
        self.processes: list[subprocess.Popen] = []

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "manage.py",
                        "db_worker",
                        "--no-reload",
                        "--no-startup-delay",
                        "--interval",
                        "0.1",
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def alive(self) -> list[subprocess.Popen]:
        return [process for process in self.processes if process.poll() is None]

    def stop(self) -> None:
        for process in self.alive():
            process.send_signal(signal.SIGKILL)
        for process in self.processes:
            process.wait(timeout=30)


@pytest.fixture(name="workers")
def workers_fixture(smtp, settings):
    """Start with `workers(2, NEWSLETTER_SEND_RATE="100")`; killed at the end of the test."""
    settings.TASKS = DATABASE_QUEUE
    started: list[Workers] = []

    def start(count: int = 2, **env: str) -> Workers:
        pool = Workers(smtp.port, env)
        pool.start(count)
        started.append(pool)
        return pool

    yield start
    for pool in started:
        pool.stop()


def wait_until(condition, *, timeout: float = 90, what: str = "condition") -> None:
    """Poll `condition` until true; fail with `what` after a generous deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)
