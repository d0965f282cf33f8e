"""Case pages: the resident's report (/r/<building code>, /report), "my matters" with the rating form,
the staff worklists, the case page with the buttons of the workflow table, staff intake, and the
public progress board. Every write goes through linli.cases.actions; errors come back in the user's
language."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.accounts.selectors import department_choices
from linli.cases import actions, board, selectors, worklists
from linli.cases.access import access_case, is_staff_for
from linli.cases.actions.intake import normalise_phone
from linli.cases.forms import (
    ActionForm,
    CodeForm,
    FilterForm,
    PhoneForm,
    RateForm,
    ReportForm,
    StaffIntakeForm,
)
from linli.cases.models import Case, Category
from linli.cases.routing import point_facts, routing_steps
from linli.cases.selectors_public import public_case
from linli.cases.workflow import (
    PERM_DISPATCH,
    PERM_HANDLE,
    PERM_REPORT,
    PERM_SUPERVISE,
    PERM_VIEW,
    CaseStatus,
    available_actions,
    is_reporter,
)
from linli.core.context import client_ip
from linli.core.errors import DomainError, NotFound
from linli.core.held_photos import photos_held, photos_hold, photos_release
from linli.core.masking import mask_phone
from linli.core.replica import replica_reads
from linli.core.ui import (
    building_badges,
    building_panels,
    page_rows,
    perm_required,
    raise_http,
    upload_error_status,
)
from linli.places import selectors as place_selectors
from linli.places.kinds import PlaceKind
from linli.places.selectors import place_at_path, place_get

if TYPE_CHECKING:
    from linli.places.models import Place

log = logging.getLogger(__name__)

OTP_SECONDS = 600
OTP_RESEND_SECONDS = 60
OTP_TRIES = 5
SESSION_PHONE = "cases_phone"
SESSION_OTP = "cases_otp"


# --- helpers ------------------------------------------------------------------------------------------------


def _error_text(exc: DomainError) -> str:
    parts = [str(exc.message)]
    for msgs in (exc.fields or {}).values():
        parts += [str(m) for m in msgs if str(m) not in parts]
    return " ".join(parts)


def _session_phone(request: HttpRequest) -> str:
    return request.session.get(SESSION_PHONE, "") or ""


def _identified(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated or _session_phone(request))


def sms_code_allowed(phone: str, address: str) -> bool:
    """One-time codes are limited per phone number and per client address, in the database, so the limit
    holds across sessions, processes and hosts (a new session used to get a new SMS every time).
    The address is checked first: a refused address does not use up the phone's allowance."""
    from linli.core.ratelimit import rate_take
    from linli.notifications.actions import sms_allowance_take

    by_address = [(settings.LINLI_SMS_PER_ADDRESS_HOUR, 3600), (settings.LINLI_SMS_PER_ADDRESS_DAY, 86400)]
    if address and not rate_take("sms.address", address, limits=by_address):
        return False
    return sms_allowance_take(phone)  # the number's one allowance, shared with the surveys' links


def _code_hash(phone: str, code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}:{code}".encode()).hexdigest()


def _after_identify(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else reverse("cases:report")


# --- the resident: identify by phone --------------------------------------------------------------------------


@require_POST
def phone_code(request: HttpRequest) -> HttpResponse:
    """Send a one-time code to the phone (kept hashed in the session, 10 minutes)."""
    form = PhoneForm(request.POST)
    nxt = _after_identify(request)
    if not form.is_valid():
        messages.error(request, _("Enter an 11-digit mobile number."))
        return redirect(nxt)
    from linli.cases.actions.intake import PHONE_RE

    phone = normalise_phone(form.cleaned_data["phone"])
    if not PHONE_RE.match(phone):
        messages.error(request, _("Enter an 11-digit mobile number."))
        return redirect(nxt)
    pending = request.session.get(SESSION_OTP) or {}
    now = time.time()
    if pending.get("phone") == phone and now - pending.get("sent", 0) < OTP_RESEND_SECONDS:
        messages.info(request, _("A code was sent a moment ago; please wait a minute before asking again."))
        return redirect(nxt)
    if not sms_code_allowed(phone, client_ip(request) or ""):
        messages.error(request, _("Too many codes were asked for. Please try again later."))
        return redirect(nxt)
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[SESSION_OTP] = {"phone": phone, "hash": _code_hash(phone, code), "sent": now, "tries": 0}
    from linli.notifications.actions import sms_send_now

    try:  # at once, never stored: the code is a secret and is worth nothing in ten minutes
        sms_send_now(
            phone, _("Your Linli code is %(code)s. It is valid for 10 minutes.") % {"code": code},
            dedupe_key=f"otp-{secrets.token_hex(8)}",
        )
    except Exception:
        log.exception("the one-time code SMS failed")
        request.session.pop(SESSION_OTP, None)
        messages.error(request, _("The SMS could not be sent; please try again in a minute."))
        return redirect(nxt)
    messages.success(request, _("We sent a code to %(phone)s.") % {"phone": mask_phone(phone)})
    return redirect(nxt)


@require_POST
def phone_verify(request: HttpRequest) -> HttpResponse:
    nxt = _after_identify(request)
    pending = request.session.get(SESSION_OTP) or {}
    form = CodeForm(request.POST)
    if (
        not pending
        or time.time() - pending.get("sent", 0) > OTP_SECONDS
        or pending.get("tries", 0) >= OTP_TRIES
    ):
        request.session.pop(SESSION_OTP, None)
        messages.error(request, _("The code has expired; ask for a new one."))
        return redirect(nxt)
    if not form.is_valid() or not secrets.compare_digest(
        pending["hash"], _code_hash(pending["phone"], form.cleaned_data["code"])
    ):
        pending["tries"] = pending.get("tries", 0) + 1
        request.session[SESSION_OTP] = pending
        messages.error(request, _("The code is not right."))
        return redirect(nxt)
    request.session.pop(SESSION_OTP, None)
    request.session.cycle_key()
    request.session[SESSION_PHONE] = pending["phone"]
    messages.success(request, _("Your phone number is confirmed."))
    return redirect(nxt)


# --- the resident: report ---------------------------------------------------------------------------------------


def _building_context(building: Place | None) -> dict[str, Any]:
    if building is None:
        return {}
    trail = place_selectors.place_ancestors(building)
    return {
        "building": building,
        "compound": next((p for p in reversed(trail) if p.kind == PlaceKind.COMPOUND), None),
        "community": next((p for p in trail if p.kind == PlaceKind.COMMUNITY), None),
        "street": next((p for p in trail if p.kind == PlaceKind.STREET), None),
        "badges": building_badges(building),
        "panels": building_panels(building),
    }


@require_http_methods(["GET", "POST"])
def building_report(request: HttpRequest, code: str) -> HttpResponse:
    """The page a building's QR code opens: report a problem at this building."""
    building = place_selectors.building_by_public_code(code)
    if building is None:
        raise Http404("unknown building code")
    return _report(request, building)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report a problem (随手拍) located by the phone, or the resident's own place."""
    return _report(request, None)


def _own_place(user: Any) -> Place | None:
    if not getattr(user, "is_authenticated", False):
        return None
    for path in user.scope.place_paths:
        place = place_at_path(path)
        if place is not None:
            return place
    return None


def _report(request: HttpRequest, building: Place | None) -> HttpResponse:
    ctx: dict[str, Any] = _building_context(building)
    ctx["identified"] = _identified(request)
    ctx["session_phone"] = mask_phone(_session_phone(request))
    ctx["otp_pending"] = bool(request.session.get(SESSION_OTP))
    ctx["phone_form"], ctx["code_form"] = PhoneForm(), CodeForm()
    if request.user.is_authenticated and PERM_REPORT not in request.user.perms:
        ctx["cannot_report"] = True
    category = None
    cat_id = request.GET.get("category") or request.POST.get("category")
    if cat_id and str(cat_id).isdigit():
        category = Category.objects.filter(pk=int(cat_id), active=True).select_related("parent").first()
    ctx["category"] = category
    if category is None:
        q = request.GET.get("q", "")
        ctx["q"] = q
        ctx["tree"] = selectors.category_tree() if not q else None
        ctx["found"] = selectors.category_search(q, limit=50) if q else None
        return render(request, "cases/report.html", ctx)
    if category.is_emergency:
        ctx["emergency"] = category.emergency_notice
        return render(request, "cases/report.html", ctx)
    form = ReportForm(request.POST or None, request.FILES or None)
    status = 200
    # Photos of an earlier refused send, held on the server (browsers never refill a file input).
    held_token = request.POST.get("held", "") if request.method == "POST" else ""
    files = request.FILES.getlist("photos")
    if request.method == "POST" and not ctx["identified"]:
        messages.error(request, _("Sign in or confirm your phone number first."))
    elif request.method == "POST" and ctx.get("cannot_report"):
        messages.error(request, _("You may not file cases."))
    elif request.method == "POST" and not form.is_valid():
        kept = photos_held(request, held_token, drop=request.POST.getlist("held_drop"))
        ctx["held"] = photos_hold(request, files, kept=kept, replaces=held_token)
    elif request.method == "POST":
        d = form.cleaned_data
        kept = photos_held(request, held_token, drop=request.POST.getlist("held_drop"))
        # A location outside every grid: the resident chose the community or the building instead.
        picked = place_selectors.report_place(request.POST.get("where")) if building is None else None
        place = building or picked
        if place is None and d.get("lon") is None:
            place = _own_place(request.user)
        actor = request.user if request.user.is_authenticated else None
        try:
            case = actions.case_create(
                actor=actor,
                category=category,
                description=d["description"],
                channel="qr" if building is not None else "snapshot",
                lon=d.get("lon") if place is None else None,
                lat=d.get("lat") if place is None else None,
                place=place,
                reporter_phone="" if actor is not None else _session_phone(request),
                private=d.get("private") or False,
                photos=[*kept, *files],
            )
        except DomainError as exc:
            raise_http(exc)
            # The photos that pass the photo door are held for the corrected send (shown as thumbnails).
            ctx["held"] = photos_hold(request, files, kept=kept, replaces=held_token)
            if getattr(exc, "code", "") == "unroutable":
                # One message, beside the picker; the typed text stays in the form.
                ctx.update(_where_picker(request.POST.get("where", "")), where_error=str(exc.message),
                           photos_again=bool(files) and ctx["held"] is None)
            else:
                messages.error(request, _error_text(exc))
            status = upload_error_status(exc)
        else:
            photos_release(request, held_token)
            request.session.setdefault("cases_filed", [])
            request.session["cases_filed"] = [*request.session["cases_filed"], case.pk][-20:]
            return redirect("cases:filed", number=case.number)
    # The open cases nearby, only when the form is shown (not after a case was filed: it redirects).
    ctx["nearby"] = selectors.nearby_open_cases(category=category, place=building) if building is not None else []
    ctx["form"] = form
    return render(request, "cases/report.html", ctx, status=status)


def _where_picker(chosen: str = "") -> dict[str, Any]:
    return {"pick_place": True, "place_choices": place_selectors.report_place_choices(), "where": chosen}


@require_GET
def report_where(request: HttpRequest) -> HttpResponse:
    """Where the phone's location lies, asked by the report form as soon as the location is known: the
    grid's name, or (outside every grid) the picker of the community or building, so that the resident
    chooses before sending and the typed text and chosen photos never leave the page."""
    if not _identified(request):
        raise DjangoPermissionDenied
    try:
        lon, lat = float(request.GET.get("lon", "")), float(request.GET.get("lat", ""))
    except ValueError:
        return HttpResponse(status=400)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return HttpResponse(status=400)
    found = point_facts(lon, lat)
    ctx: dict[str, Any] = {"located": found.name} if found is not None else _where_picker()
    return render(request, "cases/_where.html", ctx)


@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    """我也遇到: add "me too" to a public open case (signed in, or with a confirmed phone)."""
    nxt = _after_identify(request)
    if not _identified(request):
        messages.error(request, _("Sign in or confirm your phone number first."))
        return redirect(nxt)
    try:
        actions.case_support(
            case=pk,
            actor=request.user if request.user.is_authenticated else None,
            phone=_session_phone(request),
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("Thank you. Your “me too” has been counted; you need not report it again.")
        )
    return redirect(nxt)


@require_GET
def filed(request: HttpRequest, number: str) -> HttpResponse:
    """After filing: the case number and where to follow it (only for whoever just filed it)."""
    case = Case.objects.filter(number=number, pk__in=request.session.get("cases_filed", [])).first()
    if case is None:
        raise Http404
    return render(request, "cases/filed.html", {"case": case})


# --- the resident: my matters -------------------------------------------------------------------------------------


def _my_cases(request: HttpRequest):
    from linli.core.crypto import lookup_hashes

    cond = Q(pk__in=[])
    if request.user.is_authenticated:
        cond |= Q(reporter_id=request.user.pk)
        if getattr(request.user, "phone", ""):
            cond |= Q(reporter__isnull=True, reporter_phone_hash__in=lookup_hashes(request.user.phone))
    phone = _session_phone(request)
    if phone:
        cond |= Q(reporter__isnull=True, reporter_phone_hash__in=lookup_hashes(phone))
    return Case.objects.filter(cond).select_related("category", "place").order_by("-id")


def _phone_is_reporter(request: HttpRequest, case: Case) -> bool:
    from linli.core.crypto import lookup_hashes

    phone = _session_phone(request)
    return bool(phone and case.reporter_id is None and case.reporter_phone_hash in lookup_hashes(phone))


# The resident's view of progress: five steps, each state on one of them.
RESIDENT_STEPS = (
    (gettext_noop("Reported"), {CaseStatus.REPORTED}),
    (gettext_noop("Accepted"), {CaseStatus.ACCEPTED}),
    (
        gettext_noop("Being handled"),
        {CaseStatus.DISPATCHED, CaseStatus.SIGNED, CaseStatus.HANDLING, CaseStatus.PARKED},
    ),
    (gettext_noop("Reported back"), {CaseStatus.REPORTED_BACK, CaseStatus.VERIFIED}),
    (gettext_noop("Closed"), {CaseStatus.RATED, CaseStatus.CLOSED}),
)


def _steps(case: Case) -> list[dict[str, Any]]:
    """The progress steps for the resident ([] for a case not accepted or merged: its status says it)."""
    at = next((i for i, (_label, states) in enumerate(RESIDENT_STEPS) if case.status in states), None)
    if at is None:
        return []
    closed = case.status == CaseStatus.CLOSED
    return [
        {
            # the current step is named by the case's own status (已签收, 已核查, ...)
            "label": case.get_status_display() if i == at and not closed else _(label),
            "done": i < at or closed,
            "current": i == at and not closed,
        }
        for i, (label, _states) in enumerate(RESIDENT_STEPS)
    ]


def _my_item(request: HttpRequest, case: Case) -> dict[str, Any]:
    can_rate = case.status == CaseStatus.VERIFIED and (
        (request.user.is_authenticated and is_reporter(case, request.user))
        or _phone_is_reporter(request, case)
    )
    events = list(selectors.public_events(case).prefetch_related("photos"))
    for e in events:  # a note with a public reply is, to the resident, our reply
        e.label = _("Reply") if e.kind == "comment" else e.get_kind_display()
        e.photo_urls = [p.image.url for p in e.photos.all()]
    replies = [e for e in events if e.reply]
    return {
        "case": case,
        "events": events,
        "can_rate": can_rate,
        "steps": _steps(case),
        "last_reply": replies[-1] if replies else None,
        "rate_form": RateForm(prefix=f"c{case.pk}") if can_rate else None,
    }


def _identify_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "identified": _identified(request),
        "phone_form": PhoneForm(),
        "code_form": CodeForm(),
        "otp_pending": bool(request.session.get(SESSION_OTP)),
        "session_phone": mask_phone(_session_phone(request)),
    }


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    page = page_rows(request, _my_cases(request))
    items = [_my_item(request, case) for case in page["rows"]]
    return render(request, "cases/mine.html", {**page, "items": items, **_identify_context(request)})


@require_GET
def my_case(request: HttpRequest, number: str) -> HttpResponse:
    """One of the resident's cases: its progress, our replies (with photos) and the rating form."""
    case = _my_cases(request).filter(number=number).first()
    if case is None:
        if not _identified(request):
            return render(request, "cases/mine.html", {"items": [], **_identify_context(request)})
        raise Http404
    return render(
        request, "cases/my_case.html", {"item": _my_item(request, case), **_identify_context(request)}
    )


@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    case = _my_cases(request).filter(pk=pk).first()
    if case is None:
        raise Http404
    form = RateForm(request.POST, prefix=f"c{case.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose how satisfied you are and whether it is solved."))
        return redirect("cases:my_case", number=case.number)
    # A resident identified by phone has no account: the confirmed phone stands in for it, and the
    # action runs as the system door with the rating recorded on the case.
    actor = request.user if request.user.is_authenticated and is_reporter(case, request.user) else None
    try:
        actions.case_rate(
            case=case,
            actor=actor,
            satisfaction=form.cleaned_data["satisfaction"],
            solved=form.cleaned_data["solved"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("cases:my_case", number=case.number)


# --- staff: worklists ---------------------------------------------------------------------------------------------

WORKLIST_TITLES = {
    "worklist": gettext_noop("My grid's cases"),
    "dispatch": gettext_noop("Dispatch desk"),
    "department": gettext_noop("Department inbox"),
    "department_done": gettext_noop("Handled by the department"),
    "supervise": gettext_noop("Overdue cases (supervision)"),
}
WORKLIST_PERMS = {
    "worklist": (PERM_VIEW, PERM_HANDLE),
    "dispatch": (PERM_DISPATCH,),
    "department": (PERM_HANDLE,),
    "department_done": (PERM_HANDLE,),
    "supervise": (PERM_SUPERVISE,),
}


def _worklist(request: HttpRequest, name: str) -> HttpResponse:
    if not (set(WORKLIST_PERMS[name]) & request.user.perms):
        raise DjangoPermissionDenied
    form = FilterForm(request.GET or None)
    form.fields["status"].choices = [("", _("Default")), ("open", _("All open")), *CaseStatus.choices]
    if name == "supervise":
        form.fields["overdue"].choices = [*form.fields["overdue"].choices, ("supervised", _("Supervised (督办)"))]
    form.fields["category"].choices = [("", _("Any")), *selectors.category_options()]
    f = form.cleaned_data if form.is_valid() else {}
    after = request.GET.get("after")
    rows, next_after = worklists.worklist_page(
        request.user,
        name,
        status=f.get("status", ""),
        category=int(f["category"]) if f.get("category") else None,
        channel=f.get("channel", ""),
        level=f.get("overdue", ""),
        q=f.get("q", ""),
        after=int(after) if after and after.isdigit() else None,
    )
    statuses = dict(CaseStatus.choices)
    dispatchable = (CaseStatus.REPORTED, CaseStatus.ACCEPTED)  # what the bulk accept-and-dispatch can move
    case_url = reverse("cases:case", args=[0]).replace("/0/", "/%d/")  # one URL lookup for the page
    for row in rows:  # the list holds raw values: name the status in the user's language
        row["url"] = case_url % row["id"]
        row["status_label"] = statuses.get(row["status"], row["status"])
        row["bulk"] = name == "dispatch" and row["status"] in dispatchable
        row["where"] = " · ".join(n for n in (row["grid__name"] or row["community__name"],
                                             row["place__name"] if row["place__kind"] else "") if n)
    query = request.GET.copy()
    query.pop("after", None)
    if next_after:
        query["after"] = str(next_after)
    return render(
        request,
        "cases/worklist.html",
        {
            "name": name,
            "title": _(WORKLIST_TITLES[name]),
            "rows": rows,
            "filter_form": form,
            "next_url": f"?{query.urlencode()}" if next_after else "",
            "bulk": any(row["bulk"] for row in rows),  # not on the lists to verify or to close
            "tabs": _worklist_tabs(request, name),
            "can_intake": PERM_VIEW in request.user.perms and PERM_REPORT in request.user.perms,
        },
    )


# Quick filters above a list: (label, query parameter, value); the first is the list's default.
WORKLIST_TABS = {
    "dispatch": [
        (gettext_noop("Everything waiting"), "", ""),
        (gettext_noop("To accept"), "status", CaseStatus.REPORTED),
        (gettext_noop("To dispatch"), "status", CaseStatus.ACCEPTED),
        (gettext_noop("To verify"), "status", CaseStatus.REPORTED_BACK),
        (gettext_noop("To close"), "status", CaseStatus.RATED),
    ],
    "supervise": [
        (gettext_noop("Overdue or supervised"), "", ""),
        (gettext_noop("Overdue"), "overdue", "overdue"),
        (gettext_noop("Supervised"), "overdue", "supervised"),
    ],
}


def _worklist_tabs(request: HttpRequest, name: str) -> list[dict[str, Any]]:
    tabs = []
    for label, param, value in WORKLIST_TABS.get(name, []):
        current = {k: request.GET.get(k, "") for k in ("status", "overdue")}
        active = all(current[k] == (value if k == param else "") for k in current)
        tabs.append({"label": _(label), "url": f"?{param}={value}" if param else "?", "active": active})
    return tabs


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    return _worklist(request, "worklist")


@login_required
@require_GET
def dispatch(request: HttpRequest) -> HttpResponse:
    return _worklist(request, "dispatch")


@login_required
@require_GET
def department(request: HttpRequest) -> HttpResponse:
    return _worklist(request, "department")


@login_required
@require_GET
def department_done(request: HttpRequest) -> HttpResponse:
    return _worklist(request, "department_done")


@login_required
@require_GET
def supervise(request: HttpRequest) -> HttpResponse:
    return _worklist(request, "supervise")


@perm_required(PERM_DISPATCH)
@require_POST
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """Accept (when needed) and dispatch the ticked cases to routing's suggested owner."""
    done, failed = 0, []
    for raw in request.POST.getlist("ids")[:200]:
        if not raw.isdigit():
            continue
        case = Case.objects.visible_to(request.user).filter(pk=int(raw)).first()
        if case is None:
            continue
        try:
            if case.status == CaseStatus.REPORTED:
                case = actions.case_accept(case=case, actor=request.user)
            actions.case_dispatch(case=case, actor=request.user)
            done += 1
        except DomainError as exc:
            failed.append(f"{case.number}: {_error_text(exc)}")
    if done:
        messages.success(request, _("%(n)d cases dispatched.") % {"n": done})
    for msg in failed:
        messages.error(request, msg)
    return redirect("cases:dispatch")


# --- staff: the case page ------------------------------------------------------------------------------------------

def _with_new_deadlines(timeline: list[Any]) -> list[Any]:
    """Name the deadline a supervision (or an approved extension) set, on its timeline entry."""
    from django.utils.dateparse import parse_datetime

    for entry in timeline:
        raw = (entry.data or {}).get("new_due")
        entry.new_due = parse_datetime(raw) if isinstance(raw, str) else None
    return timeline


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    staff = is_staff_for(request.user, case)

    departments = department_choices()
    buttons = available_actions(case, request.user)
    names = {t.name for t in buttons}
    from linli.cases import deadlines

    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "staff": staff,
            "timeline": _with_new_deadlines(selectors.case_timeline(case, request.user)),
            "buttons": buttons,
            "form": ActionForm(department_choices=departments),
            "departments": departments,
            "handlers": worklists.handlers_for(case) if "dispatch" in names else [],
            "routing": routing_steps(case.routing) if staff else [],
            "summons": selectors.case_summons(case),
            "summons_default_due": deadlines.hours_due(timezone.now(), deadlines.summons_hours())
            if "summon" in names else None,
            "photos": list(case.photos.filter(Q(event__isnull=True) | Q(event__kind="created"))),
            "light": deadlines.light(case),
            "map_features": place_selectors.case_map_geojson(grid_id=case.grid_id, place_id=case.place_id),
            "phone_masked": mask_phone(case.reporter_phone or "") if staff else "",
            "suggestions": selectors.duplicate_suggestions(case, user=request.user, limit=5)
            if "merge" in names else [],
        },
    )


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The one door of the case page's buttons: runs the transition ``name`` through the action."""
    case = access_case(request.user, pk)

    departments = department_choices()
    form = ActionForm(request.POST, request.FILES, department_choices=departments)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("cases:case", pk=case.pk)
    d = form.cleaned_data
    data: dict[str, Any] = {
        k: v for k, v in d.items() if v not in (None, "", []) and k not in ("photos", "target", "owner_kind")
    }
    if d.get("target"):
        target = Case.objects.visible_to(request.user).filter(number=d["target"].strip()).first()
        data["target"] = target.pk if target else -1
    owner = request.POST.get("owner", "")
    if owner.startswith("u:") and owner[2:].isdigit():
        data["owner_user"] = int(owner[2:])
        data["owner_kind"] = "grid_worker"
        data["outside_grid"] = True
    elif owner.startswith("d:") and owner[2:].isdigit():
        data["owner_department"], data["owner_kind"] = int(owner[2:]), "department"
    elif owner == "community":
        data["owner_kind"] = "community"
    if d.get("solved") is not None:
        data["solved"] = d["solved"]
    if name == "summon":
        data["summons"] = _summons_from_post(request.POST)
    files = request.FILES.getlist("photos")
    if files:
        data["photos"] = files
    try:
        actions.case_transition(case=case, name=name, actor=request.user, data=data)
    except KeyError as exc:
        raise Http404 from exc
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("cases:case", pk=case.pk)


def _summons_from_post(post: Any) -> list[dict[str, Any]]:
    """The summons form: the ticked departments, each with its instruction and deadline."""
    out = []
    for raw in post.getlist("summon_department")[:50]:
        if raw.isdigit():
            out.append({"department": int(raw), "instruction": post.get(f"instruction_{raw}", ""),
                        "due": post.get(f"due_{raw}", "") or None})
    return out


# --- staff: intake (patrol, visit, on behalf) ----------------------------------------------------------------------


@perm_required(PERM_REPORT)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    if PERM_VIEW not in request.user.perms:
        raise DjangoPermissionDenied
    form = StaffIntakeForm(
        request.POST or None, request.FILES or None, initial={"channel": request.GET.get("channel", "patrol")}
    )
    form.fields["category"].choices = [
        (str(c.pk), f"{top.name} · {c.name}" if c != top else c.name)
        for top, subs in selectors.category_tree()
        for c in [top, *subs]
        if not c.is_emergency
    ]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        place = None
        if d.get("place_code"):
            place = place_selectors.building_by_public_code(d["place_code"])
            if place is None or not request.user.scope.covers_path(place.path):
                form.add_error("place_code", _("No building of yours has this code."))
        elif d.get("lon") is None:
            place = _own_place(request.user)
        if not form.errors:
            try:
                case = actions.case_create(
                    actor=request.user,
                    category=int(d["category"]),
                    description=d["description"],
                    channel=d["channel"],
                    lon=d.get("lon") if place is None else None,
                    lat=d.get("lat") if place is None else None,
                    place=place,
                    reporter_name=d.get("reporter_name", ""),
                    reporter_phone=d.get("reporter_phone", ""),
                    private=d.get("private") or False,
                    photos=request.FILES.getlist("photos"),
                )
            except DomainError as exc:
                raise_http(exc)
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, _("Case %(number)s filed.") % {"number": case.number})
                return redirect("cases:case", pk=case.pk)
    return render(request, "cases/intake.html", {"form": form})


# --- public board ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def boards(request: HttpRequest) -> HttpResponse:
    """The progress boards the user may open from the menu; with one community, that board itself."""
    page = page_rows(request, board.board_communities(request.user), size=board.BOARD_PAGE, ascending=True)
    if len(page["rows"]) == 1 and "after" not in request.GET and not page["next_after"]:
        return redirect("cases:board", pk=page["rows"][0].pk)
    return render(request, "cases/boards.html", {**page, "communities": page["rows"]})


@replica_reads
@require_GET
def board_page(request: HttpRequest, pk: int) -> HttpResponse:
    community = place_get(pk, kinds=[PlaceKind.COMMUNITY])
    if community is None:
        raise Http404
    today = timezone.localdate()
    month = request.GET.get("month", "")
    try:
        year, mon = (int(x) for x in month.split("-")) if month else (today.year, today.month)
        if not 1 <= mon <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year, mon = today.year, today.month
    page = page_rows(request, board.board_cases(community, year, mon), size=200, ascending=True)
    return render(
        request,
        "cases/board.html",
        {
            "community": community,
            **page,
            "rows": [public_case(c) for c in page["rows"]],
            "year": year,
            "month": mon,
            "tally": board.board_tally(community, year),
        },
    )
