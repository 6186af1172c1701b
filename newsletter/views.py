import logging

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import limits
from .forms import SignupForm
from .models import (
    CONFIRM_SALT,
    UNSUBSCRIBE_SALT,
    SignupRequest,
    Subscriber,
    Terms,
    client_network,
)
from .tasks import record_signup

logger = logging.getLogger(__name__)

# The same words for every valid submission: new, pending, confirmed or unsubscribed.
SIGNUP_DONE = "Check your inbox to confirm your subscription."
TOO_MANY = (
    "Too many sign-up attempts. Please wait a few minutes and try again. "
    "If you already signed up, check your inbox for our email."
)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _source(page: str) -> str:
    if page.startswith("/articles/"):
        return Subscriber.Source.ARTICLE
    if page.startswith(reverse("newsletter:signup")):
        return Subscriber.Source.SIGNUP_PAGE
    return Subscriber.Source.OTHER


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


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """GET: the newsletter page. POST: a signup from any form on the site.

    Without JavaScript a valid signup redirects back to the page the form was on, where the
    message shows at the form (#signup); errors re-render the form here with the email kept.
    With JavaScript (Accept: application/json) the answer is JSON and the reader stays put.
    """
    if request.method in ("GET", "HEAD"):
        form = SignupForm(initial={"next": reverse("newsletter:signup")})
        return render(request, "newsletter/signup.html", {"signup_form": form})

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
        source=_source(page),
    )
    transaction.on_commit(lambda: _queue_signup(signup))

    if _wants_json(request):
        return JsonResponse({"ok": True, "message": SIGNUP_DONE})
    messages.success(request, SIGNUP_DONE, extra_tags="newsletter")
    return HttpResponseRedirect((page or reverse("newsletter:signup")) + "#signup")


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
    form = SignupForm(initial={"next": reverse("newsletter:signup")})
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
    try:
        subscriber = Subscriber.from_token(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "newsletter/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        subscriber.unsubscribe()
        return render(request, "newsletter/unsubscribed.html")
    return render(request, "newsletter/unsubscribe.html", {"token": token})


def terms(request):
    current = Terms.objects.current()
    if current is None:
        raise Http404("No terms have been published yet.")
    return render(request, "newsletter/terms.html", {"terms": current})


def privacy(request):
    return render(
        request,
        "newsletter/privacy.html",
        {"confirm_days": settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS},
    )


# Interface placeholders for the editions work in progress (issue 9): replaced by the real
# views before this branch lands.
def manage(request, token):
    raise Http404


def archive(request, slug):
    raise Http404


def edition(request, slug, pk):
    raise Http404
