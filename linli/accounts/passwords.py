"""Password rules (等保 level 3): length, three of four character classes, not the username, not one
of the last N passwords. The numbers come from the security policy."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _policy():
    from linli.accounts.selectors import security_policy

    return security_policy()


def character_classes(password: str) -> int:
    return sum(
        [
            any(c.islower() and c.isascii() for c in password),
            any(c.isupper() and c.isascii() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )


class PolicyLengthValidator:
    def validate(self, password, user=None):
        n = _policy().password_min_length
        if len(password) < n:
            raise ValidationError(
                ngettext(
                    "The password must have at least %(n)d character.",
                    "The password must have at least %(n)d characters.",
                    n,
                )
                % {"n": n},
                code="password_too_short",
            )

    def get_help_text(self):
        n = _policy().password_min_length
        return _("At least %(n)d characters.") % {"n": n}


class CharacterClassesValidator:
    def validate(self, password, user=None):
        if character_classes(password) < 3:
            raise ValidationError(
                _("The password must mix at least three of: lower-case letters, upper-case letters, digits, symbols."),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("Mix at least three of: lower-case letters, upper-case letters, digits, symbols.")


class NotUsernameValidator:
    def validate(self, password, user=None):
        if user is None or not getattr(user, "username", ""):
            return
        username = user.username.lower()
        lowered = password.lower()
        if username and (lowered == username or username in lowered or lowered in username):
            raise ValidationError(_("The password must not contain the username."), code="password_is_username")

    def get_help_text(self):
        return _("Must not contain the username.")


class HistoryValidator:
    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        # "The last N passwords" counts the current one: it and the N-1 before it are refused.
        n = _policy().password_history
        if user.password and check_password(password, user.password):
            raise ValidationError(_("The new password must differ from the current one."), code="password_reused")
        for old in user.password_history.all()[: max(n - 1, 0)]:
            if check_password(password, old.password):
                raise ValidationError(
                    _("The password must differ from your last %(n)d passwords.") % {"n": n}, code="password_reused"
                )

    def get_help_text(self):
        return _("Must differ from your recent passwords.")
