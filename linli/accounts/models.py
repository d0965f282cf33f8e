"""Users, their role assignments (each bound to a place node or a department), login security, tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from linli.accounts.roles import Role
from linli.core.access import Scope, ScopedQuerySet
from linli.core.fields import EncryptedTextField, LookupHashField


class UserQuerySet(ScopedQuerySet):
    """Users are people, not places: the system administrator sees every account, anyone else only their
    own (so an id of another account is 404, like anything else out of scope)."""

    def scope_q(self, scope: Scope, user: Any) -> models.Q:
        from linli.accounts.roles import permissions_of

        if "users.manage" in permissions_of(scope.roles):
            return models.Q()
        return models.Q(pk=user.pk)


class LinliUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    display_name = models.CharField(_("name"), max_length=64, blank=True)
    phone = EncryptedTextField(_("mobile phone"), blank=True, default="")
    phone_hash = LookupHashField(source="phone")
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    id_number_hash = LookupHashField(source="id_number")
    totp_secret = EncryptedTextField(_("TOTP secret"), blank=True, default="")
    totp_enabled = models.BooleanField(_("two-factor authentication"), default=False)
    # The last TOTP time step accepted for this user: a code of that step or earlier is never accepted
    # again (replay protection that holds across processes and servers).
    totp_last_step = models.BigIntegerField(default=0, editable=False)
    failed_logins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when an administrator sets the password: the user must choose their own at the next login.
    password_must_change = models.BooleanField(default=False, editable=False)

    objects: ClassVar[LinliUserManager] = LinliUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def scope(self):
        from linli.accounts.selectors import user_scope

        return user_scope(self)

    @cached_property
    def role_set(self) -> frozenset[str]:
        return self.scope.roles

    @cached_property
    def perms(self) -> frozenset[str]:
        from linli.accounts.roles import permissions_of

        return permissions_of(self.role_set)


class Department(models.Model):
    """A functional department of the street or district (城管, 住建, 派出所 ...)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32, unique=True)
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="departments",
        verbose_name=_("serves"),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments",
        verbose_name=_("place"),
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments",
        verbose_name=_("department"),
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # One constraint per binding kind (SQLite has no NULLS NOT DISTINCT).
            models.UniqueConstraint(
                fields=["user", "role", "place"], condition=models.Q(place__isnull=False),
                name="accounts_roleassignment_place_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "department"], condition=models.Q(department__isnull=False),
                name="accounts_roleassignment_department_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(place__isnull=True, department__isnull=True),
                name="accounts_roleassignment_unbound_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(place__isnull=True) | models.Q(department__isnull=True),
                name="accounts_roleassignment_place_or_department",
            ),
        ]

    def __str__(self) -> str:
        where = self.place or self.department or "—"
        return f"{self.user} · {self.get_role_display()} · {where}"


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class LoginFailure(models.Model):
    """A failed login, kept for the password-spraying throttle (distinct usernames per address)."""

    at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True)
    username = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="accounts_loginfailure_ip_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.ip} {self.username}"


class SecurityPolicy(models.Model):
    """Login and password policy, set by the security administrator. One row (pk=1)."""

    password_min_length = models.PositiveSmallIntegerField(_("minimum password length"), default=8)
    password_history = models.PositiveSmallIntegerField(_("passwords remembered"), default=5)
    password_max_age_days = models.PositiveSmallIntegerField(_("staff password lifetime (days)"), default=90)
    lockout_threshold = models.PositiveSmallIntegerField(_("failures before lock"), default=5)
    lockout_minutes = models.PositiveSmallIntegerField(_("lock duration (minutes)"), default=30)
    spray_usernames = models.PositiveSmallIntegerField(_("usernames failing from one address"), default=10)
    spray_window_minutes = models.PositiveSmallIntegerField(_("address throttle window (minutes)"), default=15)
    idle_timeout_minutes = models.PositiveSmallIntegerField(_("idle session timeout (minutes)"), default=30)
    staff_totp_required = models.BooleanField(_("require two-factor for all staff"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return str(_("security policy"))


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
