"""Staff sign-in: password lockout (django-axes) and two-factor sign-in (django-otp)."""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def lockout_username(request, credentials: dict | None) -> str:
    """The username a sign-in attempt names, case-folded and trimmed, so "Editor " and
    "editor" count towards one lockout (guessers vary the spelling to dodge it)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().casefold()


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (429), in the admin's design."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Sign-in paused"),
        "minutes": minutes,
    }
    response = TemplateResponse(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response.render()


def two_factor_required(user) -> bool:
    """Whether this staff member must sign in with a second factor (STAFF_TWO_FACTOR_REQUIRED:
    on by default in production): superusers and the groups in STAFF_TWO_FACTOR_GROUPS."""
    if not settings.STAFF_TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=settings.STAFF_TWO_FACTOR_GROUPS).exists()


class TwoFactorLoginForm(AdminAuthenticationForm):
    """The admin's sign-in form, plus the code from an authenticator app (or a recovery code)
    for anyone who has set up two-factor sign-in. A wrong code counts as a failed sign-in
    towards the lockout, like a wrong password."""

    otp_token = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=20,
        help_text=_(
            "From your authenticator app, or one of your recovery codes. "
            "Leave empty if you have not set up two-factor sign-in."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not user_has_device(user):
            return cleaned
        token = "".join(cleaned.get("otp_token", "").split())
        if not token:
            raise ValidationError(
                gettext(
                    "Enter the code from your authenticator app, or one of your recovery codes."
                ),
                code="token_required",
            )
        with transaction.atomic():
            for device in devices_for_user(user, for_verify=True):
                if device.verify_is_allowed()[0] and device.verify_token(token):
                    user.otp_device = device  # django_otp.login() runs on user_logged_in
                    return cleaned
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=self.request
        )
        raise ValidationError(
            gettext(
                "That code is not right. Check your authenticator app's clock and try the current "
                "code, or use a recovery code."
            ),
            code="invalid_token",
        )


class EnrolmentForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


RECOVERY_CODES = 10


def _recovery_codes(user) -> list[str]:
    """A fresh set of single-use recovery codes; any earlier set stops working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=gettext("Recovery codes"))
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_setup(request):
    """Set up two-factor sign-in: scan the QR code, type the code the app shows, keep the
    recovery codes. Reached from the admin's user links, and where staff who must use two
    factors are sent until they have."""
    context = {**admin.site.each_context(request), "title": gettext("Two-factor sign-in")}
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return TemplateResponse(request, "admin/two_factor_setup.html", {**context, "on": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=gettext("Authenticator app"), confirmed=False
        )
    form = EnrolmentForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        token = "".join(form.cleaned_data["otp_token"].split())
        if device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _recovery_codes(user)
            otp_login(request, device)
            context.update(on=True, recovery_codes=codes)
            return TemplateResponse(request, "admin/two_factor_setup.html", context)
        form.add_error(
            "otp_token", gettext("That code is not right. Type the code your app shows now.")
        )
    context.update(
        form=form,
        qr_svg=mark_safe(
            segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, light="white")
        ),
        secret=b32encode(device.bin_key).decode(),
        required=two_factor_required(user),
    )
    return TemplateResponse(request, "admin/two_factor_setup.html", context)
