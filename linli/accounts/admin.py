"""The Django admin for accounts: users (with their role assignments), departments, the security policy.

Who sees what follows the Linli permissions of the three administrators, not Django's model
permissions (none of them is a superuser):

- users: the system administrator (``users.manage``) creates and changes accounts and grants ordinary
  roles; the security administrator (``roles.grant_admin``) sees the accounts, grants and revokes the
  three administrator roles and unlocks accounts. Phones are shown masked; no secret is ever a field.
- departments: the system administrator.
- security policy: the security administrator only.

Every save goes through the accounts actions, which check the rules again and write the audit rows.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts import actions
from linli.accounts.models import Department, RoleAssignment, SecurityPolicy, User
from linli.accounts.roles import ADMIN_ROLES
from linli.core.crypto import lookup_hashes
from linli.core.errors import DomainError
from linli.core.masking import mask_phone


def _login_via_linli(request, extra_context=None):
    """Staff log in on the Linli login page (lockout, two-factor, audit), never on Django's own form."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("accounts:login"))


admin.site.login = _login_via_linli  # type: ignore[method-assign]
admin.site.site_header = gettext_lazy("Linli administration")
admin.site.site_title = gettext_lazy("Linli administration")


class LinliPermissionAdmin(admin.ModelAdmin):
    """Grants the admin pages by Linli permission. Nothing is deleted through the admin."""

    view_perms: frozenset[str] = frozenset()
    change_perms: frozenset[str] = frozenset()

    @staticmethod
    def _perms(request) -> frozenset[str]:
        user = request.user
        if not (user.is_active and user.is_staff):
            return frozenset()
        return getattr(user, "perms", frozenset())

    def has_module_permission(self, request):
        return bool(self._perms(request) & (self.view_perms | self.change_perms))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return bool(self._perms(request) & self.change_perms)

    def has_change_permission(self, request, obj=None):
        return bool(self._perms(request) & self.change_perms)

    def has_delete_permission(self, request, obj=None):
        return False


# --- users ------------------------------------------------------------------------------------------------


class RoleAssignmentFormSet(BaseInlineFormSet):
    """Checks every granted, changed and revoked row with the same rules as ``role_assign`` /
    ``role_revoke``, so the reason shows next to the row."""

    actor: Any = None

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        user = self.instance
        kept: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            data = form.cleaned_data
            deleted = data.get("DELETE", False)
            original = RoleAssignment.objects.get(pk=form.instance.pk) if form.instance.pk else None
            try:
                if original is not None and (deleted or form.has_changed()):
                    actions.role_grant_check(
                        user=user, role=original.role, place=original.place, department=original.department,
                        actor=self.actor,
                    )
                if not deleted and form.has_changed():
                    actions.role_grant_check(
                        user=user, role=data["role"], place=data.get("place"), department=data.get("department"),
                        actor=self.actor,
                    )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                continue
            if not deleted and data.get("role"):
                kept.add(data["role"])
        if len(kept & ADMIN_ROLES) > 1:
            raise ValidationError(_("One person may hold only one of the three administrator roles."))
        if kept & ADMIN_ROLES and kept - ADMIN_ROLES:
            raise ValidationError(_("Administrator accounts are kept apart from business roles."))


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    formset = RoleAssignmentFormSet
    fields = ("role", "place", "department", "granted_by", "granted_at")
    readonly_fields = ("granted_by", "granted_at")
    raw_id_fields = ("place",)
    extra = 1

    def _perms(self, request) -> frozenset[str]:
        return LinliPermissionAdmin._perms(request)

    def has_view_permission(self, request, obj=None):
        return bool(self._perms(request) & {"users.manage", "roles.grant_admin"})

    def has_add_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"actor": request.user})


class UserAddForm(forms.ModelForm):
    phone_number = forms.CharField(label=gettext_lazy("mobile phone"), required=False, max_length=11)
    password = forms.CharField(label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("username", "display_name", "email")

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken."))
        return username

    def clean_phone_number(self):
        return _clean_phone(self.cleaned_data.get("phone_number", ""), exclude_pk=None)

    def clean(self):
        data = super().clean() or {}
        if data.get("password") and data.get("username"):
            try:
                validate_password(data["password"], User(username=data["username"]))
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class UserChangeForm(forms.ModelForm):
    new_phone = forms.CharField(
        label=gettext_lazy("new mobile phone"), required=False, max_length=11,
        help_text=gettext_lazy("Leave empty to keep the current number."),
    )

    class Meta:
        model = User
        fields = ("display_name", "email", "is_active")

    def clean_new_phone(self):
        return _clean_phone(self.cleaned_data.get("new_phone", ""), exclude_pk=self.instance.pk)


def _clean_phone(value: str, *, exclude_pk) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if not actions.PHONE_RE.match(value):
        raise ValidationError(_("Not a mobile phone number."))
    if User.objects.filter(phone_hash__in=lookup_hashes(value)).exclude(pk=exclude_pk).exists():
        raise ValidationError(_("This phone number belongs to another user."))
    return value


@admin.register(User)
class UserAdmin(LinliPermissionAdmin):
    view_perms = frozenset({"users.manage", "roles.grant_admin"})
    change_perms = frozenset({"users.manage"})
    inlines = [RoleAssignmentInline]
    list_display = ("username", "display_name", "phone_masked", "is_active", "role_list", "locked", "totp_enabled", "last_login")
    list_filter = ("is_active", "totp_enabled", "role_assignments__role")
    search_fields = ("username", "display_name")
    ordering = ("username",)
    actions = ["unlock_selected"]
    readonly_fields = ("username", "phone_masked", "totp_enabled", "last_login", "date_joined", "password_changed_at", "locked_until")

    @admin.display(description=gettext_lazy("mobile phone"))
    def phone_masked(self, obj: User) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=gettext_lazy("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(sorted({a.get_role_display() for a in obj.role_assignments.all()}))

    @admin.display(description=gettext_lazy("locked"), boolean=True)
    def locked(self, obj: User) -> bool:
        return actions.is_locked(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if actions.PHONE_RE.match(term):
            results |= queryset.filter(phone_hash__in=lookup_hashes(term))
        return results, may_have_duplicates

    def _may_change(self, request, obj: User | None) -> bool:
        if obj is None:
            return "users.manage" in self._perms(request)
        try:
            actions.user_manage_check(user=obj, actor=request.user, message="")
        except DomainError:
            return False
        return True

    def has_change_permission(self, request, obj=None):
        # The change page also serves the security administrator's role grants (the inline).
        return self.has_module_permission(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = UserChangeForm if obj is not None else UserAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("username", "display_name", "email", "phone_number", "password")
        editable = ("display_name", "email", "new_phone", "is_active") if self._may_change(request, obj) else ()
        return ("username", "phone_masked", *editable, "totp_enabled", "last_login", "date_joined",
                "password_changed_at", "locked_until")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if self._may_change(request, obj):
            return self.readonly_fields
        return (*self.readonly_fields, "display_name", "email", "is_active")

    def save_model(self, request, obj, form, change):
        if not change:
            user = actions.user_create(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data.get("display_name", ""),
                email=form.cleaned_data.get("email", ""),
                phone=form.cleaned_data.get("phone_number", ""),
                actor=request.user,
            )
            obj.pk = user.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        if not self._may_change(request, obj):
            return
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in actions.USER_UPDATE_FIELDS}
        if form.cleaned_data.get("new_phone"):
            changes["phone"] = form.cleaned_data["new_phone"]
        if changes:
            # A fresh copy: the form has already written the new values into ``obj``.
            actions.user_update(user=User.objects.get(pk=obj.pk), actor=request.user, changes=changes)
            obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None)
            if not data:
                continue
            deleted = inline_form in formset.deleted_forms
            if not deleted and not inline_form.has_changed():
                continue
            try:
                if inline_form.instance.pk:
                    actions.role_revoke(assignment=RoleAssignment.objects.get(pk=inline_form.instance.pk), actor=request.user)
                if not deleted:
                    actions.role_assign(
                        user=user, role=data["role"], place=data.get("place"), department=data.get("department"),
                        actor=request.user,
                    )
            except DomainError as exc:
                messages.error(request, str(exc.message))
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description=gettext_lazy("Unlock the selected accounts"))
    def unlock_selected(self, request, queryset):
        try:
            for user in queryset:
                actions.user_unlock(user=user, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The selected accounts have been unlocked."))

    def get_actions(self, request):
        found = super().get_actions(request)
        if "security.unlock" not in self._perms(request):
            found.pop("unlock_selected", None)
        return found


# --- departments ------------------------------------------------------------------------------------------


@admin.register(Department)
class DepartmentAdmin(LinliPermissionAdmin):
    view_perms = change_perms = frozenset({"users.manage"})
    list_display = ("code", "name", "place")
    search_fields = ("code", "name")
    fields = ("name", "code", "place")
    raw_id_fields = ("place",)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            actions.department_update(
                department=Department.objects.get(pk=obj.pk), name=data["name"], code=data["code"],
                place=data.get("place"), actor=request.user,
            )
            obj.refresh_from_db()
        else:
            created = actions.department_create(name=data["name"], code=data["code"], place=data.get("place"), actor=request.user)
            obj.pk = created.pk
            obj._state.adding = False


# --- security policy --------------------------------------------------------------------------------------


class SecurityPolicyForm(forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = actions.POLICY_FIELDS

    def clean(self):
        data = super().clean() or {}
        for field, floor in actions.POLICY_FLOORS.items():
            value = data.get(field)
            if value is None:
                continue
            if value < floor:
                self.add_error(field, _("At least %(n)d.") % {"n": floor})
            elif value > actions.POLICY_CEILINGS[field]:
                self.add_error(field, _("At most %(n)d.") % {"n": actions.POLICY_CEILINGS[field]})
        return data


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(LinliPermissionAdmin):
    view_perms = change_perms = frozenset({"security.policy"})
    form = SecurityPolicyForm
    list_display = ("__str__", "lockout_threshold", "lockout_minutes", "idle_timeout_minutes", "updated_at")

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        from linli.accounts.selectors import security_policy

        security_policy()  # the one row exists from the first read
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        changes = {f: form.cleaned_data[f] for f in actions.POLICY_FIELDS}
        actions.security_policy_update(actor=request.user, changes=changes)
        obj.refresh_from_db()
