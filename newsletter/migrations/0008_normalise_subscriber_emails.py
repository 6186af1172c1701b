"""Rewrite every subscriber's address in its normalised spelling and merge the subscribers
that turn out to be one mailbox (`bücher.de` and `xn--bcher-kva.de`, `"victim"@…`, zero-width
spaces…). The merged subscriber is the one with the earliest consent; it gets every consent
record. An unsubscribe by any of them wins (we never mail someone who opted out); otherwise a
confirmation by any of them keeps it confirmed, from the earliest confirmation.

Addresses that can no longer be normalised (invisible characters, IP-literal domains) are
left as they are: erasing them is a decision for a person, in the admin.
"""

from django.core.exceptions import ValidationError
from django.db import migrations

from newsletter.models import normalise_email


def _key(email: str) -> str | None:
    try:
        return normalise_email(email)
    except ValidationError:
        return None


def merge_duplicates(apps, schema_editor):
    Subscriber = apps.get_model("newsletter", "Subscriber")
    ConsentRecord = apps.get_model("newsletter", "ConsentRecord")
    Subscription = apps.get_model("newsletter", "Subscription")
    groups: dict[str, list] = {}
    for subscriber in Subscriber.objects.order_by("created_at", "pk").iterator():
        normalised = _key(subscriber.email)
        if normalised is not None:
            groups.setdefault(normalised.lower(), []).append((normalised, subscriber))
    for members in groups.values():
        normalised, keeper = members[0]
        others = [subscriber for _, subscriber in members[1:]]
        if others:
            ConsentRecord.objects.filter(subscriber__in=others).update(subscriber=keeper)
            # Newsletters chosen under any spelling stay chosen (one row per newsletter).
            kept = set(keeper.subscriptions.values_list("newsletter_id", flat=True))
            for subscription in Subscription.objects.filter(subscriber__in=others):
                if subscription.newsletter_id not in kept:
                    kept.add(subscription.newsletter_id)
                    subscription.subscriber = keeper
                    subscription.save(update_fields=["subscriber"])
            everyone = [keeper, *others]
            unsubscribed = [s for s in everyone if s.status == "unsubscribed"]
            confirmed = [s for s in everyone if s.status == "confirmed" and s.confirmed_at]
            if unsubscribed:
                latest = max(unsubscribed, key=lambda s: s.status_changed_at)
                keeper.status = "unsubscribed"
                keeper.unsubscribed_at = latest.unsubscribed_at
                keeper.status_changed_at = latest.status_changed_at
            elif confirmed:
                earliest = min(confirmed, key=lambda s: s.confirmed_at)
                keeper.status = "confirmed"
                keeper.confirmed_at = earliest.confirmed_at
                keeper.status_changed_at = earliest.status_changed_at
            Subscriber.objects.filter(pk__in=[s.pk for s in others]).delete()
        keeper.email = normalised
        keeper.save()


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0007_newsletter_roles")]

    # Merging cannot be undone; going back leaves the merged, normalised rows as they are.
    operations = [migrations.RunPython(merge_duplicates, migrations.RunPython.noop)]
