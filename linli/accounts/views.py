"""Accounts pages: login, logout, home per role, profile, password, two-factor enrolment, and the
administrators' pages (users, security policy, locked accounts). Every write goes through actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts import actions
from linli.accounts.context_processors import ROLE_ORDER
from linli.accounts.forms import LoginForm, PasswordChangeForm, TotpConfirmForm
from linli.accounts.middleware import MUST_CHANGE_PASSWORD, MUST_ENROL_TOTP
from linli.accounts.models import ApiToken, LoginFailure, RoleAssignment, User
from linli.accounts.roles import ADMIN_ROLES, STAFF_ROLES, Role
from linli.accounts.selectors import security_policy
from linli.core.errors import DomainError
from linli.core.masking import mask_phone
from linli.core.models import AuditEntry, AuditResult
from linli.core.qr import qr_svg_data_uri
from linli.core.ui import perm_required

TOTP_PENDING = "linli:totp_pending_secret"


class AuthedRequest(HttpRequest):
    """A request behind ``login_required``: its user is a real ``User``."""

    user: User


# --- logging in and out -----------------------------------------------------------------------------------

# How the login page shows each refusal: (alert colour, icon).
LOGIN_ERROR_STYLE = {
    "bad_credentials": ("danger", "x-circle-fill"),
    "locked": ("warning", "lock-fill"),
    "throttled": ("warning", "hourglass-split"),
    "otp_required": ("info", "shield-lock-fill"),
    "otp_invalid": ("danger", "shield-exclamation"),
}


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = LoginForm(request.POST or None)
    error_code = ""
    if request.method == "POST" and form.is_valid():
        try:
            outcome = actions.login_attempt(
                identifier=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                otp_code=form.cleaned_data.get("otp") or None,
            )
        except DomainError as exc:
            error_code = exc.code
            form.add_error(None, str(exc.message))
            focus = {"otp_required": "otp", "otp_invalid": "otp", "bad_credentials": "password"}.get(exc.code)
            if focus:
                form.fields["username"].widget.attrs.pop("autofocus", None)
                form.fields[focus].widget.attrs["autofocus"] = True
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
    style = LOGIN_ERROR_STYLE.get(error_code, ("danger", "x-circle-fill"))
    show_otp = error_code in ("otp_required", "otp_invalid") or bool(request.POST.get("otp"))
    context = {"form": form, "error_code": error_code, "error_style": style[0], "error_icon": style[1], "show_otp": show_otp}
    status = 401 if error_code else 200
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        actions.logout_record(user=request.user)
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


# --- home pages ---------------------------------------------------------------------------------------------


@dataclass
class Tile:
    label: Any
    hint: Any
    icon: str
    url: str | None
    colour: int = 1
    testid: str = ""


def _tile(label, hint, icon: str, url_name: str, colour: int = 1, query: str = "") -> Tile:
    """A home-page tile. When ``url_name`` does not exist yet (its module is not built), the tile is
    shown as "coming soon" without a link."""
    try:
        url: str | None = reverse(url_name) + query
    except NoReverseMatch:
        url = None
    return Tile(label, hint, icon, url, colour, testid=url_name.replace(":", "-"))


def _resident_tiles() -> list[Tile]:
    return [
        _tile(gettext_lazy("Report a problem"), gettext_lazy("Take a photo of a problem nearby and send it to your grid worker"),
              "camera-fill", "cases:report", 1),
        _tile(gettext_lazy("My matters"), gettext_lazy("Follow what you reported and rate the result"), "card-checklist", "cases:mine", 4),
        _tile(gettext_lazy("Progress board"), gettext_lazy("What the community is working on this month"),
              "clipboard-data-fill", "cases:boards", 2),
        _tile(gettext_lazy("Services"), gettext_lazy("Guides, certificates, room bookings"), "building-check", "hall:services", 3),
        _tile(gettext_lazy("Order a service"), gettext_lazy("Party members come to help: repairs, meals, errands"),
              "tools", "orders:order_new", 2),
        # Residents post wishes; adopting one is for party members and volunteers (their own tiles and pages).
        _tile(gettext_lazy("Wish wall"), gettext_lazy("Post a small wish and see who helps make it come true"), "heart-fill",
              "orders:wish_wall", 1),
        _tile(gettext_lazy("Activities"), gettext_lazy("Volunteer and join community activities"), "people-fill", "volunteers:activity_list", 2),
        _tile(gettext_lazy("Community topics"), gettext_lazy("Raise and support topics, vote on community matters"),
              "chat-square-text-fill", "deliberation:topics", 4),
        _tile(gettext_lazy("Honours"), gettext_lazy("Nominate and choose the 好婆婆, 好媳妇 and 最美家庭 of the year"),
              "award", "deliberation:honours", 6),
        _tile(gettext_lazy("My points"), gettext_lazy("Points earned and the points shop"), "award-fill", "points:my_points", 5),
        _tile(gettext_lazy("Points shop"), gettext_lazy("Spend your points on services and goods"), "bag-heart-fill", "points:shop", 3),
        _tile(gettext_lazy("Elders' canteen"), gettext_lazy("Half price at 60, meals delivered to the door"), "cup-hot-fill", "care:canteen", 2),
        _tile(gettext_lazy("Classes"), gettext_lazy("Job and skills training, interest classes: enrol and get a certificate"),
              "mortarboard-fill", "hall:classes", 4),
        _tile(gettext_lazy("My data"), gettext_lazy("What the community holds about you: download it, ask for a correction"),
              "person-badge", "privacy:my_data", 6),
        _tile(gettext_lazy("My account"), gettext_lazy("Password, phone and security"), "person-vcard", "accounts:profile", 6),
    ]


gl = gettext_lazy
# The staff tiles, each once: key → (label, hint, icon, URL name). Two keys share a URL where roles see it
# under their own words (a grid worker's "Disputes" screens the grid; the mediator's is the ledger).
STAFF_TILES: dict[str, tuple[Any, Any, str, str]] = {
    "kpi": (gl("Indicators"), gl("Response, solved, satisfaction and on-time rates"), "bar-chart-line-fill", "cases_kpi:kpi"),
    "supervise": (gl("Supervision"), gl("Overdue and escalated cases of every community"), "megaphone-fill", "cases:supervise"),
    "dispatch": (gl("Dispatch desk"), gl("Accept, dispatch and verify the community's cases"), "inbox-fill", "cases:dispatch"),
    "hotline": (gl("Import 12345 tickets"), gl("Load the hotline's export as cases"), "telephone-inbound-fill", "cases_kpi:hotline_import"),
    "rankings": (gl("Evaluation"), gl("Rankings of communities and grids, with every score explained"), "trophy-fill", "evaluation:rankings"),
    "rounds": (gl("Building evaluation"), gl("Monthly rounds, score sheets and the red flags"), "flag-fill", "evaluation:list"),
    "rounds_community": (gl("Building evaluation"), gl("Monthly rounds, score sheets and the red flags"), "trophy-fill", "evaluation:list"),
    "campaigns": (gl("Inspection campaigns"), gl("Civilised-city checks whose problems become cases"), "clipboard2-check-fill", "evaluation:campaigns"),
    "inspections": (gl("Inspections"), gl("Campaign checks assigned to you"), "clipboard2-check-fill", "evaluation:campaigns"),
    "boards": (gl("Progress boards"), gl("What each community is asked to do and how far it got"), "clipboard-data-fill", "cases:boards"),
    "training": (gl("Staff training"), gl("Hours of every staff member against the 12-hour target"), "mortarboard-fill", "evaluation:training"),
    "registry": (gl("Registry"), gl("People, houses and households"), "person-lines-fill", "residents:person_list"),
    "deliberation": (gl("Deliberation"), gl("Topics, meetings and votes"), "chat-square-text-fill", "deliberation:topics"),
    "orders": (gl("Service orders"), gl("Residents' orders: dispatch them to party members"), "tools", "orders:order_list"),
    "organise": (gl("Organise activities"), gl("Volunteer activities, attendance and hours"), "people-fill", "volunteers:organise"),
    "fulfil": (gl("Hand over a redemption"), gl("Check a points-shop code and hand the item over"), "bag-check-fill", "points:fulfil"),
    "disputes": (gl("Disputes"), gl("The dispute ledger and mediation sessions"), "people", "mediation:disputes"),
    "disputes_grid": (gl("Disputes"), gl("Screen your grid and register disputes"), "people", "mediation:disputes"),
    "surveys": (gl("Satisfaction surveys"), gl("This month's survey of households, against the 95% target"), "emoji-smile-fill", "evaluation:surveys"),
    "hall": (gl("Hall desk"), gl("Applications, agency and certificates"), "building-check", "hall:desk"),
    "care": (gl("Care visits"), gl("Elderly living alone, families in difficulty, needs"), "heart-pulse-fill", "care:visits"),
    "visits": (gl("Visits"), gl("Elderly living alone and families in difficulty"), "heart-pulse-fill", "care:visits"),
    "corrections": (gl("Correction requests"), gl("Residents ask for their registration to be corrected"), "pencil-square", "privacy:corrections"),
    "classes": (gl("Classes"), gl("Training and interest classes, attendance, totals of the year"), "mortarboard-fill", "hall:classes"),
    "worklist": (gl("My cases"), gl("Cases of your grid waiting for you"), "list-task", "cases:worklist"),
    "patrol": (gl("Patrol report"), gl("Report what you find on patrol"), "camera-fill", "cases:report"),
    "department": (gl("Department inbox"), gl("Cases the communities sent to your department"), "inbox-fill", "cases:department"),
    "department_done": (gl("Handled cases"), gl("What your department reported back"), "check2-square", "cases:department_done"),
    "alarms": (gl("Alarms"), gl("Gas, smoke, water, power and cameras: live alarms"), "bell-fill", "iot:alarms"),
    "map": (gl("One map"), gl("Grids, buildings, facilities, cases and alarms on one map"), "map-fill", "dashboards:map_picker"),
    "screen": (gl("Big screen"), gl("The street's or the community's figures on one screen"), "display-fill", "dashboards:screen_picker"),
    "reports": (gl("Monthly reports"), gl("Excel and PDF reports of every month"), "file-earmark-bar-graph-fill", "dashboards:reports"),
    "places": (gl("Places"), gl("Communities, grids, compounds and buildings"), "diagram-3-fill", "places:tree"),
    "calendar": (gl("Holiday calendar"), gl("Holidays and make-up working days for deadlines"), "calendar3", "core:calendar"),
}
# Who gets which tiles, in this order, with their colours; a URL a user already has a tile for is not repeated.
ROLE_TILES: tuple[tuple[frozenset[str], tuple[tuple[str, int], ...]], ...] = (
    (frozenset({Role.CITY_SUPERVISOR, Role.DISTRICT_SUPERVISOR}), (("kpi", 1), ("supervise", 2))),
    (frozenset({Role.DISPATCH_CENTRE}), (("dispatch", 1), ("supervise", 2), ("kpi", 3), ("hotline", 5))),
    (frozenset({Role.STREET_SUPERVISOR}), (("supervise", 1), ("kpi", 4), ("rankings", 2), ("rounds", 5), ("campaigns", 3),
                                           ("boards", 3), ("training", 6))),
    (frozenset({Role.COMMUNITY_STAFF}), (("dispatch", 1), ("kpi", 4), ("boards", 3), ("hotline", 5), ("registry", 3),
                                         ("deliberation", 5), ("orders", 2), ("organise", 4), ("fulfil", 6),
                                         ("rounds_community", 5), ("disputes", 5), ("surveys", 1), ("hall", 3),
                                         ("care", 5), ("corrections", 3))),
    (frozenset({Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF}), (("classes", 4),)),
    (frozenset({Role.GRID_WORKER}), (("worklist", 1), ("patrol", 2), ("boards", 4), ("registry", 3), ("visits", 5),
                                     ("inspections", 4), ("disputes_grid", 4))),
    (frozenset({Role.DEPARTMENT_STAFF}), (("department", 1), ("department_done", 3))),
    (frozenset({Role.MEDIATOR}), (("disputes", 5),)),
    (frozenset({Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF, Role.GRID_WORKER}), (("alarms", 3), ("map", 2))),  # linli/iot
    (frozenset({Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF}), (("screen", 4), ("reports", 5))),
    (frozenset({Role.DISTRICT_SUPERVISOR, Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF, Role.GRID_WORKER}), (("places", 6),)),
    (frozenset({Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF}), (("calendar", 4),)),
)


def _staff_tiles(roles: frozenset[str]) -> list[Tile]:
    """Quick links for the user's staff roles, in a sensible order, without duplicates."""
    tiles = [_tile(*STAFF_TILES[key], colour) for wanted, keys in ROLE_TILES if roles & wanted for key, colour in keys]
    seen: set[str] = set()
    unique = []
    for t in tiles:
        if t.testid not in seen:
            seen.add(t.testid)
            unique.append(t)
    # What works today first; "coming soon" after.
    return sorted(unique, key=lambda t: t.url is None)


def _admin_tiles(roles: frozenset[str]) -> list[Tile]:
    tiles: list[Tile] = []
    if Role.SYSTEM_ADMIN in roles:
        tiles += [
            _tile(gettext_lazy("Users"), gettext_lazy("Accounts, roles and the places they are bound to"), "people-fill", "accounts:user_list", 4),
            _tile(gettext_lazy("Holiday calendar"), gettext_lazy("Holidays and make-up working days for deadlines"), "calendar3", "core:calendar", 1),
            _tile(gettext_lazy("Back office"), gettext_lazy("Django administration of operational data"), "gear-fill", "admin:index", 6),
        ]
    if Role.SECURITY_ADMIN in roles:
        tiles += [
            _tile(gettext_lazy("Security policy"), gettext_lazy("Passwords, lockout, session timeout, two-factor"), "shield-lock-fill", "accounts:policy", 4),
            _tile(gettext_lazy("Locked accounts"), gettext_lazy("Accounts locked after failed logins"), "lock-fill", "accounts:locks", 1),
        ]
    if Role.AUDIT_ADMIN in roles:
        today = timezone.localdate().isoformat()
        tiles += [
            _tile(gettext_lazy("Audit log"), gettext_lazy("Who did what, when, from where, with what result"), "journal-text", "core:audit_log", 4),
            _tile(gettext_lazy("Refused logins today"), gettext_lazy("Failed and refused logins since midnight"), "shield-exclamation", "core:audit_log", 1,
                  query=f"?action=accounts.login&result=denied&since={today}"),
            _tile(gettext_lazy("Unmasked data"), gettext_lazy("Every display of unmasked personal data"), "eye-fill", "core:audit_log", 5,
                  query="?action=pii.unmask"),
        ]
        for t in tiles[-2:]:
            t.testid += "-filtered"
    return tiles


def place_trails(places) -> dict[int, str]:
    """For each place, its names from the top of the tree: "测试街道 › 测试一社区 › 第一网格" (one query)."""
    places = [p for p in places if p is not None]
    if not places:
        return {}
    ids = {int(part) for p in places for part in p.path.strip("/").split("/") if part}
    names = dict(type(places[0]).objects.filter(pk__in=ids).values_list("pk", "name"))
    return {
        p.pk: " › ".join(names.get(int(part), "?") for part in p.path.strip("/").split("/") if part) for p in places
    }


def _assignments(user: User) -> list[dict]:
    rows = list(RoleAssignment.objects.filter(user=user).select_related("place", "department", "department__place"))
    rank: dict[str, int] = {str(r): i for i, r in enumerate(ROLE_ORDER)}
    rows.sort(key=lambda a: (rank.get(a.role, 99), a.pk))
    trails = place_trails([a.place for a in rows] + [a.department.place for a in rows if a.department])
    out = []
    for a in rows:
        where, kind = "", ""
        if a.place is not None:
            where, kind = trails.get(a.place.pk, a.place.name), a.place.get_kind_display()
        elif a.department is not None:
            where, kind = a.department.name, _("Department")
            if a.department.place is not None:
                where += " · " + trails.get(a.department.place.pk, a.department.place.name)
        out.append({"role": a.get_role_display(), "role_code": a.role, "where": where, "kind": kind, "granted_at": a.granted_at})
    return out


def _password_days_left(user: User) -> int | None:
    if not (user.role_set & STAFF_ROLES) or user.password_changed_at is None:
        return None
    expires = user.password_changed_at + timedelta(days=security_policy().password_max_age_days)
    return (expires - timezone.now()).days


def _grid_workers_of(user: User) -> list[str]:
    """The grid workers whose grid covers the places where this resident is registered."""
    paths: set[str] = set()
    for a in RoleAssignment.objects.filter(user=user, place__isnull=False).select_related("place"):
        if a.place is not None:
            paths.update(a.place.ancestors_and_self_paths())
    if not paths:
        return []
    workers = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, place__path__in=paths)
        .select_related("user").order_by("user__display_name")
    )
    return sorted({str(a.user) for a in workers})


def _home_counts(user: User) -> list[dict[str, Any]]:
    """What waits for the user: every installed app with a ``home`` module offering ``home_counts(user)``
    adds its counts (label, count, shown, url, level), in INSTALLED_APPS order. Accounts does not import
    the domain apps; they come to it, as their demo parts do."""
    from linli.core.apps import app_modules

    counts: list[dict[str, Any]] = []
    for module in app_modules("home", skip="linli.accounts"):
        counts += module.home_counts(user)
    return counts


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    roles = user.role_set
    context: dict[str, Any] = {"assignments": _assignments(user), "roles": roles}
    if roles & ADMIN_ROLES:
        template = "accounts/home_admin.html"
        context["tiles"] = _admin_tiles(roles)
        stats = []
        if Role.SYSTEM_ADMIN in roles:
            stats += [
                (_("Accounts"), User.objects.count()),
                (_("Active accounts"), User.objects.filter(is_active=True).count()),
                (_("With two-factor"), User.objects.filter(totp_enabled=True).count()),
            ]
        if Role.SECURITY_ADMIN in roles:
            stats += [
                (_("Locked now"), User.objects.filter(locked_until__gt=timezone.now()).count()),
                (_("Failed logins, 24 h"), LoginFailure.objects.filter(at__gte=timezone.now() - timedelta(hours=24)).count()),
            ]
        if Role.AUDIT_ADMIN in roles:
            midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            stats += [
                (_("Audit entries today"), AuditEntry.objects.filter(at__gte=midnight).count()),
                (_("Refused today"), AuditEntry.objects.filter(at__gte=midnight, result=AuditResult.DENIED).count()),
            ]
        context["stats"] = stats
    elif roles & (STAFF_ROLES - ADMIN_ROLES):
        template = "accounts/home_staff.html"
        context["tiles"] = _staff_tiles(roles)
        context["counts"] = _home_counts(user)
        context["is_supervisor"] = Role.STREET_SUPERVISOR in roles
        context["is_department"] = Role.DEPARTMENT_STAFF in roles
    else:
        template = "accounts/home_resident.html"
        context["tiles"] = _resident_tiles()
        if "orders.take" in user.perms:  # a party member: the orders of their branch, right after 随手拍/诉求
            context["tiles"].insert(2, _tile(gettext_lazy("Orders to take"), gettext_lazy(
                "Orders of your branch and the ones given to you"), "clipboard-check", "orders:order_pool", 4))
        if "evaluation.score" in user.perms:  # a building head: this month's score sheet of their building
            context["tiles"].insert(1, _tile(gettext_lazy("Score the buildings"), gettext_lazy(
                "This month's evaluation: your building scores the others"), "flag-fill", "evaluation:mine", 1))
        elif "evaluation.view" in user.perms:  # a party member: the rounds their branch organises
            context["tiles"].append(_tile(gettext_lazy("Building evaluation"), gettext_lazy(
                "Monthly rounds and the red flags"), "trophy-fill", "evaluation:list", 2))
        context["grid_workers"] = _grid_workers_of(user)
    context["password_days_left"] = _password_days_left(user)
    context["totp_required"] = actions.totp_required(user)
    return render(request, template, context)


# --- my account ---------------------------------------------------------------------------------------------


def _token_state(token: ApiToken, now) -> tuple[str, Any]:
    if token.revoked_at is not None:
        return "revoked", _("Revoked")
    if token.expires_at <= now:
        return "expired", _("Expired")
    return "active", _("Valid")


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    tokens = []
    for token in user.api_tokens.all()[:20]:
        state, label = _token_state(token, now)
        tokens.append({"token": token, "state": state, "state_label": label})
    # Residents (no staff role) manage neither API tokens nor an authenticator; the sections show only
    # when they already hold one (so that it can be revoked or turned off).
    staff = bool(user.role_set & STAFF_ROLES)
    context = {
        "show_security": staff,
        "show_tokens": staff or bool(tokens),
        "show_totp": staff or user.totp_enabled,
        "assignments": _assignments(user),
        "tokens": tokens,
        "phone_masked": mask_phone(user.phone),
        "totp_required": actions.totp_required(user),
        "password_days_left": _password_days_left(user),
    }
    return render(request, "accounts/profile.html", context)


def _policy_hints(user: User) -> list[str]:
    policy = security_policy()
    hints = [
        _("At least %(n)d characters.") % {"n": policy.password_min_length},
        _("Mix at least three of: lower-case letters, upper-case letters, digits, symbols."),
        _("Must not contain the username."),
        _("Must differ from your last %(n)d passwords.") % {"n": policy.password_history},
    ]
    if user.role_set & STAFF_ROLES:
        hints.append(_("Staff passwords must be changed every %(n)d days.") % {"n": policy.password_max_age_days})
    return hints


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthedRequest) -> HttpResponse:
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
                    form.add_error(field if field in form.fields else None, str(err))
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            update_session_auth_hash(request, request.user)
            request.session[MUST_CHANGE_PASSWORD] = False
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    context = {"form": form, "hints": _policy_hints(request.user), "forced": bool(request.session.get(MUST_CHANGE_PASSWORD))}
    return render(request, "accounts/password.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def totp(request: AuthedRequest) -> HttpResponse:
    user = request.user
    required = actions.totp_required(user)
    if user.totp_enabled:
        return render(request, "accounts/totp.html", {"enabled": True, "required": required})
    form = TotpConfirmForm(request.POST or None)
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
    context = {
        "enabled": False,
        "form": form,
        "secret_grouped": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": qr_svg_data_uri(uri, box_size=8),
        "required": required,
        "forced": bool(request.session.get(MUST_ENROL_TOTP)),
    }
    return render(request, "accounts/totp.html", context)


@login_required
@require_POST
def totp_disable(request: AuthedRequest) -> HttpResponse:
    try:
        actions.totp_disable(user=request.user, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    actions.token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:profile")


# --- administrators -----------------------------------------------------------------------------------------


@perm_required("users.manage")
def user_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "").strip()
    users = User.objects.order_by("username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if role in Role.values:
        users = users.filter(role_assignments__role=role).distinct()
    users = users.prefetch_related("role_assignments__place", "role_assignments__department")
    now = timezone.now()
    rows = []
    for u in users[:500]:
        if not u.is_active:
            state, label = "inactive", _("Deactivated")
        elif u.locked_until and u.locked_until > now:
            state, label = "locked", _("Locked")
        else:
            state, label = "active", _("Active")
        rows.append({
            "user": u,
            "phone": mask_phone(u.phone),
            "roles": [
                {"label": a.get_role_display(), "where": str(a.place or a.department or "")}
                for a in u.role_assignments.all()
            ],
            "state": state,
            "state_label": label,
        })
    try:
        admin_url: str | None = reverse("admin:accounts_user_changelist")
    except NoReverseMatch:
        admin_url = None
    context = {"rows": rows, "q": q, "role": role, "role_choices": Role.choices, "total": len(rows), "admin_url": admin_url}
    return render(request, "accounts/user_list.html", context)


POLICY_HELP = {
    "password_min_length": gettext_lazy("Classified protection level 3 asks for at least 8."),
    "password_history": gettext_lazy("A new password may not repeat any of these."),
    "password_max_age_days": gettext_lazy("Staff must choose a new password after this many days."),
    "lockout_threshold": gettext_lazy("Consecutive failures that lock an account."),
    "lockout_minutes": gettext_lazy("The security administrator can unlock earlier."),
    "spray_usernames": gettext_lazy("Distinct usernames failing from one address before it is throttled (password spraying)."),
    "spray_window_minutes": gettext_lazy("The period over which those failures are counted."),
    "idle_timeout_minutes": gettext_lazy("A session without activity ends after this time."),
    "staff_totp_required": gettext_lazy("The three administrators always need two-factor authentication."),
}


POLICY_GROUPS = [
    (gettext_lazy("Passwords"), "key", ("password_min_length", "password_history", "password_max_age_days")),
    (gettext_lazy("Lockout and throttling"), "lock", ("lockout_threshold", "lockout_minutes", "spray_usernames", "spray_window_minutes")),
    (gettext_lazy("Sessions and two-factor"), "shield-lock", ("idle_timeout_minutes", "staff_totp_required")),
]


@perm_required("security.policy")
@require_http_methods(["GET", "POST"])
def policy(request: AuthedRequest) -> HttpResponse:
    current = security_policy()
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        changes: dict[str, Any] = {}
        for field in actions.POLICY_FIELDS:
            if field == "staff_totp_required":
                changes[field] = request.POST.get(field) == "on"
                continue
            raw = request.POST.get(field, "").strip()
            posted[field] = raw
            if raw.isdigit():
                changes[field] = int(raw)
            else:
                errors[field] = [_("Enter a whole number.")]
        if not errors:
            try:
                actions.security_policy_update(actor=request.user, changes=changes)
            except DomainError as exc:
                errors = {k: [str(e) for e in v] for k, v in exc.fields.items()}
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The security policy has been saved."))
                return redirect("accounts:policy")
        else:
            messages.error(request, _("Some settings are not acceptable."))
    fields = {}
    for f in actions.POLICY_FIELDS:
        model_field = current._meta.get_field(f)
        fields[f] = ({
            "name": f,
            "label": getattr(model_field, "verbose_name", f),
            "value": posted.get(f, getattr(current, f)),
            "bool": f == "staff_totp_required",
            "errors": errors.get(f, []),
            "help": POLICY_HELP.get(f, ""),
        })
    groups = [
        {"title": title, "icon": icon, "fields": [fields[f] for f in names if f in fields]} for title, icon, names in POLICY_GROUPS
    ]
    listed = {f for _t, _i, names in POLICY_GROUPS for f in names}
    others = [fields[f] for f in fields if f not in listed]
    if others:
        groups.append({"title": _("Other settings"), "icon": "sliders", "fields": others})
    return render(request, "accounts/policy.html", {"groups": groups, "updated_at": current.updated_at})


@perm_required("security.unlock")
@require_http_methods(["GET", "POST"])
def locks(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        user_id = request.POST.get("user_id", "")
        user = get_object_or_404(User, pk=int(user_id) if user_id.isdigit() else 0)
        actions.user_unlock(user=user, actor=request.user)
        messages.success(request, _("%(user)s has been unlocked.") % {"user": user.username})
        return redirect("accounts:locks")
    locked = User.objects.filter(locked_until__gt=timezone.now()).order_by("locked_until")
    return render(request, "accounts/locks.html", {"locked": locked})
