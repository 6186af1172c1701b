from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.revisions import prune_revisions


class Command(BaseCommand):
    help = (
        "Delete article revisions older than --days, keeping every revision that was live "
        "(readers saw it) and the latest revision of each article."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, required=True, help="Keep everything newer than this many days."
        )

    def handle(self, *args, days: int, **options) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = prune_revisions(timezone.now() - timedelta(days=days))
        self.stdout.write(
            self.style.SUCCESS(f"{deleted} revision(s) older than {days} days deleted.")
        )
