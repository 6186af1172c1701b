"""Measure sending one newsletter edition to N subscribers with W worker processes.

    .venv/bin/python bench/newsletter_send.py --subscribers 100000 --workers 2

Creates a PostgreSQL database of its own (BENCH_DATABASE_URL, by default
postgres://postgres@127.0.0.1:5432/newsroom_bench_send; dropped and created afresh), migrates
it, loads N confirmed subscribers of one newsletter and an edition of 8 live articles with hero
photos, starts W `manage.py db_worker` processes, then starts the send and waits until the
edition is marked sent. Mail goes to the SMTP server EMAIL_URL names, or, when it is unset, to a
built-in sink (a minimal SMTP server in its own process that answers every command and discards
the messages, counting them).

Prints: the time to freeze the recipients, the total time from "send" to "sent", messages per
second overall, and each worker's peak memory (VmHWM, the resident set's high-water mark).
"""

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/newsroom_bench_send"


# The discarding SMTP sink (runs in its own process: `newsletter_send.py --sink PORT`).


class Sink(asyncio.Protocol):
    received = 0

    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""
        self.in_data = False
        transport.write(b"220 sink ESMTP ready\r\n")

    def data_received(self, data):
        searched = max(0, len(self.buffer) - 4)
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n", searched)
                if end < 0:
                    return
                self.buffer = self.buffer[end + 5 :]
                self.in_data = False
                Sink.received += 1
                self.transport.write(b"250 2.0.0 Ok: discarded\r\n")
            else:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return
                command = self.buffer[:4].upper()
                self.buffer = self.buffer[end + 2 :]
                if command == b"EHLO":
                    self.transport.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                elif command == b"DATA":
                    self.in_data = True
                    self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                elif command == b"QUIT":
                    self.transport.write(b"221 Bye\r\n")
                    self.transport.close()
                    return
                else:
                    self.transport.write(b"250 OK\r\n")
            searched = 0


def run_sink(port: int) -> None:
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(Sink, "127.0.0.1", port))

    def stop(*_):
        print(Sink.received, flush=True)
        server.close()
        loop.stop()

    loop.add_signal_handler(signal.SIGTERM, stop)
    loop.run_forever()


# The benchmark.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def load(subscribers: int, articles: int):
    """The newsletter, N confirmed subscribers (two INSERT … SELECT statements) and an edition
    of `articles` live stories with hero photos."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.utils import timezone
    from PIL import Image as PILImage

    from articles.models import Article, Author, Byline, Image, Section
    from newsletter.models import Edition, EditionArticle, Newsletter

    newsletter = Newsletter.objects.get(is_default=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO newsletter_subscriber
                (email, status, source, created_at, status_changed_at, confirmed_at)
            SELECT 'reader' || g || '@example.com', 'confirmed', 'other', now(), now(), now()
            FROM generate_series(1, %s) g
            """,
            [subscribers],
        )
        cursor.execute(
            """
            INSERT INTO newsletter_subscription (subscriber_id, newsletter_id, created_at)
            SELECT id, %s, now() FROM newsletter_subscriber
            """,
            [newsletter.pk],
        )
    section = Section.objects.create(name="News", slug="news")
    author = Author.objects.create(name="Ada Reporter", slug="ada-reporter")
    edition = Edition.objects.create(
        newsletter=newsletter,
        subject="The Daily Briefing: eight stories this morning",
        preheader="Floods, a vote, a bridge and more",
        intro="<p>Good morning. Here is what happened <strong>overnight</strong>.</p>",
    )
    for number in range(articles):
        buffer = io.BytesIO()
        PILImage.new("RGB", (1200, 800), (40 + number * 20, 90, 160)).save(buffer, "JPEG")
        image = Image.objects.create(
            file=SimpleUploadedFile(f"hero{number}.jpg", buffer.getvalue(), "image/jpeg"),
            alt_text=f"The scene of story {number + 1}",
        )
        article = Article.objects.create(
            headline=f"Council approves the new river crossing, part {number + 1}",
            slug=f"river-crossing-{number + 1}",
            standfirst="The vote ends a decade of argument over the bridge, and work starts "
            "in the spring, the council's leader said on Tuesday.",
            body="<p>The council voted on Tuesday.</p>" * 15,
            section=section,
            hero_image=image,
            status=Article.Status.PUBLISHED,
            publish_at=timezone.now(),
        )
        Byline.objects.create(article=article, author=author, position=0)
        EditionArticle.objects.create(edition=edition, article=article, position=number)
    return edition


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument("--rate", type=int, default=0, help="NEWSLETTER_SEND_RATE (0: none)")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        run_sink(args.sink)
        return

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    recreate_database(database_url)
    media = tempfile.mkdtemp(prefix="newsletter-send-bench-")
    sink = None
    email_url = os.environ.get("EMAIL_URL", "")
    if not email_url:
        port = free_port()
        sink = subprocess.Popen(
            [sys.executable, __file__, "--sink", str(port)], stdout=subprocess.PIPE, text=True
        )
        email_url = f"smtp://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        # Production settings (no debug query log skewing the figures), a throwaway key.
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_DEBUG": "",
        "MEDIA_ROOT": media,
        "EMAIL_URL": email_url,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "NEWSLETTER_SEND_WORKERS": str(args.workers),
        "NEWSLETTER_SEND_RATE": str(args.rate),
        "NEWSLETTER_SEND_BATCH_SIZE": str(args.batch_size),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    from newsletter import delivery
    from newsletter.models import Edition

    call_command("migrate", verbosity=0)
    edition = load(args.subscribers, args.articles)
    print(f"{args.subscribers:,} subscribers, {args.articles} articles, {args.workers} workers")

    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"],
            cwd=ROOT,
            env=env,
        )
        for _ in range(args.workers)
    ]
    time.sleep(4)  # the workers import Django and start polling the queue
    try:
        started = time.perf_counter()
        delivery.start(edition, by=None)
        frozen = time.perf_counter() - started
        while Edition.objects.values_list("status", flat=True).get(pk=edition.pk) != "sent":
            if any(worker.poll() is not None for worker in workers):
                raise SystemExit("a worker exited")
            time.sleep(0.05)
        total = time.perf_counter() - started
        peaks = [peak_memory_kib(worker.pid) for worker in workers]
        cpu = [cpu_seconds(worker.pid) for worker in workers]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait()
    numbers = delivery.progress(edition)
    print(f"recipients frozen in {frozen:.2f} s")
    print(f"sent {numbers['sent']:,}, failed {numbers['failed']}, skipped {numbers['skipped']}")
    print(f"total time {total:.1f} s, {numbers['sent'] / total:,.0f} messages/s overall")
    for number, (peak, used) in enumerate(zip(peaks, cpu, strict=True), 1):
        print(f"worker {number}: peak memory {peak / 1024:.0f} MiB, CPU time {used:.1f} s")
    print(
        f"{numbers['sent'] / sum(cpu):,.0f} messages per worker CPU-second; "
        f"load average at the end {os.getloadavg()[0]:.1f} (other processes share the CPUs)"
    )
    if sink is not None:
        sink.send_signal(signal.SIGTERM)
        received = int(sink.communicate(timeout=10)[0].strip() or 0)
        print(f"sink received {received:,} messages")


if __name__ == "__main__":
    main()
