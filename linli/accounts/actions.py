"""Every write about accounts: logins, passwords, locks, roles, two-factor, API tokens, the policy.

The web views, the API, the admin and the commands all call these functions; each writes its audit
row itself.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import (
    ApiToken,
    Department,
    LoginFailure,
    PasswordHistory,
    RoleAssignment,
    SecurityPolicy,
    User,
)
from linli.accounts.roles import ADMIN_ROLES, DEPARTMENT_ROLES, STAFF_ROLES, Role
from linli.accounts.selectors import forget_security_policy, security_policy, user_has_perm
from linli.core import context
from linli.core.audit import audit_record
from linli.core.crypto import lookup_hashes
from linli.core.errors import DomainError, Invalid, PermissionDenied, Refused
from linli.core.models import AuditResult

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
TOKEN_PREFIX = "lnl_"


class LoginRefused(DomainError):
    status = 401
    code = "login_refused"


# --- finding users ------------------------------------------------------------------------------------


def user_find_by_login(identifier: str) -> User | None:
    """The active or inactive user whose username, or mobile phone, is ``identifier``."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User.objects.filter(username__iexact=identifier).first()
    if user is None and PHONE_RE.match(identifier):
        user = User.objects.filter(phone_hash__in=lookup_hashes(identifier)).first()
    return user


def _failure_key(identifier: str) -> str:
    """What the spraying throttle counts: the username, or a hash for a phone (never the phone itself)."""
    identifier = identifier.strip().lower()[:150]
    if PHONE_RE.match(identifier):
        return "phone:" + hashlib.sha256(identifier.encode()).hexdigest()[:16]
    return identifier


# --- logging in ---------------------------------------------------------------------------------------


def is_locked(user: User, now=None) -> bool:
    return bool(user.locked_until and user.locked_until > (now or timezone.now()))


def ip_is_throttled(ip: str | None, policy: SecurityPolicy, now=None) -> bool:
    if not ip:
        return False
    since = (now or timezone.now()) - timedelta(minutes=policy.spray_window_minutes)
    distinct = LoginFailure.objects.filter(ip=ip, at__gte=since).values("username").distinct().count()
    return distinct >= policy.spray_usernames


def _refuse(message, code: str, *, identifier: str, user: User | None, reason: str) -> LoginRefused:
    audit_record(
        action="accounts.login",
        actor=None,
        actor_name=(user.username if user else _failure_key(identifier)),
        target=user,
        result=AuditResult.DENIED,
        detail={"reason": reason},
    )
    return LoginRefused(message, code=code)


def _record_failure(user: User | None, identifier: str, policy: SecurityPolicy, now) -> int | None:
    """Count a failure against the address and the account; lock the account at the threshold.
    Returns the attempts left before the lock, or None when the account is now locked."""
    LoginFailure.objects.create(at=now, ip=context.current().ip, username=_failure_key(identifier))
    if user is None:
        return policy.lockout_threshold
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        failed = User.objects.values_list("failed_logins", flat=True).get(pk=user.pk)
        if failed >= policy.lockout_threshold:
            until = now + timedelta(minutes=policy.lockout_minutes)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            user.locked_until = until
            audit_record(action="accounts.lock", actor_name=user.username, target=user, detail={"until": until.isoformat()})
            return None
    return policy.lockout_threshold - failed


def totp_verify(user: User, code: str | None) -> bool:
    """A TOTP code for this user, within one step of now, not used before (no replay)."""
    code = (code or "").strip().replace(" ", "")
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    if not pyotp.TOTP(user.totp_secret).verify(code, valid_window=1):
        return False
    replay_key = f"accounts:totp-used:{user.pk}:{code}"
    return bool(cache.add(replay_key, 1, timeout=120))


def totp_required(user: User) -> bool:
    roles = user.role_set
    if roles & ADMIN_ROLES:
        return True
    return bool(security_policy().staff_totp_required and roles & STAFF_ROLES)


@dataclass
class LoginOutcome:
    user: User
    must_enrol_totp: bool
    password_expired: bool


def login_attempt(*, identifier: str, password: str, otp_code: str | None = None) -> LoginOutcome:
    """Check a login. Refuses (LoginRefused) when the address is throttled, the account is locked (even
    with the right password), the password or the second factor is wrong. Every outcome is audited."""
    policy = security_policy()
    now = timezone.now()
    ip = context.current().ip
    if ip_is_throttled(ip, policy, now):
        raise _refuse(
            _("Too many failed logins from your address. Please wait a few minutes and try again."),
            "throttled", identifier=identifier, user=None, reason="address throttled",
        )
    user = user_find_by_login(identifier)
    if user is not None and is_locked(user, now):
        raise _refuse(
            _("This account is locked after repeated failed logins until %(time)s. The security "
              "administrator can unlock it.") % {"time": timezone.localtime(user.locked_until).strftime("%H:%M")},
            "locked", identifier=identifier, user=user, reason="locked",
        )
    if user is None or not user.check_password(password) or not user.is_active:
        left = _record_failure(user, identifier, policy, now)
        if left is None:
            message = _("Wrong account or password. The account is now locked for %(n)d minutes.") % {
                "n": policy.lockout_minutes
            }
        else:
            message = _("Wrong account or password.")
        raise _refuse(message, "bad_credentials", identifier=identifier, user=user, reason="bad credentials")
    if user.totp_enabled and not totp_verify(user, otp_code):
        left = _record_failure(user, identifier, policy, now)
        code = "otp_required" if not otp_code else "otp_invalid"
        message = _("Enter the 6-digit code from your authenticator app.") if not otp_code else _(
            "The verification code is wrong or has been used."
        )
        raise _refuse(message, code, identifier=identifier, user=user, reason=code)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now)
    user.failed_logins, user.locked_until, user.last_login = 0, None, now
    audit_record(action="accounts.login", actor=user, target=user)
    return LoginOutcome(
        user=user,
        must_enrol_totp=totp_required(user) and not user.totp_enabled,
        password_expired=password_is_expired(user),
    )


def logout_record(*, user: User) -> None:
    audit_record(action="accounts.logout", actor=user, target=user)


def password_is_expired(user: User) -> bool:
    if not (user.role_set & STAFF_ROLES):
        return False
    if user.password_changed_at is None:
        return False
    age = timezone.now() - user.password_changed_at
    return age > timedelta(days=security_policy().password_max_age_days)


# --- unlocking ----------------------------------------------------------------------------------------


def user_unlock(*, user: User, actor: User | None) -> User:
    """Release a lock. The security administrator in the UI; ``linli unlock`` at the console (actor None)."""
    if actor is not None and not user_has_perm(actor, "security.unlock"):
        raise PermissionDenied(_("Only the security administrator can unlock accounts."))
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    audit_record(action="accounts.unlock", actor=actor, actor_name="" if actor else "console", target=user)
    return user


# --- passwords ----------------------------------------------------------------------------------------


def _validation_messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@transaction.atomic
def password_set(*, user: User, new_password: str, actor: User | None, old_password: str | None = None) -> User:
    """Change a password: the user themselves (with the old password) or the system administrator."""
    if actor is not None and actor.pk == user.pk:
        if old_password is None or not user.check_password(old_password):
            raise Invalid(_("The current password is wrong."), fields={"old_password": [_("The current password is wrong.")]})
    elif actor is not None and not user_has_perm(actor, "users.manage"):
        raise PermissionDenied(_("You may not change this user's password."))
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise Invalid(_("The new password does not meet the policy."), fields={"new_password": _validation_messages(exc)}) from exc
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    keep = security_policy().password_history
    stale = list(user.password_history.values_list("pk", flat=True)[keep:])
    if stale:
        PasswordHistory.objects.filter(pk__in=stale).delete()
    user.set_password(new_password)
    # A password set by an administrator must be changed at the next login: mark it expired.
    user.password_changed_at = timezone.now() if (actor is None or actor.pk == user.pk) else timezone.now() - timedelta(days=3650)
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(action="accounts.password_set", actor=actor, actor_name="" if actor else "console", target=user)
    return user


# --- users and roles ------------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    actor: User | None,
    display_name: str = "",
    phone: str = "",
    email: str = "",
) -> User:
    if actor is not None and not user_has_perm(actor, "users.manage"):
        raise PermissionDenied(_("Only the system administrator can create users."))
    username = username.strip()
    if not username or User.objects.filter(username__iexact=username).exists():
        raise Invalid(_("This username is taken."), fields={"username": [_("This username is taken.")]})
    if phone:
        if not PHONE_RE.match(phone):
            raise Invalid(_("Not a mobile phone number."), fields={"phone": [_("Not a mobile phone number.")]})
        if User.objects.filter(phone_hash__in=lookup_hashes(phone)).exists():
            raise Invalid(_("This phone number belongs to another user."), fields={"phone": [_("Already in use.")]})
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(_("The password does not meet the policy."), fields={"password": _validation_messages(exc)}) from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    audit_record(action="accounts.user_create", actor=actor, actor_name="" if actor else "console", target=user)
    return user


def _check_grant(*, user: User, role: str, place, department, actor: User | None) -> None:
    if role not in Role.values:
        raise Invalid(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    if actor is not None:
        if actor.pk == user.pk:
            raise PermissionDenied(_("Nobody may change their own roles."))
        needed = "roles.grant_admin" if role in ADMIN_ROLES else "users.manage"
        if not user_has_perm(actor, needed):
            raise PermissionDenied(_("You may not grant or revoke this role."))
    if role in ADMIN_ROLES:
        if place is not None or department is not None:
            raise Invalid(_("Administrator roles are not bound to a place or department."))
    elif role in DEPARTMENT_ROLES:
        if department is None or place is not None:
            raise Invalid(_("This role is bound to a department."), fields={"department": [_("Required.")]})
    elif place is None or department is not None:
        raise Invalid(_("This role is bound to a place."), fields={"place": [_("Required.")]})


@transaction.atomic
def role_assign(*, user: User, role: str, actor: User | None, place=None, department: Department | None = None) -> RoleAssignment:
    """Grant a role. Ordinary roles: the system administrator. The three administrator roles: the security
    administrator only, never to oneself, and one person holds at most one of them."""
    _check_grant(user=user, role=role, place=place, department=department, actor=actor)
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    if role in ADMIN_ROLES and (held & ADMIN_ROLES) - {role}:
        raise Refused(_("One person may hold only one of the three administrator roles."))
    if role in ADMIN_ROLES and held - ADMIN_ROLES or role not in ADMIN_ROLES and held & ADMIN_ROLES:
        raise Refused(_("Administrator accounts are kept apart from business roles."))
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, place=place, department=department, defaults={"granted_by": actor}
    )
    if created:
        audit_record(
            action="accounts.role_assign", actor=actor, actor_name="" if actor else "console", target=user,
            detail={"role": role, "place": getattr(place, "pk", None), "department": getattr(department, "pk", None)},
        )
    if role == Role.SYSTEM_ADMIN and not user.is_staff:
        # The Django admin is the system administrator's console for operational data.
        User.objects.filter(pk=user.pk).update(is_staff=True)
    user.__dict__.pop("scope", None)
    user.__dict__.pop("role_set", None)
    user.__dict__.pop("perms", None)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: User | None) -> None:
    _check_grant(
        user=assignment.user, role=assignment.role, place=assignment.place, department=assignment.department, actor=actor
    )
    audit_record(
        action="accounts.role_revoke", actor=actor, actor_name="" if actor else "console", target=assignment.user,
        detail={"role": assignment.role, "place": assignment.place_id, "department": assignment.department_id},
    )
    assignment.delete()


@transaction.atomic
def department_create(*, name: str, code: str, actor: User | None, place=None) -> Department:
    """A department (城管, 住建, 派出所 ...), optionally serving a place. The system administrator, or the console."""
    if actor is not None and not user_has_perm(actor, "users.manage"):
        raise PermissionDenied(_("Only the system administrator can create departments."))
    name, code = name.strip(), code.strip()
    if not name or not code:
        raise Invalid(_("A department needs a name and a code."))
    if Department.objects.filter(code=code).exists():
        raise Invalid(_("This code is taken."), fields={"code": [_("This code is taken.")]})
    department = Department.objects.create(name=name, code=code, place=place)
    audit_record(action="accounts.department_create", actor=actor, actor_name="" if actor else "console", target=department)
    return department


# --- two-factor -----------------------------------------------------------------------------------------


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Linli 邻里")


def totp_enable(*, user: User, secret: str, code: str, actor: User) -> User:
    """Turn on two-factor after the user proves the app shows the right code for the new secret."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("Only the user can enrol their own authenticator."))
    if not pyotp.TOTP(secret).verify((code or "").strip(), valid_window=1):
        raise Invalid(_("The verification code is wrong."), fields={"code": [_("The verification code is wrong.")]})
    user.totp_secret, user.totp_enabled = secret, True
    user.save(update_fields=["totp_secret", "totp_enabled"])
    audit_record(action="accounts.totp_enable", actor=actor, target=user)
    return user


def totp_disable(*, user: User, actor: User) -> User:
    if actor.pk != user.pk and not user_has_perm(actor, "security.unlock"):
        raise PermissionDenied(_("You may not turn off two-factor for this user."))
    if totp_required(user) and actor.pk == user.pk:
        raise Refused(_("Two-factor authentication is required for your role."))
    user.totp_secret, user.totp_enabled = "", False
    user.save(update_fields=["totp_secret", "totp_enabled"])
    audit_record(action="accounts.totp_disable", actor=actor, target=user)
    return user


# --- API tokens ------------------------------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user: User, actor: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new bearer token. The raw key is returned once and stored only as a hash."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("Tokens are issued to their own user only."))
    days = days or settings.LINLI_API_TOKEN_DAYS
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:64],
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=_token_hash(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(action="accounts.token_issue", actor=actor, target=user, detail={"token": token.prefix, "days": days})
    return token, raw


def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if actor.pk != token.user_id and not user_has_perm(actor, "security.unlock"):
        raise PermissionDenied(_("You may not revoke this token."))
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db()
        audit_record(action="accounts.token_revoke", actor=actor, target=token.user, detail={"token": token.prefix})
    return token


def token_authenticate(raw: str) -> User | None:
    """The user of a live token (not expired, not revoked, user active and not locked), else None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active or is_locked(token.user, now):
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- policy ------------------------------------------------------------------------------------------------

POLICY_FIELDS = (
    "password_min_length",
    "password_history",
    "password_max_age_days",
    "lockout_threshold",
    "lockout_minutes",
    "spray_usernames",
    "spray_window_minutes",
    "idle_timeout_minutes",
    "staff_totp_required",
)
POLICY_FLOORS = {
    "password_min_length": 8,
    "password_history": 5,
    "lockout_threshold": 1,
    "lockout_minutes": 1,
    "spray_usernames": 2,
    "spray_window_minutes": 1,
    "idle_timeout_minutes": 1,
    "password_max_age_days": 1,
}


@transaction.atomic
def security_policy_update(*, actor: User, changes: dict[str, Any]) -> SecurityPolicy:
    if not user_has_perm(actor, "security.policy"):
        raise PermissionDenied(_("Only the security administrator sets the security policy."))
    policy = SecurityPolicy.objects.select_for_update().get_or_create(pk=1)[0]
    errors: dict[str, list[str]] = {}
    before = {f: getattr(policy, f) for f in POLICY_FIELDS}
    for field, value in changes.items():
        if field not in POLICY_FIELDS:
            errors[field] = [str(_("Unknown setting."))]
            continue
        floor = POLICY_FLOORS.get(field)
        if floor is not None and int(value) < floor:
            errors[field] = [str(_("At least %(n)d.") % {"n": floor})]
            continue
        setattr(policy, field, value)
    if errors:
        raise Invalid(_("Some settings are not acceptable."), fields=errors)
    policy.save()
    forget_security_policy()
    after = {f: getattr(policy, f) for f in POLICY_FIELDS}
    audit_record(
        action="accounts.policy_update", actor=actor, target=policy,
        detail={"changed": {k: [before[k], after[k]] for k in POLICY_FIELDS if before[k] != after[k]}},
    )
    return policy
