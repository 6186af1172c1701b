"""Share links: a signed, expiring address that shows an unpublished article to someone
outside the newsroom (noindex, no-store). Editors make and withdraw them."""

import datetime
import secrets

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext

from .models import Article, ShareLink
from .permissions import can_see
from .workflow import InvalidTransition, TransitionNotAllowed

SHARE_SALT = "articles.sharelink"


class ShareLinkInvalid(Exception):
    """The token was tampered with or names no link."""


class ShareLinkGone(Exception):
    """The link was real but has expired or been revoked."""


def create_share_link(article: Article, *, by, days: int) -> tuple[ShareLink, str]:
    """Make a share link valid for `days` days; returns it and the token for its URL."""
    if not by.has_perm("articles.add_sharelink") or not can_see(by, article):
        raise TransitionNotAllowed(gettext("You do not have permission to share this article."))
    if article.is_live:
        raise InvalidTransition(
            gettext("This article is already public; share its address instead of a preview link.")
        )
    if not 1 <= days <= 30:
        raise InvalidTransition(gettext("A share link lasts between 1 and 30 days."))
    now = timezone.now()
    link = ShareLink.objects.create(
        article=article,
        nonce=secrets.token_urlsafe(16),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    return link, share_token(link)


def share_token(link: ShareLink) -> str:
    # Not timestamped: the same link always has the same URL; expiry lives in the row.
    return signing.Signer(salt=SHARE_SALT).sign_object([link.pk, link.nonce], compress=True)


def resolve_share_token(token: str) -> ShareLink:
    """The ShareLink a token stands for; raises ShareLinkInvalid or ShareLinkGone."""
    try:
        pk, nonce = signing.Signer(salt=SHARE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ShareLinkInvalid from exc
    link = ShareLink.objects.filter(pk=pk).first()
    if link is None or not secrets.compare_digest(str(link.nonce), str(nonce)):
        raise ShareLinkInvalid
    if link.revoked_at is not None:
        raise ShareLinkGone(gettext("This preview link was withdrawn by the newsroom."))
    if link.expires_at <= timezone.now():
        raise ShareLinkGone(gettext("This preview link has expired."))
    return link


def revoke_share_link(link: ShareLink, *, by) -> None:
    if not by.has_perm("articles.change_sharelink"):
        raise TransitionNotAllowed(gettext("You do not have permission to withdraw share links."))
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
