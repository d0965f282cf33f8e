"""Every write of the mediation app.

- ``dispute_file``: a dispute enters the ledger (受理登记), from a walk-in, a screening, a case, 12345 or a
  referral; ``dispute_from_case`` turns a case into one, keeping the link and one timeline;
- ``dispute_transition``: every other step, one row of ``workflow.TRANSITIONS``, through the one runner
  (``linli.core.workflow.run``): scope, lock + compare-and-set, event row, audit row, notices;
- ``disputes_escalate_overdue``: the periodic task's action (overdue ones turn red and escalate);
- ``party_reveal``: the parties' names and phones unmasked, audited.

Screening, the team and the agreement's serial live in ``actions_screening.py`` / ``actions_team.py`` /
``agreement.py``. ``actor=None`` is the system (tasks, the demo).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.models import AuditResult
from linli.core.text import trimmed_text
from linli.core.workdays import is_working_day
from linli.core.workflow import Outcome, Spec, event_write, run
from linli.mediation.access import can_file, can_unmask
from linli.mediation.workflow import (
    ESCALATION_LADDER,
    FILED,
    MEDIATED_METHODS,
    PERM_HANDLE,
    PERM_MANAGE,
    PERM_UNMASK,
    TRANSITIONS,
    AgreementForm,
    DisputeKind,
    DisputeSource,
    DisputeStatus,
    EscalationLevel,
    Method,
    RiskLevel,
    escalation_due,
    escalation_ladder,
    escalation_rank,
)
from linli.mediation.workflow import Outcome as Result
from linli.places.selectors import places_by_ids
from linli.residents.selectors import person_get

clean_text = trimmed_text  # the app's name for the shared piece

logger = logging.getLogger("linli.mediation")

POINTS_RULE = "area_mediation"  # 调解纠纷, one of the five areas of the points rules
_PHONE = re.compile(r"^1[3-9][0-9]{9}$|^0[0-9]{2,3}-?[0-9]{7,8}$")


# --- notices: through the one outbox (``linli.notifications``), inside the action's transaction -------------


def _notify(*, ref: str, kind: str, user_ids: Iterable[int | None], text: str, exclude: int | None = None,
            url: str = "") -> None:
    """Queue notices to these users in the outbox (written in the caller's transaction; delivered by the
    worker after the commit)."""
    from linli.notifications.actions import notice_queue

    notice_queue(user_ids=user_ids, kind=kind, ref=ref, text=text, url=url, exclude=exclude)


def dispute_url(dispute: Any) -> str:
    from django.urls import reverse

    return reverse("mediation:dispute_detail", args=[dispute.pk])


def users_over(path: str, perm: str, *, kinds: frozenset[str] | None = None) -> list[int]:
    """Users holding ``perm`` through a role bound at or above ``path`` (``linli.accounts.selectors``)."""
    from linli.accounts.selectors import users_over as accounts_users_over

    return accounts_users_over(path, perm, kinds=kinds)


def _team_users(dispute: Any) -> list[int | None]:
    ids: list[int | None] = []
    if dispute.lead_id is not None:
        ids.append(dispute.lead.user_id)
    ids += list(dispute.helpers.values_list("user_id", flat=True))
    return ids


# --- small parsers ------------------------------------------------------------------------------------------



def parse_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise Invalid(_("Enter a valid date."), fields={field: [_("Enter a valid date.")]}) from exc


def parse_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in {"1", "true", "yes", "on", "y"}:
        return True
    if text in {"0", "false", "no", "off", "n"}:
        return False
    raise Invalid(_("Answer yes or no."), fields={field: [_("Answer yes or no.")]})


def add_month(day: dt.date) -> dt.date:
    """The same day one calendar month later (the month's last day when it has none: 31 Jan → 28 Feb)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def deadline_from(accepted: dt.date) -> dt.date:
    """One month to settle from acceptance (人民调解: 一般在一个月内调结); a deadline on a holiday or weekend
    moves to the next working day (the 2026 National Day: accepted 3 Sept, due Thursday 8 Oct)."""
    return next_working_day(add_month(accepted))


# --- the runner's spec --------------------------------------------------------------------------------------


def _moved(dispute: Any) -> str:
    return _("Dispute %(number)s: %(status)s") % {"number": dispute.number, "status": dispute.get_status_display()}


def _mediator(dispute: Any, value: Any, field: str):
    from linli.mediation.models import Mediator

    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError) as exc:
        raise Invalid(_("Choose a mediator."), fields={field: [_("Choose a mediator.")]}) from exc
    mediator = Mediator.objects.filter(pk=pk, active=True).first()
    if mediator is None or not (
        dispute.place_path.startswith(mediator.place_path) or mediator.place_path.startswith(dispute.community.path)
    ):
        raise Invalid(_("Choose a mediator of this community."), fields={field: [_("Not found.")]})
    return mediator


def _helpers(dispute: Any, values: Any) -> list[Any]:
    if values in (None, ""):
        return []
    if isinstance(values, str | int):
        values = [v for v in str(values).split(",") if v.strip()]
    return [_mediator(dispute, v, "helpers") for v in values]


def _apply_accept(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    d.accepted_at = now
    d.due_on = deadline_from(timezone.localtime(now).date())
    out = Outcome(note=clean_text(data.get("note")), data={"due_on": d.due_on.isoformat()})
    if data.get("lead"):
        d.lead = _mediator(d, data["lead"], "lead")
        out.data["lead"] = d.lead.pk
        out.notify.append(("assign", [d.lead.user_id], _("A dispute for you to mediate: %(n)s") % {"n": d.number}))
    return out


def _apply_refuse(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    d.reason = clean_text(data["reason"])
    return Outcome(note=d.reason, notify=[("refuse", [d.created_by_id], _moved(d))])


def _apply_assign(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    d.lead = _mediator(d, data["lead"], "lead")
    helpers = [h for h in _helpers(d, data.get("helpers")) if h.pk != d.lead.pk]

    def set_helpers(obj: Any) -> None:
        obj.helpers.set(helpers)

    return Outcome(
        data={"lead": d.lead.pk, "helpers": [h.pk for h in helpers]},
        after=[set_helpers],
        notify=[("assign", [d.lead.user_id, *[h.user_id for h in helpers]],
                 _("A dispute for you to mediate: %(n)s") % {"n": d.number})],
    )


def _apply_triage(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    method = str(data.get("method") or "")
    if method not in MEDIATED_METHODS:
        raise Invalid(_("Choose how it is mediated."), fields={"method": [_("Choose how it is mediated.")]})
    if data.get("lead"):
        d.lead = _mediator(d, data["lead"], "lead")
    if d.lead_id is None and d.lead is None:
        raise Invalid(_("Assign a lead mediator first."), fields={"lead": [_("This field is required.")]})
    d.method = method
    return Outcome(note=clean_text(data.get("note")), data={"method": method})


def _apply_refer(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    d.method = Method.REFERRAL
    d.referred_to = clean_text(data["referred_to"], limit=120)
    return Outcome(note=clean_text(data.get("note")), data={"referred_to": d.referred_to})


def _apply_session(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    from linli.mediation.models import MediationSession

    held_on = parse_date(data["held_on"], "held_on")
    today = timezone.localtime(now).date()
    if held_on > today or held_on < timezone.localtime(d.reported_at).date():
        raise Invalid(_("The session date must lie between the registration and today."),
                      fields={"held_on": [_("Out of range.")]})
    session = MediationSession.objects.create(
        dispute=d, held_on=held_on, venue=clean_text(data.get("venue"), limit=120),
        participants=clean_text(data.get("participants")), notes=clean_text(data["notes"]),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return Outcome(note=session.notes[:500], data={"session": session.pk, "held_on": held_on.isoformat()})


def _award(d: Any, actor: Any) -> None:
    """Points in the 调解纠纷 area for the lead and each helper with a registry person, once per dispute and
    person (the ledger source is unique per dispute and mediator; settling happens once, under the runner's
    compare-and-set)."""
    from linli.points.actions import points_award

    team = [d.lead] if d.lead_id is not None else []
    team += list(d.helpers.all())
    awarded: set[int] = set()
    for m in team:
        if m.person_id is not None and m.person_id not in awarded:  # one person on two rows earns once
            awarded.add(m.person_id)
            points_award(person_id=m.person_id, rule_code=POINTS_RULE, source=f"mediation.dispute:{d.pk}:{m.pk}",
                         actor=actor, note=d.number)


def _apply_settle(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    from linli.mediation.agreement import agreement_create

    form = str(data.get("form") or "")
    if form not in AgreementForm.values:
        raise Invalid(_("Written or oral?"), fields={"form": [_("Choose written or oral.")]})
    due = parse_date(data["performance_due"], "performance_due") if data.get("performance_due") else None
    today = timezone.localtime(now).date()
    if due is not None and due < today:
        raise Invalid(_("The date to fulfil it by is in the past."), fields={"performance_due": [_("Out of range.")]})
    d.outcome = Result.SETTLED
    d.outcome_at = now
    terms = clean_text(data["terms"])
    facts = clean_text(data.get("facts")) or d.facts

    def write(obj: Any) -> None:
        agreement_create(dispute=obj, form=form, terms=terms, facts=facts, performance_due=due, signed_on=today)
        _award(obj, actor)

    return Outcome(note=terms[:500], data={"form": form}, after=[write],
                   notify=[("settle", users_over(d.place_path, PERM_MANAGE), _moved(d))])


def _apply_fail(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    d.outcome = Result.FAILED
    d.outcome_at = now
    d.reason = clean_text(data["reason"])
    return Outcome(note=d.reason, notify=[("fail", users_over(d.place_path, PERM_MANAGE), _moved(d))])


def _apply_extend(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    errors = {}
    for key in ("applicant_consent", "respondent_consent"):
        if not parse_bool(data.get(key), key):
            errors[key] = [_("Both parties must agree to the extension.")]
    if errors:
        raise Invalid(_("An extension needs both parties' consent."), fields=errors)
    if d.due_on is None:
        raise Invalid(_("This dispute has no deadline yet."))
    old = d.due_on
    d.due_on = next_working_day(add_month(old))
    d.extended = True
    d.escalated_at = None
    d.escalation_level = ""
    return Outcome(note=clean_text(data.get("note")),
                   data={"from": old.isoformat(), "to": d.due_on.isoformat(), "applicant_consent": True,
                         "respondent_consent": True})


def _apply_follow_up(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    d.fulfilled = parse_bool(data.get("fulfilled"), "fulfilled")
    d.followed_up_at = now
    return Outcome(note=clean_text(data["note"]), data={"fulfilled": d.fulfilled})


def _apply_archive(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    d.archived_at = now
    return Outcome(note=clean_text(data.get("note")))


def _apply_withdraw(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    d.reason = clean_text(data["reason"])
    return Outcome(note=d.reason, notify=[("withdraw", _team_users(d), _moved(d))])


def _apply_escalate(d: Any, actor: Any, data: dict[str, Any], now: dt.datetime) -> Outcome:
    """Up the ladder to ``data["level"]`` (by default the next rung; several rungs when the task did not run
    for days): grid → community → street. Each level's people are told (the team at every level); a level
    reached is never told twice."""
    current = escalation_rank(d.escalation_level)
    level = str(data.get("level") or "")
    if not level:
        if current >= len(ESCALATION_LADDER):
            raise Refused(_("This dispute has already been escalated to the street."), code="escalated")
        level = str(ESCALATION_LADDER[current][0])
    if escalation_rank(level) == 0:
        raise Invalid(_("Unknown escalation level."), fields={"level": [_("Unknown escalation level.")]})
    if escalation_rank(level) <= current:
        raise Refused(_("This dispute has already been escalated to this level."), code="escalated")
    told: list[int | None] = _team_users(d)
    for _level, _days, perm, kinds in escalation_ladder()[current:escalation_rank(level)]:
        told += users_over(d.place_path, perm, kinds=kinds)
    previous = d.escalation_level
    d.escalated_at = now
    d.escalation_level = level
    text = _("Dispute %(n)s is overdue (due %(due)s): %(level)s") % {
        "n": d.number, "due": d.due_on, "level": EscalationLevel(level).label}
    return Outcome(data={"due_on": d.due_on.isoformat() if d.due_on else None, "level": level, "from": previous},
                   notify=[("overdue", told, text)])


_APPLY = {
    "accept": _apply_accept,
    "refuse": _apply_refuse,
    "assign": _apply_assign,
    "triage": _apply_triage,
    "refer": _apply_refer,
    "session": _apply_session,
    "settle": _apply_settle,
    "fail": _apply_fail,
    "extend": _apply_extend,
    "follow_up": _apply_follow_up,
    "archive": _apply_archive,
    "withdraw": _apply_withdraw,
    "escalate": _apply_escalate,
}
assert set(_APPLY) == set(TRANSITIONS), "every row of the table has its apply"


def _spec() -> Spec:
    from linli.mediation.models import Dispute, DisputeEvent

    return Spec(
        model=Dispute,
        event_model=DisputeEvent,
        event_fk="dispute",
        table=TRANSITIONS,
        apply=_APPLY,  # type: ignore[arg-type]
        audit_prefix="mediation.dispute",
        noun=_("dispute"),
        related=("community", "lead"),
        url=dispute_url,
    )


def dispute_transition(*, dispute: Any, name: str, actor: Any, data: dict[str, Any] | None = None):
    """Run one row of the table on ``dispute`` (an instance or an id)."""
    return run(_spec(), obj=dispute, name=name, actor=actor, data=data)


# --- filing -------------------------------------------------------------------------------------------------


def _clean_parties(parties: list[dict[str, Any]], actor: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    from linli.mediation.models import PartyRole

    out = []
    for i, raw in enumerate(parties or []):
        role = raw.get("role") or PartyRole.APPLICANT
        if role not in PartyRole.values:
            errors[f"parties.{i}.role"] = [_("Applicant or respondent?")]
            continue
        person = None
        pid = raw.get("person_id") or raw.get("person")
        if pid:
            person = person_get(pid, user=actor) if actor is not None else person_get(getattr(pid, "pk", pid))
            if person is None:
                errors[f"parties.{i}.person_id"] = [_("Not found.")]
                continue
        name = clean_text(raw.get("name"), limit=64)
        phone = re.sub(r"[\s-]", "", clean_text(raw.get("phone"), limit=20))
        organisation = clean_text(raw.get("organisation"), limit=120)
        if person is None and not name and not organisation:
            errors[f"parties.{i}.name"] = [_("A registry person, a name or an organisation.")]
            continue
        if phone and not _PHONE.match(phone):
            errors[f"parties.{i}.phone"] = [_("Enter a valid phone number.")]
            continue
        out.append({"role": role, "person": person, "name": "" if person else name,
                    "phone": "" if person else phone, "organisation": organisation})
    if not any(p["role"] == PartyRole.APPLICANT for p in out) and not errors:
        errors["parties"] = [_("Name at least the applicant.")]
    return out


def _places_above(place: Any) -> tuple[Any, Any, Any]:
    """(grid, community, compound) of a place."""
    from linli.places.kinds import PlaceKind

    ids = [place.pk, *place.ancestor_ids()]
    found = {p.kind: p for p in places_by_ids(ids, kinds=[PlaceKind.GRID, PlaceKind.COMMUNITY,
                                                                          PlaceKind.COMPOUND])}
    return found.get(PlaceKind.GRID), found.get(PlaceKind.COMMUNITY), found.get(PlaceKind.COMPOUND)


def _number(community: Any, year: int) -> str:
    from linli.mediation.agreement import sequence_draw

    return f"{year}-{sequence_draw(community=community, year=year, kind='dispute'):04d}"


def dispute_file(
    *,
    actor: Any,
    kind: str,
    facts: str,
    place: Any,
    parties: list[dict[str, Any]],
    title: str = "",
    source: str = DisputeSource.WALK_IN,
    risk: str = RiskLevel.LOW,
    amount: Any = None,
    address: str = "",
    case: Any = None,
    screening: Any = None,
    reported_at: dt.datetime | None = None,
):
    """Register a dispute in the ledger (受理登记): grid workers, mediators and community staff in scope."""
    from linli.mediation.models import Dispute, DisputeParty
    from linli.places.selectors import place_get

    errors: dict[str, list[str]] = {}
    if kind not in DisputeKind.values:
        errors["kind"] = [_("Choose a kind.")]
    if source not in DisputeSource.values:
        errors["source"] = [_("Choose a source.")]
    if risk not in RiskLevel.values:
        errors["risk"] = [_("Choose a risk level.")]
    facts = clean_text(facts)
    if not facts:
        errors["facts"] = [_("This field is required.")]
    title = clean_text(title, limit=100) or facts[:30]
    value: Decimal | None = None
    if amount not in (None, ""):
        try:
            value = Decimal(str(amount)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["amount"] = [_("Enter an amount in yuan.")]
        else:
            if value < 0 or value >= Decimal("1e10") or not value.is_finite():
                errors["amount"] = [_("Enter an amount in yuan.")]
    where = place_get(place)
    if where is None:
        errors["place"] = [_("Where did it happen? Choose the place.")]
    clean_parties = _clean_parties(parties, actor, errors)
    if errors:
        raise Invalid(_("Please check the dispute."), fields=errors)
    assert where is not None
    if actor is not None and not can_file(actor, where.path):
        if can_file(actor):
            raise NotFound(_("Not found."))
        raise PermissionDenied(_("You may not register disputes."))
    grid, community, compound = _places_above(where)
    if community is None:
        raise Invalid(_("Choose a place inside a community."), fields={"place": [_("Not in a community.")]})
    now = timezone.now()
    at = reported_at or now
    with transaction.atomic():
        dispute = Dispute.objects.create(
            number=_number(community, timezone.localtime(at).year), title=title, kind=kind, facts=facts,
            source=source, risk=risk, amount=value, place=where, place_path=where.path, grid=grid,
            community=community, compound=compound, address=clean_text(address, limit=200),
            case=case, screening=screening,
            created_by=actor if getattr(actor, "is_authenticated", False) else None, reported_at=at,
        )
        DisputeParty.objects.bulk_create([DisputeParty(dispute=dispute, **p) for p in clean_parties])
        event_write(_spec(), dispute, kind=FILED, actor=actor, at=at, to_status=dispute.status,
                    data={"source": source, "case": getattr(case, "pk", None)})
        audit_record(action="mediation.dispute_file", actor=actor, actor_name="" if actor is not None else "system",
                     target=dispute, detail={"kind": kind, "source": source})
        _notify(ref=f"mediation.dispute:{dispute.pk}", kind="file", user_ids=users_over(where.path, PERM_HANDLE),
                text=_("New dispute %(n)s: %(title)s") % {"n": dispute.number, "title": title},
                exclude=getattr(actor, "pk", None), url=dispute_url(dispute))
    return dispute


# --- overdue ------------------------------------------------------------------------------------------------


def disputes_escalate_overdue(*, today: dt.date | None = None) -> int:
    """Escalate every open dispute past its deadline up the ladder (grid, community, street: the days in
    ``workflow.ESCALATION_LADDER``), each level once (until an extension gives a new deadline). Returns
    how many escalations were made."""
    from linli.core.errors import DomainError
    from linli.mediation.models import Dispute

    today = today or timezone.localdate()
    first_days = escalation_ladder()[0][1]
    rows = list(
        Dispute.objects.filter(status__in=[DisputeStatus.ACCEPTED, DisputeStatus.MEDIATING],
                               due_on__lte=today - dt.timedelta(days=first_days))
        .exclude(escalation_level=ESCALATION_LADDER[-1][0])
        .order_by("due_on", "pk").values_list("pk", "due_on", "escalation_level")[:5000]
    )
    done = 0
    for pk, due_on, level in rows:
        if due_on is None:
            continue
        target = escalation_due((today - due_on).days)
        if escalation_rank(target) <= escalation_rank(level):
            continue
        try:
            dispute_transition(dispute=pk, name="escalate", actor=None, data={"level": target})
        except DomainError:  # moved on meanwhile (settled, extended, escalated by another run)
            continue
        done += 1
    return done


# --- the parties unmasked -----------------------------------------------------------------------------------


def party_reveal(*, actor: Any, party: Any) -> dict[str, str]:
    """The party's name and phone unmasked, for ``mediation.unmask`` over the dispute; audited either way."""
    detail = {"field": "name,phone", "perm": PERM_UNMASK}
    if not can_unmask(actor, party.dispute):
        audit_record(action="pii.unmask", actor=actor, target=party, result=AuditResult.DENIED, detail=detail)
        raise PermissionDenied(_("You may not see this personal data unmasked."))
    audit_record(action="pii.unmask", actor=actor, target=party, detail=detail)
    person = party.person
    return {"name": party.full_name(), "phone": (person.phone if person is not None else party.phone) or ""}


# --- a case becomes a dispute -------------------------------------------------------------------------------


def dispute_from_case(*, actor: Any, case_id: Any, kind: str, parties: list[dict[str, Any]], risk: str = RiskLevel.LOW,
                      amount: Any = None, title: str = "", facts: str = ""):
    """Turn a case the actor can see into a dispute: the dispute keeps the link (and shows the case's events
    before its own: one timeline), the case gets a note and a reply through the cases' own transition
    (``comment``) naming the dispute. A case becomes at most one dispute. The actor is a person (their
    view of the case decides)."""
    from django.http import Http404

    from linli.cases.access import access_case
    from linli.cases.actions import case_transition
    from linli.core.errors import Refused
    from linli.mediation.models import Dispute

    try:
        case = access_case(actor, case_id)
    except Http404 as exc:
        raise NotFound(_("Not found.")) from exc
    with transaction.atomic():
        existing = Dispute.objects.filter(case_id=case.pk).first()
        if existing is not None:
            raise Refused(_("This case is already dispute %(n)s.") % {"n": existing.number}, code="refused")
        dispute = dispute_file(
            actor=actor, kind=kind, facts=facts or case.description or case.title, title=title or case.title,
            place=case.place or case.grid or case.community, parties=parties, source=DisputeSource.CASE,
            risk=risk, amount=amount, case=case,
        )
        # A closed case takes no new note (Refused); the dispute still links to it.
        with contextlib.suppress(Refused):
            case_transition(case=case.pk, name="comment", actor=None, data={
                "note": _("Turned into dispute %(n)s for mediation.") % {"n": dispute.number},
                "reply": _("What you reported is now in the hands of the community's mediators."),
            })
    return dispute

