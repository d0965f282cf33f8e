"""Session security: idle timeout, forced password change when expired, forced TOTP enrolment for the
roles that require it."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.accounts.selectors import security_policy

LAST_SEEN = "linli:last_seen"
MUST_CHANGE_PASSWORD = "linli:must_change_password"
MUST_ENROL_TOTP = "linli:must_enrol_totp"

# Paths a user under an obligation may still reach.
_OPEN_PREFIXES = ("/static/", "/accounts/logout", "/accounts/password", "/accounts/totp", "/i18n/", "/healthz")


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session") and not request.path.startswith("/api/"):
            now = time.time()
            last = request.session.get(LAST_SEEN)
            idle_limit = security_policy().idle_timeout_minutes * 60
            if last is not None and now - last > idle_limit:
                from linli.accounts.actions import logout_record

                logout_record(user=user)
                logout(request)
                messages.info(request, _("You were logged out after a period of inactivity."))
                return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
            request.session[LAST_SEEN] = now
            if not request.path.startswith(_OPEN_PREFIXES):
                if request.session.get(MUST_ENROL_TOTP):
                    return redirect("accounts:totp")
                if request.session.get(MUST_CHANGE_PASSWORD):
                    return redirect("accounts:password")
        return self.get_response(request)
