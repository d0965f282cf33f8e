"""Every write about accounts: logins, passwords, locks, roles, two-factor, API tokens, the policy.

The web views, the API, the admin and the commands all call these functions; each writes its audit
row itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
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
from linli.accounts.roles import ADMIN_ROLES, DEPARTMENT_ROLES, STAFF_ROLES, WIDE_ROLE_KINDS, Role
from linli.accounts.selectors import forget_security_policy, security_policy, user_has_perm
from linli.core import context
from linli.core.audit import audit_record
from linli.core.crypto import lookup_hash, lookup_hashes
from linli.core.errors import DomainError, Invalid, PermissionDenied, Refused
from linli.core.models import AuditResult
from linli.core.refdata import refdata_changed

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
    """What the spraying throttle counts and what a refused login's audit row names when no account
    matched: the username as typed, or a keyed hash for a phone (never the phone itself)."""
    identifier = identifier.strip().lower()[:150]
    if PHONE_RE.match(identifier):
        return "phone:" + lookup_hash(identifier)[:16]
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
    # The throttle looks back one window at most: older rows are of no further use.
    LoginFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()
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
    """A TOTP code for this user, within one step of now, of a later time step than the last code
    accepted (no replay). The step is claimed with a compare-and-set, so two servers cannot both accept
    the same code."""
    code = (code or "").strip().replace(" ", "")
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now_step = totp.timecode(timezone.now())
    for step in (now_step - 1, now_step, now_step + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            claimed = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
            if claimed:
                user.totp_last_step = step
            return bool(claimed)
    return False


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
    by_phone = user is not None and user.username.lower() != (identifier or "").strip().lower()
    if user is not None and is_locked(user, now):
        raise _refuse(
            _("This account is locked after repeated failed logins until %(time)s. The security "
              "administrator can unlock it.") % {"time": timezone.localtime(user.locked_until).strftime("%H:%M")},
            "locked", identifier=identifier, user=user, reason="locked",
        )
    if user is None:
        # Spend the time a password check takes, so an unknown name cannot be told by the response time.
        User().set_password(password)
    if user is None or not user.check_password(password) or not user.is_active:
        left = _record_failure(user, identifier, policy, now)
        if left is None:
            message = _("Wrong account or password. The account is now locked for %(n)d minutes.") % {
                "n": policy.lockout_minutes
            }
        else:
            message = str(_("Wrong account or password."))
        raise _refuse(message, "bad_credentials", identifier=identifier, user=user, reason="bad credentials")
    if user.totp_enabled and not (otp_code or "").strip():
        # The password was right and no code was given yet: ask for it (not a failure).
        raise _refuse(
            _("Enter the 6-digit code from your authenticator app."), "otp_required",
            identifier=identifier, user=user, reason="otp required",
        )
    if user.totp_enabled and not totp_verify(user, otp_code):
        # A wrong or replayed code counts towards the lock like a wrong password.
        left = _record_failure(user, identifier, policy, now)
        if left is None:
            message = _("The verification code is wrong. The account is now locked for %(n)d minutes.") % {
                "n": policy.lockout_minutes
            }
        else:
            message = str(_("The verification code is wrong or has been used."))
        raise _refuse(message, "otp_invalid", identifier=identifier, user=user, reason="otp invalid")
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now)
    user.failed_logins, user.locked_until, user.last_login = 0, None, now
    audit_record(action="accounts.login", actor=user, target=user, detail={"by": "phone" if by_phone else "username"})
    return LoginOutcome(
        user=user,
        must_enrol_totp=totp_required(user) and not user.totp_enabled,
        password_expired=password_is_expired(user),
    )


def logout_record(*, user: User, reason: str = "") -> None:
    """Audit a logout: by the user, or ``reason="idle"`` when the session timed out."""
    audit_record(action="accounts.logout", actor=user, target=user, detail={"reason": reason} if reason else None)


def password_is_expired(user: User) -> bool:
    """True when the user must choose a new password now: an administrator set it, or the user is
    staff and the password is older than the policy allows."""
    if user.password_must_change:
        return True
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


def _holds_admin_role(user: User) -> bool:
    return RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES).exists()


def user_manage_check(*, user: User, actor: User | None, message) -> None:
    """May ``actor`` change another user's account? The system administrator may change ordinary
    accounts; the accounts of the three administrators only the security administrator (so the system
    administrator cannot take over the audit administrator's account). The console may do anything."""
    if actor is None:
        return
    if actor.pk == user.pk:
        raise PermissionDenied(message)
    needed = "roles.grant_admin" if _holds_admin_role(user) else "users.manage"
    if not user_has_perm(actor, needed):
        raise PermissionDenied(message)


@transaction.atomic
def password_set(*, user: User, new_password: str, actor: User | None, old_password: str | None = None) -> User:
    """Change a password: the user themselves (with the old password), or for someone else the system
    administrator (the security administrator for an administrator's account). A password set by
    someone else must be changed by its owner at the next login."""
    own = actor is not None and actor.pk == user.pk
    if own:
        if old_password is None or not user.check_password(old_password):
            raise Invalid(_("The current password is wrong."), fields={"old_password": [str(_("The current password is wrong."))]})
    else:
        user_manage_check(user=user, actor=actor, message=_("You may not change this user's password."))
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
    user.password_changed_at = timezone.now()
    user.password_must_change = actor is not None and not own
    user.save(update_fields=["password", "password_changed_at", "password_must_change"])
    # A new password ends the bearer tokens too: a token taken with the old password must not outlive it.
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        action="accounts.password_set", actor=actor, actor_name="" if actor else "console", target=user,
        detail={"by": "self" if own else ("console" if actor is None else "administrator"), "tokens_revoked": revoked},
    )
    return user


# --- users and roles ------------------------------------------------------------------------------------

# While ``password_hashes_shared()`` is active: password -> its hash, computed once (the demo's accounts).
_shared_hashes: ContextVar[dict[str, str] | None] = ContextVar("linli_shared_password_hashes", default=None)


@contextmanager
def password_hashes_shared() -> Iterator[None]:
    """Inside: ``user_create`` hashes each distinct password once (PBKDF2, the configured hasher and its
    iterations) and gives every new account with that password the same stored hash. For the console's
    bulk creation of accounts that share one password (``linli demo``: a dozen accounts with the demo
    password would otherwise spend most of a second each in the hasher). The hash is as strong as any
    other; the accounts only share its salt, which reveals nothing the shared password does not."""
    token = _shared_hashes.set({})
    try:
        yield
    finally:
        _shared_hashes.reset(token)


def _set_password(user: User, password: str) -> None:
    shared = _shared_hashes.get()
    if shared is None:
        user.set_password(password)
        return
    if password not in shared:
        user.set_password(password)
        shared[password] = user.password
    else:
        user.password = shared[password]
        user._password = password  # type: ignore[attr-defined]  # as set_password leaves it for the validators


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
        raise Invalid(_("This username is taken."), fields={"username": [str(_("This username is taken."))]})
    if phone:
        if not PHONE_RE.match(phone):
            raise Invalid(_("Not a mobile phone number."), fields={"phone": [str(_("Not a mobile phone number."))]})
        if User.objects.filter(phone_hash__in=lookup_hashes(phone)).exists():
            raise Invalid(_("This phone number belongs to another user."), fields={"phone": [str(_("Already in use."))]})
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(_("The password does not meet the policy."), fields={"password": _validation_messages(exc)}) from exc
    _set_password(user, password)
    user.password_changed_at = timezone.now()
    user.save()
    audit_record(action="accounts.user_create", actor=actor, actor_name="" if actor else "console", target=user)
    return user


USER_UPDATE_FIELDS = ("display_name", "email", "phone", "is_active")


@transaction.atomic
def user_update(*, user: User, actor: User | None, changes: dict[str, Any]) -> User:
    """Change an account's name, e-mail, phone or active flag (deactivation instead of deletion). The
    system administrator; an administrator's account only the security administrator; never oneself."""
    user_manage_check(user=user, actor=actor, message=_("You may not change this user."))
    errors: dict[str, list[str]] = {}
    changed: list[str] = []
    for field, value in changes.items():
        if field not in USER_UPDATE_FIELDS:
            errors[field] = [str(_("This field cannot be changed here."))]
            continue
        if field == "phone":
            value = (value or "").strip()
            if value and not PHONE_RE.match(value):
                errors[field] = [str(_("Not a mobile phone number."))]
                continue
            if value and User.objects.filter(phone_hash__in=lookup_hashes(value)).exclude(pk=user.pk).exists():
                errors[field] = [str(_("This phone number belongs to another user."))]
                continue
        elif field == "is_active":
            value = bool(value)
        else:
            value = (value or "").strip()
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if errors:
        raise Invalid(_("Some fields are not acceptable."), fields=errors)
    if changed:
        update_fields = changed + (["phone_hash"] if "phone" in changed else [])
        user.save(update_fields=update_fields)
        refdata_changed("roles")  # who is routed to (core/refdata.py)
        # The phone is never written to the audit row: only that it changed.
        audit_record(
            action="accounts.user_update", actor=actor, actor_name="" if actor else "console", target=user,
            detail={"changed": sorted(changed), "is_active": user.is_active},
        )
    return user


def role_grant_check(*, user: User, role: str, place, department, actor: User | None) -> None:
    """Raise unless ``actor`` may grant or revoke ``role`` (bound as given) for ``user``. The admin's
    role-assignment form calls this to show the reason next to the row."""
    if role not in Role.values:
        raise Invalid(_("Unknown role."), fields={"role": [str(_("Unknown role."))]})
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
            raise Invalid(_("This role is bound to a department."), fields={"department": [str(_("Required."))]})
    elif place is None or department is not None:
        raise Invalid(_("This role is bound to a place."), fields={"place": [str(_("Required."))]})
    elif role in WIDE_ROLE_KINDS and getattr(place, "kind", None) not in WIDE_ROLE_KINDS[role]:
        raise Invalid(_("This role is bound to a city or a district."), fields={"place": [str(_("Not this kind of place."))]})
    elif role not in WIDE_ROLE_KINDS and getattr(place, "kind", None) in ("city", "district"):
        raise Invalid(_("This role is bound to a street or below."), fields={"place": [str(_("Not this kind of place."))]})


@transaction.atomic
def role_assign(*, user: User, role: str, actor: User | None, place=None, department: Department | None = None) -> RoleAssignment:
    """Grant a role. Ordinary roles: the system administrator. The three administrator roles: the security
    administrator only, never to oneself, and one person holds at most one of them."""
    role_grant_check(user=user, role=role, place=place, department=department, actor=actor)
    if role in ADMIN_ROLES and user.is_superuser:
        raise Refused(_("The three administrators must not be superusers."))
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
    if role in ADMIN_ROLES and not user.is_staff:
        # The Django admin is the administrators' console; what each sees there follows their role.
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    _forget_roles(user)
    return assignment


def _forget_roles(user: User) -> None:
    for attr in ("scope", "role_set", "perms"):
        user.__dict__.pop(attr, None)
    refdata_changed("roles")  # who is routed to and told (core/refdata.py)


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: User | None) -> None:
    user = assignment.user
    role_grant_check(user=user, role=assignment.role, place=assignment.place, department=assignment.department, actor=actor)
    audit_record(
        action="accounts.role_revoke", actor=actor, actor_name="" if actor else "console", target=user,
        detail={"role": assignment.role, "place": assignment.place_id, "department": assignment.department_id},
    )
    assignment.delete()
    if assignment.role in ADMIN_ROLES and not _holds_admin_role(user):
        User.objects.filter(pk=user.pk).update(is_staff=False)
        user.is_staff = False
    _forget_roles(user)


@transaction.atomic
def department_create(*, name: str, code: str, actor: User | None, place=None) -> Department:
    """A department (城管, 住建, 派出所 ...), optionally serving a place. The system administrator, or the console."""
    if actor is not None and not user_has_perm(actor, "users.manage"):
        raise PermissionDenied(_("Only the system administrator can create departments."))
    name, code = name.strip(), code.strip()
    if not name or not code:
        raise Invalid(_("A department needs a name and a code."))
    if Department.objects.filter(code=code).exists():
        raise Invalid(_("This code is taken."), fields={"code": [str(_("This code is taken."))]})
    department = Department.objects.create(name=name, code=code, place=place)
    audit_record(action="accounts.department_create", actor=actor, actor_name="" if actor else "console", target=department)
    return department


@transaction.atomic
def department_update(*, department: Department, actor: User | None, name: str, code: str, place=None) -> Department:
    refdata_changed("categories", "roles")  # a category's department is cached with its name
    if actor is not None and not user_has_perm(actor, "users.manage"):
        raise PermissionDenied(_("Only the system administrator can change departments."))
    name, code = name.strip(), code.strip()
    if not name or not code:
        raise Invalid(_("A department needs a name and a code."))
    if Department.objects.filter(code=code).exclude(pk=department.pk).exists():
        raise Invalid(_("This code is taken."), fields={"code": [str(_("This code is taken."))]})
    before = {"name": department.name, "code": department.code, "place": department.place_id}
    department.name, department.code, department.place = name, code, place
    department.save(update_fields=["name", "code", "place"])
    after = {"name": department.name, "code": department.code, "place": department.place_id}
    audit_record(
        action="accounts.department_update", actor=actor, actor_name="" if actor else "console", target=department,
        detail={"changed": {k: [before[k], after[k]] for k in before if before[k] != after[k]}},
    )
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
        raise Invalid(_("The verification code is wrong."), fields={"code": [str(_("The verification code is wrong."))]})
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
# Bounds keep a setting within what the rules ask (floors) and what the columns hold (ceilings).
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
POLICY_CEILINGS = {
    "password_min_length": 128,
    "password_history": 24,
    "password_max_age_days": 90,
    "lockout_threshold": 10,
    "lockout_minutes": 1440,
    "spray_usernames": 1000,
    "spray_window_minutes": 1440,
    "idle_timeout_minutes": 30,
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
        if field == "staff_totp_required":
            setattr(policy, field, bool(value))
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            errors[field] = [str(_("Enter a whole number."))]
            continue
        floor, ceiling = POLICY_FLOORS[field], POLICY_CEILINGS[field]
        if number < floor:
            errors[field] = [str(_("At least %(n)d.") % {"n": floor})]
            continue
        if number > ceiling:
            errors[field] = [str(_("At most %(n)d.") % {"n": ceiling})]
            continue
        setattr(policy, field, number)
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
