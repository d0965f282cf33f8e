"""Party members serving the community (双报到, 五亮五共): commitments shown on the building (亮身份, 亮承诺),
what was done against them (亮行动, 亮业绩), the residents' year-end rating (效果共评, once per household), and
the half-year evaluation of each registered member from their service record, on the one transition runner.

The service record is read through the other apps' selectors: orders and wishes (party's
``service_record``), hours (points' ``hours_by_person``); commitments are evaluation's own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.inserts import insert_many
from linli.core.workflow import Outcome, Spec, run
from linli.evaluation.models import (
    Commitment,
    CommitmentEvent,
    CommitmentLog,
    CommitmentRating,
    MemberEvaluation,
    MemberEvaluationEvent,
)
from linli.evaluation.workflow import (
    COMMITMENT_TRANSITIONS,
    MEMBER_TRANSITIONS,
    PERM_MANAGE,
    CommitmentStatus,
    MemberEvaluationStatus,
    MemberGrade,
)

MAX_COMMITMENTS = 5  # a member's commitments a year
MAX_PREPARE = 2000  # members evaluated in one go


def _actor_name(actor: Any) -> str:
    return str(actor) if getattr(actor, "is_authenticated", False) else "system"


def _staff_over(actor: Any, path: str) -> bool:
    scope = getattr(actor, "scope", None)
    return PERM_MANAGE in getattr(actor, "perms", ()) and scope is not None and scope.covers_path(path)


def half_dates(year: int, half: int) -> tuple[dt.date, dt.date]:
    from linli.party.reports import half_year

    return half_year(year, half)


# --- commitments (亮承诺) and what was done (亮行动, 亮业绩) -----------------------------------------------------------


def _own(member: Any, actor: Any) -> bool:
    from linli.party.selectors import member_for_user

    mine = member_for_user(actor) if actor is not None else None
    return mine is not None and mine.pk == member.pk


def commitment_add(*, member: Any, building: Any, text: str, year: int, actor: Any) -> Commitment:
    """A commitment for the year, for a building: by the member themselves (it waits for the community's
    approval before it is shown) or by community staff (approved as it is made, through the runner)."""
    from linli.places.kinds import PlaceKind

    if member is None or not member.active:
        raise Invalid(_("Choose a serving party member."), fields={"member": [_("Not found.")]})
    own = _own(member, actor)
    errors: dict[str, list[str]] = {}
    if building is None or building.kind != PlaceKind.BUILDING:
        errors["building"] = [_("Choose a building.")]
    elif actor is not None and not own and not _staff_over(actor, building.path):
        raise NotFound(_("Not found."))
    text = " ".join((text or "").split())[:200]
    if not text:
        errors["text"] = [_("This field is required.")]
    if not 2000 <= int(year) <= 2100:
        errors["year"] = [_("Choose a year.")]
    if errors:
        raise Invalid(_("Please check the commitment."), fields=errors)
    with transaction.atomic():
        if Commitment.objects.select_for_update().filter(member=member, year=year, active=True).exclude(
                status=CommitmentStatus.WITHDRAWN).count() >= MAX_COMMITMENTS:
            raise Refused(_("A member makes at most %(n)s commitments a year.") % {"n": MAX_COMMITMENTS},
                          code="too_many")
        c = Commitment.objects.create(member=member, building=building, place_path=building.path, year=year,
                                      text=text, created_by=actor if getattr(actor, "is_authenticated", False) else None)
        audit_record(action="evaluation.commitment_add", actor=actor, actor_name=_actor_name(actor), target=c,
                     detail={"member": member.pk, "building": building.pk})
        if actor is None or _staff_over(actor, building.path):
            c = commitment_transition(commitment=c, name="approve", actor=actor)
    return c


def _commitment_spec() -> Spec:
    return Spec(model=Commitment, event_model=CommitmentEvent, event_fk="commitment", table=COMMITMENT_TRANSITIONS,
                apply={"approve": lambda c, actor, data, now: Outcome(),
                       "withdraw": lambda c, actor, data, now: Outcome(note=str(data.get("reason", "") or "")[:500])},
                audit_prefix="evaluation.commitment", noun=_("commitment"))


def commitment_transition(*, commitment: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Any:
    """Approve a member's commitment (then it is shown on the building) or take it off (with a reason)."""
    return run(_commitment_spec(), obj=commitment, name=name, actor=actor, data=data)


_commitment_spec()  # built at import: the runner knows every table


def commitment_log(*, commitment: Commitment, done_on: dt.date | None, text: str, actor: Any) -> CommitmentLog:
    """亮行动: the member (or staff) records what was done against an approved commitment."""
    own = _own(commitment.member, actor)
    if actor is not None and not own and not _staff_over(actor, commitment.place_path):
        raise PermissionDenied(_("Only the member or the community's staff record what was done."))
    if commitment.status != CommitmentStatus.APPROVED:
        raise Refused(_("What was done is recorded against an approved commitment."), code="refused_transition")
    errors: dict[str, list[str]] = {}
    text = " ".join((text or "").split())[:300]
    if not text:
        errors["text"] = [_("This field is required.")]
    if done_on is None or done_on > timezone.localdate() or done_on.year != commitment.year:
        errors["done_on"] = [_("A day of the commitment's year, not in the future.")]
    if errors or done_on is None:
        raise Invalid(_("Please check what was done."), fields=errors)
    with transaction.atomic():
        log = CommitmentLog.objects.create(commitment=commitment, done_on=done_on, text=text,
                                           logged_by=actor if getattr(actor, "is_authenticated", False) else None)
        audit_record(action="evaluation.commitment_log", actor=actor, actor_name=_actor_name(actor), target=log,
                     detail={"commitment": commitment.pk})
    return log


def rating_open(year: int, today: dt.date | None = None) -> bool:
    """效果共评 runs at the year's end: from 1 December to 31 January of the next year."""
    today = today or timezone.localdate()
    return dt.date(year, 12, 1) <= today <= dt.date(year + 1, 1, 31)


def commitments_rate(*, building: Any, year: int, ratings: dict[int, str], actor: Any,
                     today: dt.date | None = None) -> int:
    """A resident rates the commitments shown on their building for the year, once per household (a unique
    constraint; a second rating, racing ones too, is refused). ``ratings`` maps commitment ids to
    satisfied / basically / unsatisfied. Returns how many were recorded."""
    from linli.residents.selectors import household_id_of_user, household_place_path

    if not rating_open(year, today):
        raise Refused(_("The commitments are rated at the year's end (December to January)."), code="closed")
    household_id = household_id_of_user(actor) if actor is not None else None
    if household_id is None or not household_place_path(household_id).startswith(building.path):
        raise PermissionDenied(_("Only the households of this building rate its members' commitments."))
    valid = {"satisfied", "basically", "unsatisfied"}
    ids = set(Commitment.objects.filter(building=building, year=year, active=True, status=CommitmentStatus.APPROVED)
              .values_list("pk", flat=True))
    clean = {int(k): v for k, v in ratings.items() if str(k).isdigit() and int(k) in ids and v in valid}
    if not clean:
        raise Invalid(_("Rate at least one commitment."), fields={"ratings": [_("Choose a rating.")]})
    now = timezone.now()
    with transaction.atomic():
        if CommitmentRating.objects.filter(commitment_id__in=list(clean), household_id=household_id).exists():
            raise Refused(_("Your household has already rated. Thank you."), code="already_answered")
        try:
            with transaction.atomic():
                insert_many([
                    CommitmentRating(commitment_id=cid, household_id=household_id, value=v, rated_by=actor,
                                     rated_at=now) for cid, v in clean.items()
                ])
        except IntegrityError as exc:
            raise Refused(_("Your household has already rated. Thank you."), code="already_answered") from exc
        audit_record(action="evaluation.commitments_rate", actor=actor, actor_name=_actor_name(actor),
                     target=building, detail={"year": year, "n": len(clean)})
    return len(clean)


# --- the half-year evaluation ---------------------------------------------------------------------------------


def member_evaluations_prepare(*, community: Any, year: int, half: int, actor: Any) -> int:
    """Draft (or refresh the drafts of) the half-year evaluations of the community's registered members
    (双报到) from their service record. Commented and confirmed ones are left as they are. Returns the
    number of drafts written."""
    from linli.orders.selectors import service_record
    from linli.party.selectors import registered_members
    from linli.points.selectors import hours_by_person

    since, until = half_dates(year, half)
    if actor is not None and not _staff_over(actor, community.path):
        raise NotFound(_("Not found."))
    members = registered_members(under=community.path, since=since, until=until, limit=MAX_PREPARE)
    if not members:
        return 0
    ids = [m.pk for m in members]
    record = service_record(ids, since=since, until=until)
    hours = hours_by_person([m.person_id for m in members], since=since, until=until)
    commitments: dict[int, int] = {}
    kept: dict[int, int] = {}
    approved = CommitmentStatus.APPROVED
    for c in Commitment.objects.filter(member_id__in=ids, year=year, active=True, status=approved).values("pk", "member_id"):
        commitments[c["member_id"]] = commitments.get(c["member_id"], 0) + 1
    for member_id, _cid in (CommitmentLog.objects.filter(commitment__member_id__in=ids, commitment__year=year,
                                                        commitment__status=approved, done_on__gte=since,
                                                        done_on__lte=until)
                           .values_list("commitment__member_id", "commitment_id").order_by().distinct()):
        kept[member_id] = kept.get(member_id, 0) + 1
    written = 0
    with transaction.atomic():
        existing = {e.member_id: e for e in MemberEvaluation.objects.select_for_update().filter(
            member_id__in=ids, year=year, half=half)}
        new, changed = [], []
        for m in members:
            figures = dict(record.get(m.pk, {}), hours=Decimal(hours.get(m.person_id, 0) or 0),
                           commitments=commitments.get(m.pk, 0), commitments_kept=kept.get(m.pk, 0))
            ev = existing.get(m.pk)
            if ev is None:
                new.append(MemberEvaluation(member=m, community=community, place_path=community.path, year=year,
                                            half=half, **figures))
            elif ev.status == MemberEvaluationStatus.DRAFT:
                for k, v in figures.items():
                    setattr(ev, k, v)
                changed.append(ev)
        insert_many(new)
        if changed:
            MemberEvaluation.objects.bulk_update(changed, ["orders_done", "orders_rated", "orders_satisfied",
                                                           "wishes_done", "hours", "commitments", "commitments_kept"])
        written = len(new) + len(changed)
        audit_record(action="evaluation.members_prepare", actor=actor, actor_name=_actor_name(actor), target=community,
                     detail={"year": year, "half": half, "drafts": written})
    return written


def _comment(ev: MemberEvaluation, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    grade = str(data.get("grade", "") or "")
    if grade not in MemberGrade.values:
        raise Invalid(_("Choose a grade."), fields={"grade": [_("Choose a grade.")]})
    comment = str(data.get("comment", "") or "").strip()[:1000]
    ev.grade, ev.comment = grade, comment
    ev.commented_by = actor if getattr(actor, "is_authenticated", False) else None
    return Outcome(note=comment[:500], data={"grade": grade})


def _confirm(ev: MemberEvaluation, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    ev.confirmed_at = now
    return Outcome()


def _return(ev: MemberEvaluation, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    return Outcome(note=str(data.get("reason", "") or "")[:500])


def _member_spec() -> Spec:
    return Spec(model=MemberEvaluation, event_model=MemberEvaluationEvent, event_fk="evaluation",
                table=MEMBER_TRANSITIONS, apply={"comment": _comment, "confirm": _confirm, "return": _return},
                audit_prefix="evaluation.member", noun=_("evaluation"), related=("community",))


def member_evaluation_transition(*, evaluation: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Any:
    return run(_member_spec(), obj=evaluation, name=name, actor=actor, data=data)


_member_spec()  # built at import: the runner knows every table
