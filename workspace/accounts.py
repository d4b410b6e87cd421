"""Signing in and out and changing or resetting a password: Django's own views, with the portal's templates.

Repeated failed sign-ins are counted by django-axes (settings: AXES_*): past the limit, that username is locked
from that address for AXES_COOLOFF_TIME, and the form answers with registration/locked_out.html (status 429).
A new password set through the emailed reset link lifts the lock on that username. Reset links are sent a few times
an hour per address and per client at most (RESETS_PER_ADDRESS, RESETS_PER_CLIENT), with the same answer past that.
Reset emails go through the configured email backend (the console unless EMAIL_URL names a server).
"""

import hashlib
import logging

from axes.helpers import get_cool_off
from axes.utils import reset as reset_failed_sign_ins
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from core.clients import client_address

logger = logging.getLogger(__name__)

# Reset emails asked for in an hour: per address, so nobody's inbox is flooded with links; per client, so one
# client cannot send them to every address it can think of. Past either, the answer is the same as ever.
RESETS_PER_ADDRESS = 3
RESETS_PER_CLIENT = 5
RESET_WINDOW_SECONDS = 3600


class PortalNamed:
    """Django's sign-in and sign-out views name the site after the request's host when the sites framework is not
    installed, and their name would hide the portal's (asem_portal.context_processors.site) in the header and title."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.pop("site", None)
        context.pop("site_name", None)
        return context


class SignInView(PortalNamed, auth_views.LoginView):
    template_name = "registration/sign_in.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Sign in")}


class SignOutView(PortalNamed, auth_views.LogoutView):
    template_name = "registration/signed_out.html"


def _count(key: str) -> int:
    """Requests counted under key in the current window (the first one opens it)."""
    if cache.add(key, 1, RESET_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, RESET_WINDOW_SECONDS)
        return 1


def reset_email_allowed(*, email: str, client: str | None) -> bool:
    """Count this request for a reset link, and say whether a link may still be sent for it.

    Every request counts, for an unknown address too, so that being refused says nothing about whether an
    account has the address. The address is hashed: the cache holds no one's email.
    """
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_address = _count(f"password-reset:address:{address}")
    by_client = _count(f"password-reset:client:{client}")
    return by_address <= RESETS_PER_ADDRESS and by_client <= RESETS_PER_CLIENT


class ResetPasswordView(auth_views.PasswordResetView):
    template_name = "registration/password_reset.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("workspace:password-reset-sent")

    def form_valid(self, form):
        client = client_address(self.request)
        if not reset_email_allowed(email=form.cleaned_data["email"], client=client):
            logger.warning("Password reset link not sent: too many asked for from %s or for its address this hour",
                           client)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class SetNewPasswordView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("workspace:password-reset-done")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The lockout page sends its reader here: a password set through the emailed link proves the account is
        # theirs, so the wrong guesses before it stop counting, from every address, and the new password works now.
        reset_failed_sign_ins(username=form.user.get_username())
        return response


def locked_out(request, response=None, credentials=None):
    """The page django-axes answers with past AXES_FAILURE_LIMIT (AXES_LOCKOUT_CALLABLE): axes' own gives the
    cool-off as an ISO 8601 duration ("PT30M"); this one says it in words ("30 minutes")."""
    cool_off = get_cool_off(request)
    now = timezone.now()
    words = timesince(now - cool_off, now, depth=2).replace("\xa0", " ") if cool_off else None
    return render(request, "registration/locked_out.html", {"cool_off": words},
                  status=settings.AXES_HTTP_RESPONSE_CODE)


urlpatterns = [
    path("accounts/sign-in/", SignInView.as_view(), name="sign-in"),
    path("accounts/sign-out/", SignOutView.as_view(), name="sign-out"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(
        template_name="registration/password_change.html",
        success_url=reverse_lazy("workspace:password-change-done"),
    ), name="password-change"),
    path("accounts/password/changed/", auth_views.PasswordChangeDoneView.as_view(
        template_name="registration/password_change_done.html",
    ), name="password-change-done"),
    path("accounts/password/reset/", ResetPasswordView.as_view(), name="password-reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="registration/password_reset_sent.html",
    ), name="password-reset-sent"),
    path("accounts/password/reset/<uidb64>/<token>/", SetNewPasswordView.as_view(), name="password-reset-confirm"),
    path("accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/password_reset_done.html",
    ), name="password-reset-done"),
]
