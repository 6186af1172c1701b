"""Bounces, spam complaints and unsubscribes reported by the email provider, through
django-anymail's tracking webhooks (authenticated by anymail: basic auth, and the provider's
signature where it has one). Each suppresses the subscriber and keeps the event as evidence."""

import json
import logging

from anymail.signals import AnymailTrackingEvent

from .models import Subscriber, Suppression

logger = logging.getLogger(__name__)

REASONS = {
    "bounced": Suppression.Reason.BOUNCED,
    "complained": Suppression.Reason.COMPLAINED,
    "unsubscribed": Suppression.Reason.UNSUBSCRIBED,
}


def is_soft_bounce(event: AnymailTrackingEvent) -> bool:
    """A temporary failure some providers still report as a bounce: Postmark's SoftBounce,
    Amazon SES's Transient bounce type. The address is not suppressed for it."""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    return raw.get("Type") == "SoftBounce" or (event.description or "").startswith("Transient")


def evidence(event: AnymailTrackingEvent) -> str:
    """What the provider said, readable first, then its raw event for the record."""
    said = " — ".join(part for part in (event.description, event.mta_response) if part)
    try:
        raw = json.dumps(event.esp_event, default=str, sort_keys=True)
    except TypeError:
        raw = str(event.esp_event)
    return f"{said}\n\n{raw}" if said else raw


def suppress_from_provider(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """Receives anymail's `tracking` signal (connected in NewsletterConfig.ready)."""
    reason = REASONS.get(event.event_type)
    if reason is None or not event.recipient:
        return
    if reason == Suppression.Reason.BOUNCED and is_soft_bounce(event):
        logger.info("%s soft bounce ignored; the provider retries it.", esp_name)
        return
    subscriber = Subscriber.objects.with_email(event.recipient).first()
    if subscriber is None:
        # A confirmation to an address erased since, or mail that was not ours.
        logger.info("%s %s event for an unknown address ignored.", esp_name, event.event_type)
        return
    subscriber.suppress(
        reason,
        source=f"webhook:{esp_name}".lower(),
        detail=evidence(event),
        event_id=str(event.event_id or ""),
    )
