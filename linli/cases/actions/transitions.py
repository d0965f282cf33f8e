"""One action per transition of the table (``workflow.TRANSITIONS``): ``case_<action>(*, case, actor, ...)``.

Each builds its input and calls ``run_transition``; the work specific to the transition is its
``_apply_<action>`` below (registered in ``APPLY``), which changes the locked case and says what to
record. ``case_transition(case=..., name=..., actor=..., data={...})`` is the generic door the API
and the UI use.

Inputs common to every action: ``note`` (internal, staff only) and ``reply`` (public: the resident
reads it). The first public reply stamps ``first_reply_at`` (the 3-day reply promise).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import department_get, departments_by_ids, user_get
from linli.cases import deadlines
from linli.cases.actions._common import (
    Apply,
    Outcome,
    case_spec,
    clean_text,
    department_users,
    owner_users,
    run_transition,
    step,
    users_over,
)
from linli.cases.models import Case, CaseSummons, CaseSupervision
from linli.cases.workflow import (
    PERM_DISPATCH,
    PERM_HANDLE,
    PERM_SUPERVISE,
    ClosedReason,
    ExtensionState,
    OwnerKind,
    Satisfaction,
    SummonsStatus,
)
from linli.core.errors import Invalid

MAX_EXTENSION_DAYS = 30


def _base(data: dict[str, Any]) -> Outcome:
    return Outcome(note=clean_text(data.get("note")), reply=clean_text(data.get("reply")))


def _desk(case: Case) -> list[int]:
    return users_over(case.place_path, PERM_DISPATCH)


def _supervisors(case: Case) -> list[int]:
    return users_over(case.place_path, PERM_SUPERVISE)


def _reporter(case: Case) -> list[int | None]:
    return [case.reporter_id]


class _Moved:
    """"Case N: <state>", worded when the notice is queued: after the runner has set the new state (the
    apply functions run before it, and would name the state the case is leaving)."""

    def __init__(self, case: Case) -> None:
        self.case = case

    def __str__(self) -> str:
        return _("Case %(number)s: %(status)s") % {
            "number": self.case.number, "status": self.case.get_status_display()}


def _moved(case: Case) -> Any:
    return _Moved(case)


# --- intake side ----------------------------------------------------------------------------------------


def _apply_accept(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    case.accepted_at = now
    if not out.reply:
        out.auto_reply(_("Your report has been accepted."))
    out.notify.append(("accept", _reporter(case), _moved(case)))
    return out


def _apply_refuse(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    reason = clean_text(data.get("reason"))
    out.reply = out.reply or reason
    out.data["reason"] = reason
    case.closed_at = now
    case.closed_reason = ClosedReason.REFUSED
    out.notify.append(("refuse", _reporter(case), _moved(case)))
    return out


def _apply_merge(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    from linli.cases.actions.duplicates import support_from_merge

    out = _base(data)
    target_id = data.get("target")
    target_id = getattr(target_id, "pk", target_id)
    if target_id is None or target_id == case.pk:
        raise Invalid(_("A case cannot be merged into itself."), fields={"target": [_("Choose another case.")]})
    visible = Case.objects.visible_to(actor) if actor is not None else Case.objects.all()
    target = visible.select_for_update().filter(pk=target_id).first()
    if target is None:
        raise Invalid(_("The case to merge into was not found."), fields={"target": [_("Not found.")]})
    if not target.is_open:
        raise Invalid(_("A duplicate can only be merged into an open case."), fields={"target": [_("This case is done.")]})
    case.merged_into = target
    case.closed_at = now
    case.closed_reason = ClosedReason.MERGED
    out.data["target"] = target.pk
    out.data["target_number"] = target.number
    out.auto_reply(_("This matter is already being handled as case %(number)s.") % {"number": target.number})
    out.notify.append(("merge", _reporter(case), _moved(case)))

    def record_on_target(merged: Case) -> None:
        from linli.cases.actions._common import event_write

        event_write(target, kind="merged_in", actor=actor, at=now, data={"case": merged.pk, "number": merged.number})
        support_from_merge(target=target, duplicate=merged, now=now)

    out.after.append(record_on_target)
    return out


def _owner_from(case: Case, data: dict[str, Any]) -> tuple[str, Any, Any]:
    """(owner_kind, owner user, owner department) from the input, or routing's suggestion."""

    kind = data.get("owner_kind") or ""
    user_id = data.get("owner_user")
    dept_id = data.get("owner_department")
    user_id = getattr(user_id, "pk", user_id)
    dept_id = getattr(dept_id, "pk", dept_id)
    if not kind and not user_id and not dept_id:
        # Routing's suggestion: the category's department first, else the grid's worker, else the desk.
        if case.suggested_department_id:
            return OwnerKind.DEPARTMENT, None, case.suggested_department
        if case.suggested_user_id:
            return OwnerKind.GRID_WORKER, case.suggested_user, None
        return OwnerKind.COMMUNITY, None, None
    if not kind:
        kind = OwnerKind.DEPARTMENT if dept_id else OwnerKind.GRID_WORKER
    if kind not in OwnerKind.values:
        raise Invalid(_("Unknown kind of owner."), fields={"owner_kind": [_("Choose a kind of owner.")]})
    if kind == OwnerKind.DEPARTMENT:
        department = department_get(dept_id) if dept_id else None
        if department is None:
            raise Invalid(_("Choose the department."), fields={"owner_department": [_("Not found.")]})
        return kind, None, department
    if kind == OwnerKind.COMMUNITY:
        return kind, None, None
    user = user_get(user_id) if user_id else None
    if user is None:
        raise Invalid(_("Choose the person to dispatch to."), fields={"owner_user": [_("Not found.")]})
    if PERM_HANDLE not in user.perms:
        raise Invalid(_("This person cannot handle cases."), fields={"owner_user": [_("Not a case handler.")]})
    # A grid worker of another grid may help, but the desk must say so explicitly.
    if kind == OwnerKind.GRID_WORKER and not user.scope.covers_path(case.place_path) and not data.get("outside_grid"):
        raise Invalid(
            _("This grid worker does not work in the case's grid."),
            fields={"owner_user": [_("Not this grid's worker.")]},
        )
    return kind, user, None


def _apply_dispatch(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    kind, user, department = _owner_from(case, data)
    case.owner_kind = kind
    case.owner_user = user
    case.owner_department = department
    case.dispatched_at = now
    deadlines.set_dispatch_deadlines(case, now)
    out.data.update(
        owner_kind=kind,
        owner_user=user.pk if user else None,
        owner_department=department.pk if department else None,
        owner=str(user or department or case.community or ""),
    )
    out.notify.append(("dispatch", owner_users(case), _("New case %(number)s for you: %(title)s") % {
        "number": case.number, "title": case.title}))
    out.notify.append(("dispatch", _reporter(case), _moved(case)))
    return out


# --- the owner's side -----------------------------------------------------------------------------------


def _apply_sign(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    case.signed_at = now
    out.data["late"] = bool(case.sign_due and now > case.sign_due)
    return out


def _apply_return(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    reason = clean_text(data.get("reason"))
    out.note = out.note or reason
    out.data.update(reason=reason, owner_user=case.owner_user_id, owner_department=case.owner_department_id)
    case.return_count += 1
    case.owner_kind, case.owner_user, case.owner_department = "", None, None
    case.signed_at = None
    case.sign_due = case.sign_warn_at = case.return_due = None
    out.notify.append(("return", _desk(case), _("Case %(number)s was returned: %(reason)s") % {
        "number": case.number, "reason": reason}))
    return out


def _apply_handle(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    out.notify.append(("handle", _reporter(case), _moved(case)))
    return out


def _apply_report(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    case.handled_at = now
    out.data["late"] = bool(case.handle_due and now > case.handle_due)
    photos = data.get("photos") or []
    if photos:
        from linli.cases.actions.photos import photos_attach

        def attach(c: Case) -> None:
            photos_attach(case=c, files=photos, actor=actor, event=c._last_event, now=now)  # type: ignore[attr-defined]

        out.after.append(attach)
        out.data["photos"] = len(photos)
    out.notify.append(("report", _desk(case), _moved(case)))
    out.notify.append(("report", _reporter(case), _moved(case)))
    return out


def _apply_extend(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    days = _positive_days(data.get("days"))
    reason = clean_text(data.get("reason"))
    case.extension_state = ExtensionState.REQUESTED
    case.extension_days = days
    out.note = out.note or reason
    out.data.update(days=days, reason=reason)
    out.notify.append(("extend", _desk(case), _("Case %(number)s: extension of %(days)d days requested") % {
        "number": case.number, "days": days}))
    return out


def _positive_days(value: Any) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise Invalid(
            _("Give a number of working days from 1 to %(max)d.") % {"max": MAX_EXTENSION_DAYS},
            fields={"days": [_("Between 1 and %(max)d.") % {"max": MAX_EXTENSION_DAYS}]},
        )
    return days


# --- the desk's and the supervisor's side -----------------------------------------------------------------


def _apply_extend_approve(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    days = _positive_days(data.get("days") or case.extension_days)
    old = case.handle_due
    base = old or now
    case.handle_due = deadlines.end_of_office_day(
        deadlines.add_working_days(timezone.localtime(base).date(), days)
    )
    case.handle_warn_at = deadlines.warn_at(case.dispatched_at or case.reported_at, case.handle_due)
    case.extension_state = ExtensionState.APPROVED
    case.extension_days = days
    case.extension_count += 1
    out.data.update(days=days, old_due=old.isoformat() if old else None, new_due=case.handle_due.isoformat())
    out.notify.append(("extend_approve", owner_users(case), _moved(case)))
    return out


def _apply_extend_reject(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    reason = clean_text(data.get("reason"))
    case.extension_state = ExtensionState.REJECTED
    out.note = out.note or reason
    out.data.update(reason=reason, days=case.extension_days)
    out.notify.append(("extend_reject", owner_users(case), _moved(case)))
    return out


def _apply_park(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    reason = clean_text(data.get("reason"))
    case.parked_at = now
    out.data["reason"] = reason
    out.auto_reply(_("This matter needs long works; it is kept on the ledger until they are done: %(reason)s") % {
        "reason": reason})
    out.notify.append(("park", owner_users(case), _moved(case)))
    return out


def _apply_unpark(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    parked_at = case.parked_at
    paused = deadlines.unpause(case, now)
    out.data.update(
        parked_from=parked_at.isoformat() if parked_at else None,
        paused_office_seconds=int(paused.total_seconds()),
        handle_due=case.handle_due.isoformat() if case.handle_due else None,
    )
    out.notify.append(("unpark", owner_users(case), _moved(case)))
    return out


def _apply_supervise(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    due = _parse_due(data.get("due"), now)
    note = clean_text(data.get("note"))
    old = case.handle_due
    CaseSupervision.objects.create(
        case=case, by=actor if getattr(actor, "is_authenticated", False) else None, at=now, note=note,
        old_due=old, new_due=due,
    )
    case.handle_due = due
    case.handle_warn_at = deadlines.warn_at(now, due)
    case.supervision_count += 1
    out.note = note
    out.data.update(old_due=old.isoformat() if old else None, new_due=due.isoformat())
    out.notify.append(("supervise", owner_users(case) + _desk(case), _("Case %(number)s is under supervision: %(note)s") % {
        "number": case.number, "note": note[:100]}))
    return out


def _parse_due(value: Any, now: datetime) -> datetime:
    due: datetime | None
    if isinstance(value, datetime):
        due = value
    elif isinstance(value, date):
        due = deadlines.end_of_office_day(value)
    else:
        text = str(value or "").strip()
        try:
            due = datetime.fromisoformat(text) if "T" in text or " " in text else deadlines.end_of_office_day(
                date.fromisoformat(text))
        except ValueError:
            due = None
    if due is not None and timezone.is_naive(due):
        due = timezone.make_aware(due)
    if due is None or due <= now:
        raise Invalid(_("Give a new deadline in the future."), fields={"due": [_("A future date or time.")]})
    return due


MAX_SUMMONS = 20


def summons_orders(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The summons asked for, one per department: ``data["summons"]`` as a list of ``{"department",
    "instruction", "due"}``, or the shorthand ``data["departments"]`` (ids) with one ``instruction`` and
    one ``due`` for all of them. ``due`` may be empty (the default: 16 office hours)."""
    orders = data.get("summons")
    if not orders:
        orders = [
            {"department": d, "instruction": data.get("instruction", ""), "due": data.get("due")}
            for d in data.get("departments") or []
        ]
    out = []
    for order in list(orders)[: MAX_SUMMONS + 1]:
        if not isinstance(order, dict):
            raise Invalid(_("Unknown department."), fields={"summons": [_("Not found.")]})
        department = order.get("department")
        out.append({
            "department": getattr(department, "pk", department),
            "instruction": clean_text(order.get("instruction"), limit=2000),
            "due": order.get("due") or None,
        })
    return out


def _apply_summon(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    """吹哨: summon one or more departments, each with its own instruction and deadline."""

    out = _base(data)
    orders = summons_orders(data)
    if not orders:
        raise Invalid(_("Choose at least one department."), fields={"summons": [_("This field is required.")]})
    if len(orders) > MAX_SUMMONS:
        raise Invalid(_("At most %(n)d departments at once.") % {"n": MAX_SUMMONS}, fields={"summons": [
            _("Too many.")]})
    try:
        ids = [int(o["department"]) for o in orders]
    except (TypeError, ValueError) as exc:
        raise Invalid(_("Unknown department."), fields={"summons": [_("Not found.")]}) from exc
    if len(set(ids)) != len(ids):
        raise Invalid(_("A department is named twice."), fields={"summons": [_("Once each.")]})
    departments = {d.pk: d for d in departments_by_ids(ids)}
    if len(departments) != len(ids):
        raise Invalid(_("Unknown department."), fields={"summons": [_("Not found.")]})
    missing = [departments[o["department"]].name for o in orders if not o["instruction"]]
    if missing:
        raise Invalid(_("Say what each department is asked to do."),
                      fields={"summons": [_("No instruction for %(names)s.") % {"names": "、".join(missing)}]})
    already = set(
        CaseSummons.objects.filter(case=case, department_id__in=ids).exclude(status=SummonsStatus.ANSWERED)
        .values_list("department_id", flat=True)
    )
    if already:
        raise Invalid(
            _("A department is already summoned onto this case."),
            fields={"summons": [", ".join(departments[d].name for d in sorted(already))]},
        )
    rows = []
    for o in orders:
        due = _parse_due(o["due"], now) if o["due"] else deadlines.hours_due(now, deadlines.summons_hours())
        rows.append(CaseSummons(
            case=case, department=departments[o["department"]], due=due, instruction=o["instruction"],
            summoned_at=now, summoned_by=actor if getattr(actor, "is_authenticated", False) else None,
        ))
    CaseSummons.objects.bulk_create(rows)
    out.data.update(
        departments=ids,
        summons=[{"department": r.department_id, "instruction": r.instruction, "due": r.due.isoformat()} for r in rows],
    )
    for r in rows:
        out.notify.append(("summon", department_users(r.department_id), _(
            "Your department is summoned onto case %(number)s by %(due)s: %(instruction)s") % {
            "number": case.number, "due": timezone.localtime(r.due).strftime("%Y-%m-%d %H:%M"),
            "instruction": r.instruction[:100]}))
    return out


def _my_summons(case: Case, actor: Any, *, statuses: tuple[str, ...]) -> list[CaseSummons]:
    qs = CaseSummons.objects.select_for_update().filter(case=case, status__in=statuses)
    if actor is not None:
        qs = qs.filter(department_id__in=sorted(actor.scope.department_ids))
    return list(qs.order_by("id"))


def _apply_summon_sign(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    rows = _my_summons(case, actor, statuses=(SummonsStatus.SUMMONED,))
    CaseSummons.objects.filter(pk__in=[r.pk for r in rows]).update(status=SummonsStatus.SIGNED, signed_at=now)
    out.data["summons"] = [r.pk for r in rows]
    out.data["departments"] = [r.department_id for r in rows]
    return out


def _apply_summon_answer(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    rows = _my_summons(case, actor, statuses=(SummonsStatus.SUMMONED, SummonsStatus.SIGNED))
    answer = out.reply
    for row in rows:
        CaseSummons.objects.filter(pk=row.pk).update(
            status=SummonsStatus.ANSWERED, answered_at=now, answer=answer, signed_at=row.signed_at or now
        )
    out.data["summons"] = [r.pk for r in rows]
    out.data["departments"] = [r.department_id for r in rows]
    out.data["late"] = any(now > r.due for r in rows)
    out.notify.append(("summon_answer", _desk(case) + owner_users(case), _moved(case)))
    return out


# --- verification, rating, closing ------------------------------------------------------------------------


def _apply_verify(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    case.verified_at = now
    # Points for the resident who reported it (反映问题经核实), in this transaction, once per case.
    from linli.points.actions import points_award_reporter

    points_award_reporter(reporter=case.reporter, phone_hash=case.reporter_phone_hash,
                          source=f"cases.case:{case.pk}:verified", actor=actor)
    if case.has_contact:
        out.notify.append(verify_notice(case))
    else:
        # Nobody to rate it (a patrol finding, a sensor): it closes at once.
        def close_now(c: Case) -> None:
            step(c, "close", None, {"reason_code": ClosedReason.RESOLVED}, now=now)

        out.after.append(close_now)
    return out


def verify_notice(case: Case) -> tuple[str, list[int | None], Any]:
    """The reporter asked to rate the verified case (the verify action's notice; the demo's bulk path's too)."""
    return ("verify", _reporter(case), _("Case %(number)s is done: please rate it.") % {"number": case.number})


def _apply_rework(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    reason = clean_text(data.get("reason"))
    out.note = out.note or reason
    out.data["reason"] = reason
    case.rework_count += 1
    case.handled_at = None
    out.notify.append(("rework", owner_users(case), _("Case %(number)s needs rework: %(reason)s") % {
        "number": case.number, "reason": reason[:100]}))
    return out


def _apply_rate(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    satisfaction = data.get("satisfaction")
    if satisfaction not in Satisfaction.values:
        raise Invalid(_("Choose how satisfied you are."), fields={"satisfaction": [_("Choose one.")]})
    solved = data.get("solved")
    if not isinstance(solved, bool):
        raise Invalid(_("Say whether it is solved."), fields={"solved": [_("Yes or no.")]})
    case.satisfaction = satisfaction
    case.solved = solved
    case.rated_at = now
    comment = clean_text(data.get("comment"), limit=1000)
    on_behalf = actor is not None and case.reporter_id != getattr(actor, "pk", None)
    out.data.update(satisfaction=satisfaction, solved=solved, comment=comment, on_behalf=on_behalf)
    if satisfaction == Satisfaction.UNSATISFIED or not solved:
        reason = comment or _("The resident is not satisfied.")
        def reopen_now(c: Case) -> None:
            step(c, "reopen", actor, {"reason": reason, "by_rating": True}, now=now, check_actor=False)

        out.after.append(reopen_now)
    out.notify.append(("rate", _desk(case), _moved(case)))
    return out


def _apply_close(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    reason = data.get("reason_code")
    if reason not in (ClosedReason.RESOLVED, ClosedReason.NOT_RATED):
        reason = ClosedReason.RESOLVED if case.status == "rated" or case.rated_at else ClosedReason.NOT_RATED
    case.closed_at = now
    case.closed_reason = reason
    out.data["closed_reason"] = reason
    out.data["ontime"] = bool(case.handle_due is None or (case.handled_at or now) <= case.handle_due)
    out.notify.append(("close", _reporter(case), _moved(case)))
    return out


def _apply_reopen(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    reason = clean_text(data.get("reason"))
    out.note = out.note or reason
    out.data.update(reason=reason, by_rating=bool(data.get("by_rating")), was=case.status)
    case.reopen_count += 1
    case.closed_at = None
    case.closed_reason = ""
    case.satisfaction = ""
    case.solved = None
    case.rated_at = case.verified_at = case.handled_at = case.signed_at = None
    case.extension_state = ExtensionState.NONE
    case.dispatched_at = now
    deadlines.set_report_deadlines(case, now)
    deadlines.set_dispatch_deadlines(case, now)
    case.first_reply_at = None
    out.auto_reply(_("Your case has been reopened and sent back to %(owner)s.") % {
        "owner": str(case.owner_user or case.owner_department or case.community or "")})
    out.notify.append(("reopen", owner_users(case) + _desk(case), _("Case %(number)s reopened: %(reason)s") % {
        "number": case.number, "reason": reason[:100]}))
    return out


def _apply_comment(case: Case, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = _base(data)
    if not out.note and not out.reply:
        raise Invalid(_("Write a note or a reply."), fields={"note": [_("This field is required.")]})
    if out.reply:
        out.notify.append(("comment", _reporter(case), _("Case %(number)s: a reply for you") % {"number": case.number}))
    return out


APPLY: dict[str, Apply] = {
    "accept": _apply_accept,
    "refuse": _apply_refuse,
    "merge": _apply_merge,
    "dispatch": _apply_dispatch,
    "sign": _apply_sign,
    "return": _apply_return,
    "handle": _apply_handle,
    "report": _apply_report,
    "verify": _apply_verify,
    "rework": _apply_rework,
    "rate": _apply_rate,
    "close": _apply_close,
    "reopen": _apply_reopen,
    "extend": _apply_extend,
    "extend_approve": _apply_extend_approve,
    "extend_reject": _apply_extend_reject,
    "park": _apply_park,
    "unpark": _apply_unpark,
    "supervise": _apply_supervise,
    "summon": _apply_summon,
    "summon_sign": _apply_summon_sign,
    "summon_answer": _apply_summon_answer,
    "comment": _apply_comment,
}


# --- the public doors -------------------------------------------------------------------------------------


def case_transition(*, case: Case | int, name: str, actor: Any, data: dict[str, Any] | None = None) -> Case:
    """Run the transition ``name`` of the table (the API's and the UI's door)."""
    return run_transition(case=case, name=name, actor=actor, data=data)


def case_accept(*, case: Case | int, actor: Any, note: str = "", reply: str = "") -> Case:
    return run_transition(case=case, name="accept", actor=actor, data={"note": note, "reply": reply})


def case_refuse(*, case: Case | int, actor: Any, reason: str, note: str = "") -> Case:
    return run_transition(case=case, name="refuse", actor=actor, data={"reason": reason, "note": note})


def case_merge(*, case: Case | int, target: Case | int, actor: Any, note: str = "") -> Case:
    return run_transition(case=case, name="merge", actor=actor, data={"target": target, "note": note})


def case_dispatch(
    *, case: Case | int, actor: Any, owner_kind: str = "", owner_user: Any = None, owner_department: Any = None,
    note: str = "", outside_grid: bool = False,
) -> Case:
    """Dispatch to an owner; without one, to routing's suggestion."""
    data = {"owner_kind": owner_kind, "owner_user": owner_user, "owner_department": owner_department, "note": note,
            "outside_grid": outside_grid}
    return run_transition(case=case, name="dispatch", actor=actor, data=data)


def case_sign(*, case: Case | int, actor: Any, note: str = "") -> Case:
    return run_transition(case=case, name="sign", actor=actor, data={"note": note})


def case_return(*, case: Case | int, actor: Any, reason: str) -> Case:
    return run_transition(case=case, name="return", actor=actor, data={"reason": reason})


def case_handle(*, case: Case | int, actor: Any, note: str = "", reply: str = "") -> Case:
    return run_transition(case=case, name="handle", actor=actor, data={"note": note, "reply": reply})


def case_report(*, case: Case | int, actor: Any, reply: str, note: str = "", photos: list[Any] | None = None) -> Case:
    """Report the work back (处置反馈) with a public reply and photos."""
    return run_transition(case=case, name="report", actor=actor, data={"reply": reply, "note": note, "photos": photos or []})


def case_verify(*, case: Case | int, actor: Any, note: str = "") -> Case:
    return run_transition(case=case, name="verify", actor=actor, data={"note": note})


def case_rework(*, case: Case | int, actor: Any, reason: str) -> Case:
    return run_transition(case=case, name="rework", actor=actor, data={"reason": reason})


def case_rate(*, case: Case | int, actor: Any, satisfaction: str, solved: bool, comment: str = "") -> Case:
    return run_transition(
        case=case, name="rate", actor=actor, data={"satisfaction": satisfaction, "solved": solved, "comment": comment}
    )


def case_close(*, case: Case | int, actor: Any, note: str = "", reply: str = "") -> Case:
    return run_transition(case=case, name="close", actor=actor, data={"note": note, "reply": reply})


def case_reopen(*, case: Case | int, actor: Any, reason: str) -> Case:
    return run_transition(case=case, name="reopen", actor=actor, data={"reason": reason})


def case_extend(*, case: Case | int, actor: Any, reason: str, days: int) -> Case:
    return run_transition(case=case, name="extend", actor=actor, data={"reason": reason, "days": days})


def case_extend_approve(*, case: Case | int, actor: Any, days: int | None = None, note: str = "") -> Case:
    return run_transition(case=case, name="extend_approve", actor=actor, data={"days": days, "note": note})


def case_extend_reject(*, case: Case | int, actor: Any, reason: str) -> Case:
    return run_transition(case=case, name="extend_reject", actor=actor, data={"reason": reason})


def case_park(*, case: Case | int, actor: Any, reason: str) -> Case:
    return run_transition(case=case, name="park", actor=actor, data={"reason": reason})


def case_unpark(*, case: Case | int, actor: Any, note: str = "") -> Case:
    return run_transition(case=case, name="unpark", actor=actor, data={"note": note})


def case_supervise(*, case: Case | int, actor: Any, note: str, due: datetime | date | str) -> Case:
    return run_transition(case=case, name="supervise", actor=actor, data={"note": note, "due": due})


def case_summon(
    *, case: Case | int, actor: Any, summons: list[dict[str, Any]] | None = None, departments: list[Any] | None = None,
    instruction: str = "", due: datetime | date | str | None = None, note: str = "",
) -> Case:
    """吹哨: ``summons`` = [{"department", "instruction", "due"}, ...] (one instruction and deadline each);
    or ``departments`` with one ``instruction`` and ``due`` for all."""
    data = {"summons": summons or [], "departments": departments or [], "instruction": instruction, "due": due,
            "note": note}
    return run_transition(case=case, name="summon", actor=actor, data=data)


def case_summon_sign(*, case: Case | int, actor: Any, note: str = "") -> Case:
    return run_transition(case=case, name="summon_sign", actor=actor, data={"note": note})


def case_summon_answer(*, case: Case | int, actor: Any, reply: str, note: str = "") -> Case:
    return run_transition(case=case, name="summon_answer", actor=actor, data={"reply": reply, "note": note})


def case_comment(*, case: Case | int, actor: Any, note: str = "", reply: str = "") -> Case:
    """An internal note and/or a public reply, without a change of state."""
    return run_transition(case=case, name="comment", actor=actor, data={"note": note, "reply": reply})



case_spec()  # registered with the runner at import (linli.core.workflow.SPECS)
