"""Core views: /healthz (database and worker status)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from linli.core.models import WorkerHeartbeat


def database_status() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"status": "error", "error": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 2)}


def worker_status() -> dict:
    beat = WorkerHeartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
    if beat is None:
        return {"status": "unknown", "last_beat": None}
    age = timezone.now() - beat
    stale = age > timedelta(seconds=settings.LINLI_WORKER_STALE_SECONDS)
    return {"status": "stale" if stale else "ok", "last_beat": beat.isoformat(), "age_s": int(age.total_seconds())}


@never_cache
@require_GET
def healthz(request):
    db = database_status()
    worker = worker_status() if db["status"] == "ok" else {"status": "unknown", "last_beat": None}
    ok = db["status"] == "ok"
    body = {"status": "ok" if ok and worker["status"] == "ok" else ("degraded" if ok else "error"),
            "database": db, "worker": worker}
    return JsonResponse(body, status=200 if ok else 503)


# --- pages: the audit log (audit administrator) and the holiday calendar -----------------------------------


def _require(request, perm: str | None = None, roles: set[str] | None = None) -> bool:
    """False for an anonymous user (the caller redirects to the login page); 403 without the permission
    or one of the roles."""
    from django.core.exceptions import PermissionDenied

    user = request.user
    if not user.is_authenticated:
        return False
    if perm and perm not in getattr(user, "perms", ()):
        raise PermissionDenied
    if roles and not (roles & getattr(user, "role_set", frozenset())):
        raise PermissionDenied
    return True


# The audit detail's keys in the reader's language (a key not here shows as it is).
DETAIL_LABELS: dict[str, Any] = {
    "from": gettext_lazy("From"), "to": gettext_lazy("To"), "previous": gettext_lazy("From"),
    "event": gettext_lazy("Event"), "late": gettext_lazy("Late"), "external_id": gettext_lazy("External number"),
    "owner_user": gettext_lazy("Person"), "owner_department": gettext_lazy("Department"),
    "owner_kind": gettext_lazy("Kind"), "kind": gettext_lazy("Kind"), "closed_reason": gettext_lazy("Closed as"),
    "ontime": gettext_lazy("On time"), "photos": gettext_lazy("Photos"), "satisfaction": gettext_lazy("Satisfaction"),
    "solved": gettext_lazy("Solved"), "comment": gettext_lazy("Comment"), "reason": gettext_lazy("Reason"),
    "category": gettext_lazy("Category"), "status": gettext_lazy("Status"), "hours": gettext_lazy("Hours"),
    "days": gettext_lazy("Working days"), "name": gettext_lazy("Name"), "role": gettext_lazy("Role"),
    "member": gettext_lazy("Member"), "building": gettext_lazy("Building"), "compound": gettext_lazy("Compound"),
    "community": gettext_lazy("Community"), "household": gettext_lazy("Household"), "person": gettext_lazy("Person"),
    "volunteer": gettext_lazy("Volunteer"), "activity": gettext_lazy("Activity"), "code": gettext_lazy("Code"),
    "priority": gettext_lazy("Priority"), "month": gettext_lazy("Month"), "new_due": gettext_lazy("New deadline"),
    "old_due": gettext_lazy("Old deadline"), "place_path": gettext_lazy("Place"), "place": gettext_lazy("Place"),
    "department": gettext_lazy("Department"),
    "field": gettext_lazy("Field"), "perm": gettext_lazy("Permission"), "by": gettext_lazy("By"),
    "tag": gettext_lazy("Tag"), "relationship": gettext_lazy("Relationship"), "what": gettext_lazy("What"),
    "was": gettext_lazy("Was"), "via": gettext_lazy("Via"), "format": gettext_lazy("Format"),
    "sensitivity": gettext_lazy("Sensitivity"), "source": gettext_lazy("Source"), "rule": gettext_lazy("Rule"),
    "device_kind": gettext_lazy("Device kind"), "channel": gettext_lazy("Channel"),
}
# Keys of the other apps' audit details (tests/test_audit_value_labels.py fails on a key missing here).
DETAIL_LABELS.update({
    "active": gettext_lazy("Active"),
    "amount": gettext_lazy("Amount"),
    "amount_fen": gettext_lazy("Amount (fen)"),
    "assignee": gettext_lazy("Assigned to"),
    "attendees": gettext_lazy("Attendees"),
    "balance_fen": gettext_lazy("Balance (fen)"),
    "before": gettext_lazy("Before"),
    "big_committee": gettext_lazy("Big party committee"),
    "booked": gettext_lazy("Booked"),
    "by_partition": gettext_lazy("By partition"),
    "campaign": gettext_lazy("Campaign"),
    "candidate": gettext_lazy("Candidate"),
    "case": gettext_lazy("Case"),
    "cases": gettext_lazy("Cases"),
    "chair": gettext_lazy("Chair"),
    "changed": gettext_lazy("Changed"),
    "changes": gettext_lazy("Changes"),
    "clashes": gettext_lazy("Clashes"),
    "commitment": gettext_lazy("Commitment"),
    "cost": gettext_lazy("Cost"),
    "course": gettext_lazy("Course"),
    "create_houses": gettext_lazy("Create houses"),
    "created": gettext_lazy("Created"),
    "date": gettext_lazy("Date"),
    "day": gettext_lazy("Day"),
    "decision": gettext_lazy("Decision"),
    "deliver": gettext_lazy("Delivery"),
    "destination": gettext_lazy("Destination"),
    "device": gettext_lazy("Device"),
    "dispute": gettext_lazy("Dispute"),
    "drafts": gettext_lazy("Drafts"),
    "electorate": gettext_lazy("Electorate"),
    "eligible": gettext_lazy("Eligible"),
    "entries": gettext_lazy("Entries"),
    "entry": gettext_lazy("Entry"),
    "events": gettext_lazy("Events"),
    "expert": gettext_lazy("Expert"),
    "failed": gettext_lazy("Failed"),
    "fields": gettext_lazy("Fields"),
    "file": gettext_lazy("File"),
    "filters": gettext_lazy("Filters"),
    "for_resident": gettext_lazy("For a resident"),
    "found": gettext_lazy("Found"),
    "full": gettext_lazy("Full"),
    "grid": gettext_lazy("Grid"),
    "half": gettext_lazy("Half year"),
    "head": gettext_lazy("Head of household"),
    "held_on": gettext_lazy("Held on"),
    "house": gettext_lazy("House"),
    "included": gettext_lazy("Included"),
    "is_active": gettext_lazy("Active"),
    "item": gettext_lazy("Item"),
    "kinds": gettext_lazy("Kinds"),
    "ledger": gettext_lazy("Ledger"),
    "left_on": gettext_lazy("Left on"),
    "lives": gettext_lazy("Lives here"),
    "login": gettext_lazy("Login"),
    "manual": gettext_lazy("By hand"),
    "matched": gettext_lazy("Matched"),
    "meeting": gettext_lazy("Meeting"),
    "milestone": gettext_lazy("Milestone"),
    "n": gettext_lazy("Count"),
    "needs": gettext_lazy("Needs"),
    "new": gettext_lazy("New"),
    "new_path": gettext_lazy("New place"),
    "no_phone": gettext_lazy("Without a phone"),
    "nomination": gettext_lazy("Nomination"),
    "note": gettext_lazy("Note"),
    "number": gettext_lazy("Number"),
    "old_path": gettext_lazy("Old place"),
    "on": gettext_lazy("On"),
    "on_paper": gettext_lazy("On paper"),
    "opinion": gettext_lazy("Opinion"),
    "order": gettext_lazy("Order"),
    "org": gettext_lazy("Organisation"),
    "over_allowance": gettext_lazy("Over the allowance"),
    "own": gettext_lazy("Own"),
    "paid": gettext_lazy("Paid"),
    "paper_number": gettext_lazy("Paper number"),
    "parent": gettext_lazy("Parent"),
    "participant": gettext_lazy("Participant"),
    "participants": gettext_lazy("Participants"),
    "partner": gettext_lazy("Partner unit"),
    "partners": gettext_lazy("Partner units"),
    "path": gettext_lazy("Place"),
    "persons": gettext_lazy("Persons"),
    "plan": gettext_lazy("Plan"),
    "prefix": gettext_lazy("Prefix"),
    "present": gettext_lazy("Present"),
    "price": gettext_lazy("Price"),
    "problems": gettext_lazy("Problems"),
    "programme": gettext_lazy("Programme"),
    "promoted": gettext_lazy("Promoted"),
    "q": gettext_lazy("Search"),
    "qr": gettext_lazy("QR code"),
    "quota": gettext_lazy("Places"),
    "rank": gettext_lazy("Rank"),
    "rejoined": gettext_lazy("Rejoined"),
    "replace_years": gettext_lazy("Replace years"),
    "replaced_by": gettext_lazy("Replaced by"),
    "reporter_phone": gettext_lazy("Reporter's phone"),
    "result": gettext_lazy("Result"),
    "room": gettext_lazy("Room"),
    "rotation_order": gettext_lazy("Rotation order"),
    "round": gettext_lazy("Round"),
    "rows": gettext_lazy("Rows"),
    "run": gettext_lazy("Run"),
    "runner": gettext_lazy("Runner"),
    "sampled": gettext_lazy("Sampled"),
    "scores": gettext_lazy("Scores"),
    "seats": gettext_lazy("Places"),
    "sections": gettext_lazy("Sections"),
    "self": gettext_lazy("Oneself"),
    "sensitive": gettext_lazy("Sensitive"),
    "sent": gettext_lazy("Sent"),
    "service": gettext_lazy("Service"),
    "session": gettext_lazy("Session"),
    "since": gettext_lazy("Since"),
    "supporters": gettext_lazy("Supporters"),
    "survey": gettext_lazy("Survey"),
    "target": gettext_lazy("Target"),
    "targets": gettext_lazy("Targets"),
    "title": gettext_lazy("Title"),
    "token": gettext_lazy("Token"),
    "tokens_revoked": gettext_lazy("Tokens revoked"),
    "topic": gettext_lazy("Topic"),
    "total_fen": gettext_lazy("Total (fen)"),
    "unchanged": gettext_lazy("Unchanged"),
    "units": gettext_lazy("Units"),
    "until": gettext_lazy("Until"),
    "update_existing": gettext_lazy("Update existing"),
    "value": gettext_lazy("Value"),
    "vote": gettext_lazy("Vote"),
    "year": gettext_lazy("Year"),
    "years": gettext_lazy("Years"),
})


# Coded values of audit details that no workflow's choices cover (a role granted, a field revealed, a
# permission checked, a place's kind): each app registers a key's labels in its AppConfig.ready (core imports
# no app), for every action or for the actions under a prefix ("places." for a place's kind).
AUDIT_VALUE_LABELS: dict[tuple[str, str], list[Callable[[], Mapping[str, Any]]]] = {}
# An audit action's first part when it is not the label of the app that writes it.
_ACTION_APPS = {"registry": "residents", "pii": "core"}
# Keys that carry the value of another field ("was" an import's or a sign-up's status).
_SAME_AS = {"was": "status", "from": "status", "to": "status", "previous": "status"}


def audit_value_labels_register(key: str, labels: Callable[[], Mapping[str, Any]], *, actions: str = "") -> None:
    """``labels()`` gives {coded value: label} of the detail ``key`` in the audit rows whose action starts
    with ``actions`` ("" for every action); several apps may register the same key (their labels merge)."""
    AUDIT_VALUE_LABELS.setdefault((actions, key), []).append(labels)


def audit_value_labels(action: str, key: str) -> dict[str, Any]:
    """The labels of the values of ``key`` in audit rows of ``action``: registered ones (the longest prefix
    first), then the choices of the fields named ``key`` of the models of the app that wrote it."""
    out: dict[str, Any] = {}
    prefixes = sorted((p for p, k in AUDIT_VALUE_LABELS if k == key and action.startswith(p)), key=len)
    for prefix in prefixes:  # the longest last: it wins
        for labels in AUDIT_VALUE_LABELS[(prefix, key)]:
            out.update(labels())
    choices = _app_choices(action.split(".", 1)[0], get_language() or "")
    for value, label in choices.get(key, choices.get(_SAME_AS.get(key, ""), {})).items():
        out.setdefault(value, label)
    return out


@functools.lru_cache(maxsize=256)
def _app_choices(prefix: str, language: str) -> dict[str, dict[str, str]]:
    """{field name: {value: label}} over every field with choices of the app's models (``language``: the
    cache key; the labels are read in the active language)."""
    from django.apps import apps

    try:
        config = apps.get_app_config(_ACTION_APPS.get(prefix, prefix))
    except LookupError:
        return {}
    out: dict[str, dict[str, str]] = {}
    for model in config.get_models():
        for f in model._meta.concrete_fields:
            if f.choices:
                for value, label in f.flatchoices:
                    out.setdefault(f.name, {}).setdefault(str(value), str(label))
    return out


def _value_labels(action: str) -> dict[str, dict[str, str]]:
    """For the workflow that wrote ``action`` (its spec's audit prefix): each field of its model with
    choices → {value: label}; the status field's labels also serve "from", "to" and "previous"."""
    from linli.core.workflow import SPECS

    spec = next((sp for prefix, sp in SPECS.items() if action.startswith(prefix + "_")), None)
    if spec is None:
        return {}
    out = {f.name: {str(v): str(lbl) for v, lbl in f.choices}
           for f in spec.model._meta.concrete_fields if f.choices}
    for key in ("from", "to", "previous"):
        if "status" in out:
            out[key] = out["status"]
    return out


def detail_text(action: str, detail: dict[str, Any]) -> str:
    """An audit row's detail as the reader reads it: keys and coded values (states, satisfaction, yes/no)
    in the reader's language."""
    values = _value_labels(action)
    parts = []
    for key, value in detail.items():
        if isinstance(value, bool):
            shown: Any = _("Yes") if value else _("No")
        elif isinstance(value, str) and value in values.get(key, {}):
            shown = values[key][value]
        elif isinstance(value, str) and value in (extra := audit_value_labels(action, key)):
            shown = extra[value]
        elif isinstance(value, str) and "," in value and all(v in extra for v in value.split(",")):
            sep = "、" if (get_language() or "").startswith("zh") else ", "
            shown = sep.join(str(extra[v]) for v in value.split(","))  # several fields revealed at once
        else:
            shown = value
        parts.append(f"{DETAIL_LABELS.get(key, key)}: {shown}")
    return "; ".join(parts)


def _action_labels() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        "accounts.login": _("Log in"),
        "accounts.logout": _("Log out"),
        "accounts.lock": _("Account locked"),
        "accounts.unlock": _("Account unlocked"),
        "accounts.password_set": _("Password changed"),
        "accounts.user_create": _("User created"),
        "accounts.user_update": _("User changed"),
        "accounts.role_assign": _("Role granted"),
        "accounts.role_revoke": _("Role revoked"),
        "accounts.totp_enable": _("Two-factor turned on"),
        "accounts.totp_disable": _("Two-factor turned off"),
        "accounts.token_issue": _("API token issued"),
        "accounts.token_revoke": _("API token revoked"),
        "accounts.policy_update": _("Security policy changed"),
        "core.audit_view": _("Audit log viewed"),
        "core.audit_archive": _("Audit log archived"),
        "core.calendar_load": _("Holiday calendar loaded"),
        "core.calendar_day_set": _("Calendar day set"),
        "core.calendar_day_delete": _("Calendar day removed"),
        "core.key_rotate": _("Data key rotated"),
        "pii.unmask": _("Unmasked personal data shown"),
        "places.place_create": _("Place created"),
        "places.place_update": _("Place changed"),
        "places.place_move": _("Place moved"),
        "places.place_delete": _("Place deleted"),
        "places.place_set_geometry": _("Boundary changed"),
        "registry.export": _("Registry exported"),
        "residents.import": _("Registry imported"),
        "residents.person_create": _("Person registered"),
        "residents.person_update": _("Person changed"),
        "residents.person_move_in": _("Person moved in"),
        "residents.person_move_out": _("Person moved out"),
        "residents.person_record_death": _("Death recorded"),
        "residents.person_tag_add": _("Tag added"),
        "residents.person_tag_end": _("Tag ended"),
        "residents.household_create": _("Household created"),
    }


def _parse_day(value: str):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def audit_log(request):
    """The audit log: readable by the audit administrator only. Filters by action, actor, result and a
    date range; 50 rows a page through the one keyset pager (never counted: the log is large); text is masked
    again on display. Each viewing is itself audited."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from linli.core.audit import audit_record
    from linli.core.masking import mask_text
    from linli.core.models import AuditEntry, AuditResult
    from linli.core.ui import page_rows

    if not _require(request, perm="audit.view"):
        return redirect_to_login(request.get_full_path())
    qs = AuditEntry.objects.all()
    filters = {k: request.GET.get(k, "").strip()[:150] for k in ("action", "actor", "result", "since", "until")}
    errors: dict[str, str] = {}
    if filters["action"]:
        qs = qs.filter(action__startswith=filters["action"])
    if filters["actor"]:
        qs = qs.filter(actor_name__iexact=filters["actor"])
    if filters["result"] in AuditResult.values:
        qs = qs.filter(result=filters["result"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if filters[key]:
            day = _parse_day(filters[key])
            if day is None:
                errors[key] = _("Enter a date as YYYY-MM-DD.")
            else:
                qs = qs.filter(**{lookup: day})
    page = page_rows(request, qs)
    labels = _action_labels()
    rows = []
    for entry in page["rows"]:
        detail = {k: v for k, v in (entry.detail or {}).items() if k != "channel"}
        rows.append({
            "entry": entry,
            "label": labels.get(entry.action, ""),
            "target": mask_text(entry.target_repr),
            "detail": mask_text(detail_text(entry.action, detail)),
            "channel": (entry.detail or {}).get("channel", ""),
        })
    audit_record(action="core.audit_view", actor=request.user, detail={"filters": {k: v for k, v in filters.items() if v}})
    context = {
        **page,
        "rows": rows,
        "filters": filters,
        "errors": errors,
        "results": AuditResult.choices,
        "actions": sorted(labels.items()),
    }
    return render(request, "core/audit_log.html", context)


def _holiday_spans(days) -> list[dict]:
    """Consecutive holidays with the same name as one span (春节 2月15日–23日, 9 days)."""
    spans: list[dict] = []
    for d in days:
        if d.kind != "holiday":
            continue
        last = spans[-1] if spans else None
        if last and last["name"] == d.name and (d.date - last["end"]).days == 1:
            last["end"] = d.date
            last["days"] += 1
        else:
            spans.append({"name": d.name, "start": d.date, "end": d.date, "days": 1})
    return spans


def calendar_view(request):
    """The holiday calendar (public holidays in red, make-up working days in blue), one year a page."""
    import calendar as pycalendar
    from datetime import date

    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from linli.core.models import CalendarDay

    if not _require(request, roles={"system_admin", "street_supervisor", "community_staff"}):
        return redirect_to_login(request.get_full_path())
    years = sorted({d.year for d in CalendarDay.objects.values_list("date", flat=True)})
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 1900 < int(raw) < 2200 else (today.year if today.year in years or not years else years[-1])
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    by_date = {d.date: d for d in days}
    months = []
    working = 0
    cal = pycalendar.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = []
        for week in cal.monthdatescalendar(year, month):
            cells = []
            for day in week:
                special = by_date.get(day)
                if day.month != month:
                    kind = "out"
                elif special is not None:
                    kind = special.kind
                elif day.weekday() >= 5:
                    kind = "weekend"
                else:
                    kind = "normal"
                if day.month == month and (kind == "workday" or kind == "normal"):
                    working += 1
                cells.append({"date": day, "kind": kind, "name": special.name if special else "", "today": day == today})
            weeks.append(cells)
        months.append({"number": month, "first": date(year, month, 1), "weeks": weeks})
    context = {
        "year": year,
        "years": years,
        "months": months,
        "spans": _holiday_spans(days),
        "workdays": [d for d in days if d.kind == "workday"],
        "working_days": working,
        "has_data": bool(days),
        "weekday_names": [_("Mo"), _("Tu"), _("We"), _("Th"), _("Fr"), _("Sa"), _("Su")],
    }
    return render(request, "core/calendar.html", context)
