import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import editions, limits
from .forms import SIGNUP_DONE, ManageForm, SignupForm
from .models import (
    CONFIRM_SALT,
    MANAGE_SALT,
    UNSUBSCRIBE_SALT,
    Edition,
    Newsletter,
    SignupRequest,
    Subscriber,
    Terms,
    client_network,
)
from .tasks import record_signup

logger = logging.getLogger(__name__)

NOT_FROM_HERE = _(
    "This form can only be sent from our own pages. Open the page again and sign up there."
)
TOO_MANY = _(
    "Too many sign-up attempts. Please wait a few minutes and try again. "
    "If you already signed up, check your inbox for our email."
)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _newsletter_page_form() -> SignupForm:
    """The form on the newsletter's own pages: it comes back here, and counts as signed up
    from the newsletter page."""
    return SignupForm(
        initial={"next": reverse("newsletter:signup"), "source": Subscriber.Source.SIGNUP_PAGE}
    )


def _too_many(request, retry_after: int):
    if _wants_json(request):
        response = JsonResponse({"ok": False, "message": TOO_MANY}, status=429)
    else:
        response = render(
            request, "newsletter/rate_limited.html", {"message": TOO_MANY}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def _queue_signup(signup: SignupRequest) -> None:
    try:
        record_signup.enqueue(signup.pk)
    except Exception:
        # The queue is down: apply the signup now rather than lose it.
        logger.exception("Could not queue signup request %s; recording it now.", signup.pk)
        try:
            record_signup.call(signup.pk)
        except Exception:
            # Recorded, but its confirmation could not be queued either; the slot was
            # released, so signing up again sends it.
            logger.exception("Signup request %s recorded without its email.", signup.pk)


def _from_this_site(request) -> bool:
    """Whether a browser sent this POST from one of our own pages.

    Browsers say where a request comes from in `Sec-Fetch-Site` (all current ones) and
    `Origin` (every POST since 2020), and a page on another site cannot change either. Older
    browsers that send neither fall back to `Referer`; a client that sends none of them is no
    browser, and a forged request can only ever start a double opt-in, which the address's
    owner must confirm.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    # "null" (a sandboxed frame, a data: URL) is never one of our pages.
    host = urlsplit(source).netloc
    allowed = {request.get_host()} | {
        urlsplit(origin).netloc for origin in settings.CSRF_TRUSTED_ORIGINS
    }
    return bool(host) and url_has_allowed_host_and_scheme(
        source, allowed_hosts=allowed, require_https=request.is_secure()
    )


# Exempt from Django's CSRF token, so that every page with the form is the same for every
# reader and can be cached whole (no csrftoken cookie, no Vary: Cookie). Cross-site posting is
# refused by `_from_this_site` instead; and what a forged signup could do is limited anyway:
# it only sends a confirmation email, rate-limited, that the address's owner must follow.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """GET: the newsletter page. POST: a signup from any form on the site.

    Without JavaScript a valid signup redirects back to the page the form was on, where the
    message shows at the form (#signup); errors re-render the form here with the email kept.
    With JavaScript (Accept: application/json) the answer is JSON and the reader stays put.
    """
    if request.method in ("GET", "HEAD"):
        form = _newsletter_page_form()
        return render(request, "newsletter/signup.html", {"signup_form": form})

    if not _from_this_site(request):
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": NOT_FROM_HERE}, status=403)
        return render(
            request, "newsletter/not_from_here.html", {"message": NOT_FROM_HERE}, status=403
        )
    if not limits.allow_client(limits.client_address(request)):
        return _too_many(request, settings.NEWSLETTER_RATE_LIMIT_CLIENT_WINDOW)
    form = SignupForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            errors = {field: list(errs) for field, errs in form.errors.items()}
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        return render(request, "newsletter/signup.html", {"signup_form": form})

    email = form.cleaned_data["email"]
    if not limits.allow_email(email):
        return _too_many(request, settings.NEWSLETTER_RATE_LIMIT_EMAIL_WINDOW)
    page = form.cleaned_data["next"]
    # The same work whatever state the address is in: tasks.record_signup decides.
    signup = SignupRequest.objects.create(
        email=email,
        terms=form.terms,
        page_url=page,
        client_network=client_network(limits.client_address(request)),
        source=form.cleaned_data["source"],
    )
    transaction.on_commit(lambda: _queue_signup(signup))

    if _wants_json(request):
        return JsonResponse({"ok": True, "message": SIGNUP_DONE})
    # Back to the page the form was on, whose "done" variant says so at the form: the same
    # for every reader, so it is cached like the page itself (no message in a cookie).
    page = page or reverse("newsletter:signup")
    return HttpResponseRedirect(f"{page}{'&' if '?' in page else '?'}signup=done#signup")


# Exempt from CSRF like unsubscribe below: the signed token in the URL is what authorises the
# POST, and all it can do is confirm the one address it was mailed to.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET (and HEAD) show one Confirm button; only the POST it sends confirms.

    Mail scanners and link previews fetch every link in an email: if opening the link
    confirmed, double opt-in would complete without the reader ever seeing it.
    """
    max_age = settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS * 24 * 60 * 60
    try:
        subscriber = Subscriber.from_token(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return _confirm_failed(request, expired=True)
    except signing.BadSignature:
        return _confirm_failed(request, expired=False)
    if request.method == "POST":
        subscriber.confirm()
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        # Unsubscribed since this link was sent: only a fresh signup brings them back.
        return _confirm_failed(request, expired=True)
    if subscriber.status == Subscriber.Status.PENDING:
        return render(request, "newsletter/confirm.html", {"token": token})
    return render(request, "newsletter/confirmed.html", {"subscriber": subscriber})


def _confirm_failed(request, *, expired: bool):
    form = _newsletter_page_form()
    return render(
        request,
        "newsletter/confirm_failed.html",
        {"expired": expired, "signup_form": form},
        status=410 if expired else 400,
    )


# Exempt from CSRF: RFC 8058 one-click unsubscribe means mail providers POST to this URL
# from their own servers, with no cookie and no token. The signed token in the URL is what
# authorises the request, and the only thing it can do is unsubscribe that one address.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """A link made for one newsletter leaves that newsletter only (leaving the last one
    unsubscribes); a link without one (the confirmation email's) leaves them all."""
    try:
        subscriber, newsletter_id = Subscriber.from_token_with_newsletter(
            token, salt=UNSUBSCRIBE_SALT
        )
    except signing.BadSignature:
        return render(request, "newsletter/unsubscribe_invalid.html", status=400)
    newsletter = Newsletter.objects.filter(pk=newsletter_id).first() if newsletter_id else None
    context = {
        "token": token,
        "newsletter": newsletter,
        "manage_url": reverse("newsletter:manage", args=[subscriber.manage_token()]),
    }
    if request.method == "POST":
        context["unsubscribed"] = subscriber.leave(newsletter)
        return render(request, "newsletter/unsubscribed.html", context)
    return render(request, "newsletter/unsubscribe.html", context)


# Exempt from CSRF like unsubscribe: the page is reached from an email, with no cookie, and the
# signed token in the URL is the secret that authorises changing this one subscriber's choices.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token: str):
    """The signed page every email links to: pick newsletters, or leave them all. GET and
    HEAD (link checkers, mail scanners) only show it; only a POST changes anything."""
    try:
        subscriber = Subscriber.from_token(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        return render(request, "newsletter/unsubscribe_invalid.html", status=400)
    can_choose = subscriber.status in (Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED)
    form = ManageForm(subscriber, request.POST if request.method == "POST" else None)
    saved = False
    if request.method == "POST" and can_choose:
        if "leave_all" in request.POST:
            subscriber.leave()
            saved = True
        elif form.is_valid():
            subscriber.choose_newsletters(form.cleaned_data["newsletters"])
            saved = True
        if saved:
            subscriber.refresh_from_db()
            form = ManageForm(subscriber)
    context = {
        "subscriber": subscriber,
        "form": form,
        "token": token,
        "can_choose": can_choose and subscriber.status != Subscriber.Status.UNSUBSCRIBED,
        "saved": saved,
    }
    response = render(request, "newsletter/manage.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def archive(request, slug: str):
    """A newsletter's sent editions, newest first."""
    newsletter = get_object_or_404(Newsletter, slug=slug)
    sent = newsletter.editions.filter(status=Edition.Status.SENT).order_by("-started_at", "-pk")
    page = Paginator(sent.only("pk", "subject", "preheader", "started_at", "newsletter_id"), 20)
    page_obj = page.get_page(request.GET.get("page"))
    return render(
        request,
        "newsletter/archive.html",
        {"newsletter": newsletter, "page_obj": page_obj, "editions": page_obj.object_list},
    )


def edition(request, slug: str, pk: int):
    """The web version of an edition ("view in your browser"): while it is being sent and
    once sent (not paused or cancelled), in the site's own template, with only the stories
    that are still live."""
    found = get_object_or_404(
        Edition.objects.select_related("newsletter").filter(
            status__in=editions.ON_THE_WEB, started_at__isnull=False
        ),
        newsletter__slug=slug,
        pk=pk,
    )
    return render(
        request,
        "newsletter/edition.html",
        {
            "edition": found,
            "newsletter": found.newsletter,
            "stories": editions.live_stories_of(found),
        },
    )


def terms(request):
    current = Terms.objects.current()
    if current is None:
        raise Http404(gettext("No terms have been published yet."))
    return render(request, "newsletter/terms.html", {"terms": current})


def privacy(request):
    return render(
        request,
        "newsletter/privacy.html",
        {"confirm_days": settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS},
    )
