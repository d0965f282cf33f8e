"""Authentication backend: username or mobile phone.

Every ``django.contrib.auth.authenticate()`` call (the Django admin's login form, ``client.login`` in
tests, anything else) goes through ``actions.login_attempt``, so no door skips the address throttle, the
account lock, the second factor or the audit row. A user with two-factor on cannot log in through a form
that has no code field; they use the Linli login page. The obligations a login may carry (enrol
two-factor, change an expired password) are read by the session middleware on the next request."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from linli.core.errors import DomainError


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, otp_code=None, **kwargs):
        from linli.accounts.actions import login_attempt

        if not username or password is None:
            return None
        try:
            outcome = login_attempt(identifier=username, password=password, otp_code=otp_code)
        except DomainError:
            return None
        return outcome.user
