from django.core.management.base import BaseCommand
from django.db.models import prefetch_related_objects

from articles.workflow import publish_due


class Command(BaseCommand):
    help = (
        "Mark scheduled articles whose publish time has passed as published, record the "
        "event and notify their authors. Readers already see them; this is bookkeeping. "
        "Safe to run from cron every minute, and alongside another copy."
    )

    def handle(self, *args, **options) -> None:
        events = publish_due()
        prefetch_related_objects(events, "article")
        for event in events:
            self.stdout.write(f"Published “{event.article.headline}” (id {event.article_id}).")
        self.stdout.write(self.style.SUCCESS(f"{len(events)} scheduled article(s) published."))
