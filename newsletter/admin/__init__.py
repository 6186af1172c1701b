"""The newsletter's admin: subscribers and their consent (subscribers.py), newsletters and
their editions (editions.py, with the send controls and previews in edition_views.py)."""

from .editions import EditionAdmin, NewsletterAdmin
from .subscribers import ErasureLogAdmin, SubscriberAdmin, TermsAdmin

__all__ = ["EditionAdmin", "ErasureLogAdmin", "NewsletterAdmin", "SubscriberAdmin", "TermsAdmin"]
