from django.core.management.base import BaseCommand

from newsletter.delivery import recover, start_due


class Command(BaseCommand):
    help = (
        "Start scheduled newsletter editions whose time has come, and keep every send going: "
        "a send whose workers were lost gets a fresh worker task, and one with nothing left "
        "to deliver is marked sent. Safe to run from cron every minute, and alongside "
        "another copy."
    )

    def handle(self, *args, **options) -> None:
        started = start_due()
        revived = recover()
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(started)} scheduled edition(s) started; "
                f"{len(revived)} stalled send(s) given a new worker."
            )
        )
