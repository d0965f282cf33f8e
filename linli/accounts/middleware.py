"""Session security: idle timeout, forced TOTP enrolment for the roles that require it, forced password
change when the password has expired or was set by an administrator.

- Idle timeout: a session unused for longer than the policy's ``idle_timeout_minutes`` is logged out
  (audited as ``accounts.logout`` with reason ``idle``); a page request is sent to the login page, an
  API request continues unauthenticated (and the API answers 401).
- Obligations: set by the login page from ``LoginOutcome``, or worked out here on the first request of
  a session that did not come through the login page. While one is pending the user reaches only the
  page that discharges it (and logout); the API's session auth refuses such a session.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from linli.accounts.selectors import security_policy

LAST_SEEN = "linli:last_seen"
MUST_CHANGE_PASSWORD = "linli:must_change_password"
MUST_ENROL_TOTP = "linli:must_enrol_totp"
OBLIGATIONS = (MUST_ENROL_TOTP, MUST_CHANGE_PASSWORD)
# The last-seen time is written at most this often (seconds), to spare the session store.
TOUCH_SECONDS = 15

# Paths open to everyone signed in, and the one page that discharges each obligation.
_ALWAYS_OPEN = ("/static/", "/accounts/logout", "/i18n/", "/healthz")
_DISCHARGED_AT = {MUST_ENROL_TOTP: ("accounts:totp", "/accounts/totp"), MUST_CHANGE_PASSWORD: ("accounts:password", "/accounts/password")}


def session_obligations(user) -> dict[str, bool]:
    from linli.accounts.actions import password_is_expired, totp_required

    return {
        MUST_ENROL_TOTP: totp_required(user) and not user.totp_enabled,
        MUST_CHANGE_PASSWORD: password_is_expired(user),
    }


def session_has_obligation(session) -> bool:
    return any(session.get(key) for key in OBLIGATIONS)


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        session = request.session
        is_api = request.path.startswith("/api/")
        now = time.time()
        last = session.get(LAST_SEEN)
        if last is not None and now - last > security_policy().idle_timeout_minutes * 60:
            from linli.accounts.actions import logout_record

            logout_record(user=user, reason="idle")
            logout(request)
            if is_api:
                return self.get_response(request)
            return self._to_login(request)
        if last is None or now - last >= TOUCH_SECONDS:
            session[LAST_SEEN] = now
        if any(key not in session for key in OBLIGATIONS):
            session.update(session_obligations(user))
        if not is_api and not request.path.startswith(_ALWAYS_OPEN):
            for key in OBLIGATIONS:
                if session.get(key):
                    url_name, prefix = _DISCHARGED_AT[key]
                    if not request.path.startswith(prefix):
                        return redirect(url_name)
                    break
        return self.get_response(request)

    @staticmethod
    def _to_login(request):
        # The message middleware has not run for this request: keep the message in its storage ourselves.
        storage = default_storage(request)
        storage.add(messages.INFO, _("You were logged out after a period of inactivity."))
        target = reverse("accounts:login")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        response = redirect(target)
        storage.update(response)
        return response
