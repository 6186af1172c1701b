from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from wire.dropfolder import ingest_file, item_files


def user_named(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user called “{username}”.")
    return user


class Command(BaseCommand):
    help = (
        "Import wire items (ninjs .json, NewsML-G2 .xml, plain .txt, or a .zip of an item with "
        "its pictures) from files or folders as wire drafts. Prints one line per item; exits "
        "non-zero if any was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument(
            "--source", default="", help="The agency, when the items do not say (plain text)."
        )
        parser.add_argument(
            "--user",
            help="Import as this user: drafts are theirs, and with WIRE_KILL_ACTION=unpublish "
            "a kill unpublishes with their permission.",
        )

    def handle(self, *args, paths, source, user, **options):
        by = user_named(user)
        refused = 0
        for path in item_files(paths):
            outcome = ingest_file(path, by=by, source=source)
            refused += outcome.refused
            (self.stderr if outcome.refused else self.stdout).write(str(outcome))
        if refused:
            raise CommandError(f"{refused} item(s) refused.")
