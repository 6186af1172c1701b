"""Recompute every article's search vector, e.g. after an import or a change of SEARCH_CONFIG."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from articles.models import Article
from articles.search import update_search_vectors


class Command(BaseCommand):
    help = "Recompute the full-text search vector of every article (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Articles per UPDATE; each batch commits on its own (default 2000).",
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if connection.vendor != "postgresql":
            self.stdout.write(
                f"Nothing to do: full-text search vectors are PostgreSQL-only "
                f"(this database is {connection.vendor}, which searches without them)."
            )
            return
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        done = 0
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            with transaction.atomic():
                done += update_search_vectors(Article.objects.filter(pk__in=batch))
            self.stdout.write(f"{done} of {len(ids)} articles indexed")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search index of {done} articles."))
