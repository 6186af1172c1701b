from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from articles.pending_uploads import MAX_AGE, clean_pending_uploads


class Command(BaseCommand):
    help = (
        "Delete uploads kept for image forms that were never saved (media pending/ folder) "
        "once they are older than --older-than hours. A file an image uses is never deleted. "
        "Safe to run from cron, and alongside another copy."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=int(MAX_AGE.total_seconds() // 3600),
            metavar="HOURS",
            help="Keep files written less than this many hours ago (default: %(default)s, "
            "as long as a form can still use its kept file).",
        )

    def handle(self, *args, older_than: int, **options) -> None:
        if older_than < 1:
            raise CommandError("--older-than must be at least 1 hour.")
        deleted = clean_pending_uploads(timedelta(hours=older_than))
        for name in deleted:
            self.stdout.write(f"Deleted {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(deleted)} pending upload(s) older than {older_than} hours deleted."
            )
        )
