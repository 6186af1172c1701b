import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wire.dropfolder import process_folder

from .import_wire import user_named


class Command(BaseCommand):
    help = (
        "Watch a drop folder for wire items: each file is claimed into processing/, imported, "
        "and moved to done/ or failed/ beside a .reason.txt. Safe to run twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--watch", type=Path, required=True, metavar="DIR")
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between passes.")
        parser.add_argument(
            "--stale-after",
            type=float,
            default=600.0,
            help="Seconds after which a file left in processing/ (its ingester died) is retried.",
        )
        parser.add_argument("--source", default="")
        parser.add_argument("--user")

    def handle(self, *args, watch, once, interval, stale_after, source, user, **options):
        if not watch.is_dir():
            raise CommandError(f"{watch} is not a folder.")
        by = user_named(user)
        while True:
            for outcome in process_folder(watch, by=by, source=source, stale_after=stale_after):
                (self.stderr if outcome.refused else self.stdout).write(str(outcome))
            if once:
                return
            time.sleep(interval)
