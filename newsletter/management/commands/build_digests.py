from django.core.management.base import BaseCommand

from newsletter import digests
from newsletter.tasks import schedule_digests


class Command(BaseCommand):
    help = (
        "Build the automatic digests whose time has come (daily or weekly, in TIME_ZONE) and "
        "queue the next run. The task queue does this by itself; this is the cron backstop. "
        "Safe to run every few minutes, and alongside another copy: one digest per slot."
    )

    def handle(self, *args, **options) -> None:
        built = digests.build_due()
        for edition in built:
            state = "sending" if edition.newsletter.digest_auto_send else "waiting as a draft"
            self.stdout.write(
                f"Built “{edition.subject}” ({edition.items.count()} stories), {state}."
            )
        schedule_digests()
        self.stdout.write(self.style.SUCCESS(f"{len(built)} digest(s) built."))
