"""The accounts' part of anonymising a person after the retention period (``linli.privacy``): a login that
belongs to the anonymised person (same phone), holds no staff role, and has not been used since the
person left (the retention cut-off) is closed: no name, no phone or its hash, no usable password, its
tokens revoked. A login still in use, or a staff member's, is left alone (it is the account holder's own,
and they may be living elsewhere in the city)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from linli.accounts.models import ApiToken, LoginFailure, RoleAssignment, User
from linli.accounts.roles import Role

ANONYMISED = {
    "User": "the person's unused resident login: name, phone, ID number and their hashes, password, tokens",
    "LoginFailure": "refused logins under the anonymised login's name or the person's phone key: deleted",
}
NOTHING_PERSONAL = {
    "Department": "a department's name and code",
    "RoleAssignment": "a login's role at a place (the login is anonymised with the person)",
    "PasswordHistory": "salted password hashes of a login",
    "ApiToken": "a token's name, prefix and hash (revoked with the login)",
}
RESIDENT_ROLES = (Role.RESIDENT, Role.VOLUNTEER, Role.PARTY_MEMBER, Role.BUILDING_HEAD)


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    n = 0
    now = timezone.now()
    for subject in people.values():
        ids = subject.get("user_ids") or []
        if not ids:
            continue
        before = subject["before"]
        staff = RoleAssignment.objects.filter(user_id__in=ids).exclude(role__in=RESIDENT_ROLES).values("user_id")
        unused = Q(last_login__isnull=True) | Q(last_login__date__lt=before)
        for user in User.objects.filter(pk__in=ids).filter(unused).exclude(pk__in=staff):
            LoginFailure.objects.filter(username=user.username.lower()).delete()
            user.username = f"anonymised-{user.pk}"
            user.first_name = user.last_name = user.email = user.display_name = ""
            user.phone = user.id_number = ""
            user.is_active = False
            user.set_unusable_password()
            user.save()
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
            n += 1
    for subject in people.values():  # the spraying throttle's key of a phone typed at the login
        LoginFailure.objects.filter(username__in=subject.get("login_keys") or []).delete()
    return n
