"""Authentication backend: username or mobile phone. Lockout, throttling, the second factor and the
audit row live in ``actions.login_attempt``; this backend only answers "is this the password"."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from linli.accounts.actions import is_locked, user_find_by_login


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = user_find_by_login(username or "")
        if user is None or password is None:
            return None
        if is_locked(user) or not user.check_password(password) or not self.user_can_authenticate(user):
            return None
        return user
