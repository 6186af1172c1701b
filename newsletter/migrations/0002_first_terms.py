"""Publish the first version of the newsletter terms, so signups have something to agree to."""

from django.db import migrations
from django.utils import timezone

VERSION = "2025-1"
BODY = """\
These terms cover the newsletter of this site. By signing up you agree to them.

What you get. We email you our latest news: usually one issue a day on weekdays, sometimes a \
special issue when a big story breaks. Each issue links to articles on this site.

Double opt-in. Signing up sends one email to the address you gave, with a link to confirm. \
Nothing else is sent until you follow that link. If you do not confirm, the link expires and \
we send nothing more.

Your address. We use your email address only to send the newsletter and emails about your \
subscription. We do not sell it, rent it or share it with advertisers. Our email delivery \
provider handles it on our behalf and under our instructions.

Leaving. Every email has an unsubscribe link, and mail programs that offer a one-click \
unsubscribe button use it too. Unsubscribing takes effect at once. You can also ask us to \
erase everything we hold about you; see the privacy notice.

Changes. If we change these terms we publish the new version on this page with its date. \
Your consent record notes which version you agreed to.
"""


def publish_first_terms(apps, schema_editor):
    Terms = apps.get_model("newsletter", "Terms")
    Terms.objects.get_or_create(
        version=VERSION, defaults={"body": BODY, "published_at": timezone.now()}
    )


def remove_first_terms(apps, schema_editor):
    Terms = apps.get_model("newsletter", "Terms")
    Terms.objects.filter(version=VERSION, consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0001_initial")]

    operations = [migrations.RunPython(publish_first_terms, remove_first_terms)]
