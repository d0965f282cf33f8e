"""Accounts pages: login, logout, home per role, profile, password, two-factor enrolment, and the
administrators' pages (users, security policy, locked accounts). Every write goes through actions."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts import actions
from linli.accounts.forms import LoginForm, PasswordChangeForm, TotpConfirmForm
from linli.accounts.middleware import MUST_CHANGE_PASSWORD, MUST_ENROL_TOTP
from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import ADMIN_ROLES, Role
from linli.accounts.selectors import security_policy
from linli.core.errors import DomainError

TOTP_PENDING = "linli:totp_pending_secret"


def perm_required(perm: str):
    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if perm not in request.user.perms:
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = actions.login_attempt(
                identifier=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                otp_code=form.cleaned_data.get("otp") or None,
            )
        except DomainError as exc:
            error = str(exc.message)
            form.add_error(None, error)
            if exc.code in ("otp_required", "otp_invalid"):
                form.fields["otp"].widget.attrs["autofocus"] = True
        else:
            login(request, outcome.user, backend="linli.accounts.backends.UsernameOrPhoneBackend")
            request.session[MUST_ENROL_TOTP] = outcome.must_enrol_totp
            request.session[MUST_CHANGE_PASSWORD] = outcome.password_expired
            if outcome.must_enrol_totp:
                messages.warning(request, _("Your role requires two-factor authentication. Please enrol now."))
                return redirect("accounts:totp")
            if outcome.password_expired:
                messages.warning(request, _("Your password has expired. Please choose a new one."))
                return redirect("accounts:password")
            target = request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
                target = ""
            return redirect(target or "accounts:home")
    status = 401 if error else 200
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        actions.logout_record(user=request.user)
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assignments = (
        RoleAssignment.objects.filter(user=user).select_related("place", "department").order_by("role")
    )
    roles = user.role_set
    if roles & ADMIN_ROLES:
        template = "accounts/home_admin.html"
    elif roles & {Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.MEDIATOR}:
        template = "accounts/home_staff.html"
    else:
        template = "accounts/home_resident.html"
    return render(request, template, {"assignments": assignments, "roles": roles})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    assignments = RoleAssignment.objects.filter(user=request.user).select_related("place", "department")
    tokens = request.user.api_tokens.all()[:20]
    return render(request, "accounts/profile.html", {"assignments": assignments, "tokens": tokens})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.password_set(
                user=request.user,
                new_password=form.cleaned_data["new_password"],
                old_password=form.cleaned_data["old_password"],
                actor=request.user,
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                for err in errors:
                    form.add_error(field if field in form.fields else None, err)
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            request.session[MUST_CHANGE_PASSWORD] = False
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    policy = security_policy()
    return render(request, "accounts/password.html", {"form": form, "policy": policy})


def _qr_svg(data: str) -> str:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def totp(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = TotpConfirmForm(request.POST or None)
    if user.totp_enabled and request.method == "GET":
        return render(request, "accounts/totp.html", {"enabled": True, "required": actions.totp_required(user)})
    secret = request.session.get(TOTP_PENDING)
    if not secret:
        secret = actions.totp_new_secret()
        request.session[TOTP_PENDING] = secret
    if request.method == "POST" and form.is_valid():
        try:
            actions.totp_enable(user=user, secret=secret, code=form.cleaned_data["code"], actor=user)
        except DomainError as exc:
            form.add_error("code", str(exc.message))
        else:
            request.session.pop(TOTP_PENDING, None)
            request.session[MUST_ENROL_TOTP] = False
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("accounts:profile")
    uri = actions.totp_provisioning_uri(user, secret)
    return render(
        request,
        "accounts/totp.html",
        {"enabled": False, "form": form, "secret": secret, "qr": _qr_svg(uri), "required": actions.totp_required(user)},
    )


@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    try:
        actions.totp_disable(user=request.user, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    actions.token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:profile")


# --- administrators -----------------------------------------------------------------------------------


@perm_required("users.manage")
def user_list(request: HttpRequest) -> HttpResponse:
    users = (
        User.objects.order_by("username")
        .prefetch_related("role_assignments__place", "role_assignments__department")[:500]
    )
    return render(request, "accounts/user_list.html", {"users": users, "now": timezone.now()})


@perm_required("security.policy")
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    current = security_policy()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        changes = {}
        for field in actions.POLICY_FIELDS:
            if field == "staff_totp_required":
                changes[field] = request.POST.get(field) == "on"
            elif request.POST.get(field, "").strip().isdigit():
                changes[field] = int(request.POST[field])
            else:
                errors[field] = [_("Enter a whole number.")]
        if not errors:
            try:
                actions.security_policy_update(actor=request.user, changes=changes)
            except DomainError as exc:
                errors = exc.fields
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The security policy has been saved."))
                return redirect("accounts:policy")
    fields = [
        {"name": f, "label": current._meta.get_field(f).verbose_name, "value": getattr(current, f),
         "bool": f == "staff_totp_required", "errors": errors.get(f, [])}
        for f in actions.POLICY_FIELDS
    ]
    return render(request, "accounts/policy.html", {"fields": fields})


@perm_required("security.unlock")
@require_http_methods(["GET", "POST"])
def locks(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        user = get_object_or_404(User, pk=request.POST.get("user_id"))
        actions.user_unlock(user=user, actor=request.user)
        messages.success(request, _("%(user)s has been unlocked.") % {"user": user.username})
        return redirect("accounts:locks")
    locked = User.objects.filter(locked_until__gt=timezone.now()).order_by("locked_until")
    return render(request, "accounts/locks.html", {"locked": locked})
