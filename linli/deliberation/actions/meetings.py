"""Meetings (议事会) and their decisions (定事).

- ``meeting_create`` (any kind), ``residents_day_date`` and ``residents_days_schedule`` (居民议事日: the
  10th of every month, the next working day when the 10th is not one, from ``linli.core.workdays``);
- participants by role (``participant_add``), QR sign-in (``meeting_signin``: a residents' day is open to
  every resident of the community; other meetings to those invited);
- the agenda from topics on the agenda (``agenda_add``); closing the meeting with its minutes marks
  them debated;
- decisions with an owner and a deadline (``decision_record``), carried out (``decision_transition``),
  opening cases (``decision_open_case``), rated by households once carried out (``decision_rate``).
"""

from __future__ import annotations

import datetime
import secrets
from datetime import datetime as DateTime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, Refused
from linli.core.workdays import is_working_day
from linli.core.workflow import Outcome, Spec, run
from linli.deliberation.actions._common import (
    authenticated,
    clean_text,
    community_of,
    page_url,
    place_of,
    require_manage,
    required_text,
    voter_of,
)
from linli.deliberation.models import (
    AgendaItem,
    Decision,
    DecisionCase,
    DecisionEvent,
    DecisionRating,
    Meeting,
    MeetingEvent,
    Participant,
    Topic,
    Vote,
)
from linli.deliberation.workflow import (
    DECISION_TRANSITIONS,
    MEETING_TRANSITIONS,
    SIGNIN_STATUSES,
    DecisionStatus,
    MeetingKind,
    MeetingStatus,
    ParticipantRole,
    Satisfaction,
    TopicStatus,
)
from linli.notifications.actions import notice_queue
from linli.residents.selectors import person_get

RESIDENTS_DAY = 10


def _event(model, fk: str, obj: Any, *, kind: str, actor: Any, note: str = "", data: dict | None = None) -> None:
    model.objects.create(
        **{fk: obj},
        kind=kind,
        actor=actor if authenticated(actor) else None,
        actor_name=(actor.get_username() if authenticated(actor) else "system")[:150],
        at=timezone.now(),
        note=note,
        data=data or {},
    )


# --- the residents' day --------------------------------------------------------------------------------------


def residents_day_date(year: int, month: int) -> datetime.date:
    """The 10th of the month, or the next working day when the 10th is not one (weekends and public
    holidays; a weekend day worked in exchange is a working day)."""
    day = datetime.date(year, month, RESIDENTS_DAY)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _aware_at(day: datetime.date, hour: int = 9) -> DateTime:
    return timezone.make_aware(DateTime.combine(day, datetime.time(hour, 0)))


@transaction.atomic
def residents_days_schedule(*, community: Any, year: int, actor: Any, months: list[int] | None = None) -> list[Meeting]:
    """Schedule the residents' days of ``year`` (each month once: an existing one is left as it is)."""
    where = place_of(community, field="community")
    community = community_of(where)
    require_manage(actor, community.path)
    made = []
    for month in months or range(1, 13):
        day = residents_day_date(year, month)
        exists = Meeting.objects.filter(
            community=community, kind=MeetingKind.RESIDENTS_DAY, starts_at__year=year, starts_at__month=month
        ).exists()
        if exists:
            continue
        made.append(
            _meeting_new(
                community=community,
                kind=MeetingKind.RESIDENTS_DAY,
                title=_("Residents' day, %(month)s") % {"month": day.strftime("%Y-%m")},
                starts_at=_aware_at(day),
                location=_("Community hall"),
                actor=actor,
            )
        )
    return made


# --- meetings ---------------------------------------------------------------------------------------------------


def _meeting_new(*, community, kind, title, starts_at, location, actor) -> Meeting:
    meeting = Meeting.objects.create(
        kind=kind,
        title=title,
        community=community,
        community_path=community.path,
        starts_at=starts_at,
        location=location,
        checkin_token=secrets.token_urlsafe(18)[:24],
        created_by=actor if authenticated(actor) else None,
    )
    _event(MeetingEvent, "meeting", meeting, kind="create", actor=actor)
    audit_record(action="deliberation.meeting_create", actor=actor, actor_name="" if actor is not None else "system",
                 target=meeting, detail={"kind": kind})
    return meeting


@transaction.atomic
def meeting_create(*, actor: Any, community: Any, kind: str, title: str, starts_at: Any, location: str = "") -> Meeting:
    where = place_of(community, field="community")
    community = community_of(where)
    require_manage(actor, community.path)
    errors: dict[str, list[str]] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = [_("Choose the kind of meeting.")]
    if not isinstance(starts_at, DateTime):
        errors["starts_at"] = [_("Enter a date and time.")]
    if errors:
        raise Invalid(_("Please check the meeting."), fields=errors)
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    return _meeting_new(
        community=community,
        kind=kind,
        title=required_text(title, field="title", limit=100),
        starts_at=starts_at,
        location=clean_text(location, limit=100),
        actor=actor,
    )


def _start(meeting: Meeting, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    return Outcome()


def _finish(meeting: Meeting, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    """The minutes close the meeting; the topics it discussed are marked debated."""
    from linli.deliberation.actions.topics import topic_transition

    meeting.minutes = clean_text(data.get("minutes"), limit=20000)
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("topic"))

    def debate(_m: Meeting) -> None:
        for item in items:
            if item.topic.status == TopicStatus.AGENDA:
                topic_transition(
                    topic=item.topic_id, name="debate", actor=actor,
                    data={"note": _("Debated at “%(title)s”") % {"title": meeting.title}},
                )

    return Outcome(note=meeting.minutes[:200], data={"topics": [i.topic_id for i in items]}, after=[debate])


def _cancel_meeting(meeting: Meeting, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    meeting.reason = clean_text(data.get("reason"), limit=300)
    users = list(Participant.objects.filter(meeting=meeting).values_list("user_id", flat=True))
    return Outcome(note=meeting.reason, notify=[("meeting", users, _("The meeting “%(title)s” is cancelled.") % {"title": meeting.title})])


def _meeting_spec() -> Spec:
    return Spec(
        model=Meeting,
        event_model=MeetingEvent,
        event_fk="meeting",
        table=MEETING_TRANSITIONS,
        apply={"start": _start, "finish": _finish, "cancel": _cancel_meeting},
        audit_prefix="deliberation.meeting",
        noun=_("meeting"),
        related=("community",),
        url=lambda obj: page_url("meeting_detail", obj.pk),
    )


def meeting_transition(*, meeting: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Meeting:
    return run(_meeting_spec(), obj=meeting, name=name, actor=actor, data=data)


def _locked_meeting(meeting: Any, actor: Any) -> Meeting:
    pk = getattr(meeting, "pk", meeting)
    if actor is not None and not Meeting.objects.visible_to(actor).filter(pk=pk).exists():
        raise NotFound(_("Not found."))
    found = Meeting.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


@transaction.atomic
def participant_add(
    *, actor: Any, meeting: Any, role: str, name: str = "", person: Any = None, user: Any = None, organisation: str = ""
) -> Participant:
    """Invite a participant by role (a registry person, a login, or a name: the property company's manager)."""

    m = _locked_meeting(meeting, actor)
    require_manage(actor, m.community_path)
    if m.status not in SIGNIN_STATUSES:
        raise Refused(_("The meeting is over."), code="refused")
    if role not in ParticipantRole.values:
        raise Invalid(_("Choose the role."), fields={"role": [_("Choose the role.")]})
    found = None
    if person not in (None, ""):
        found = person_get(person, under=m.community_path)
        if found is None:
            raise Invalid(_("Choose a resident of the community."), fields={"person": [_("Not found.")]})
    label = clean_text(name, limit=64) or (found.name if found else "") or (getattr(user, "display_name", "") if user else "")
    if not label:
        raise Invalid(_("Some required fields are missing."), fields={"name": [_("This field is required.")]})
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                meeting=m, role=role, name=label, person=found, user=user, organisation=clean_text(organisation, limit=100)
            )
    except IntegrityError as exc:
        raise Refused(_("Already invited."), code="duplicate") from exc
    _event(MeetingEvent, "meeting", m, kind="invite", actor=actor, data={"role": role, "participant": participant.pk})
    audit_record(action="deliberation.meeting_invite", actor=actor, target=m, detail={"role": role, "participant": participant.pk})
    return participant


@transaction.atomic
def meeting_signin(*, actor: Any, token: str) -> Participant:
    """Sign in by the meeting's QR code: the invited participant (by login or registry person), or for a
    residents' day any resident of the community (added as a resident). Signing in twice changes nothing."""
    m = Meeting.objects.select_for_update().filter(checkin_token=str(token or "")[:32]).first()
    if m is None or not authenticated(actor):
        raise NotFound(_("Not found."))
    if m.status not in SIGNIN_STATUSES:
        raise Refused(_("Sign-in is closed: the meeting is over."), code="refused")
    from linli.residents.selectors import person_for_user

    person = person_for_user(actor)
    mine = Participant.objects.filter(meeting=m, user=actor).first() or (
        Participant.objects.filter(meeting=m, person=person).first() if person is not None else None
    )
    if mine is None:
        if m.kind != MeetingKind.RESIDENTS_DAY or person is None or not person.place_path.startswith(m.community_path):
            raise Refused(_("You are not invited to this meeting."), code="not_eligible")
        mine = Participant.objects.create(
            meeting=m, role=ParticipantRole.RESIDENT, name=person.name, person=person, user=actor, invited=False
        )
    if mine.signed_in_at is None:
        mine.signed_in_at = timezone.now()
        mine.user = mine.user or actor
        mine.save(update_fields=["signed_in_at", "user"])
        _event(MeetingEvent, "meeting", m, kind="signin", actor=actor, data={"participant": mine.pk})
    return mine


@transaction.atomic
def agenda_add(*, actor: Any, meeting: Any, topic: Any) -> AgendaItem:
    """Put a topic that is on the agenda (列入议程) onto this meeting's agenda."""
    m = _locked_meeting(meeting, actor)
    require_manage(actor, m.community_path)
    if m.status not in SIGNIN_STATUSES:
        raise Refused(_("The meeting is over."), code="refused")
    t = Topic.objects.filter(pk=getattr(topic, "pk", topic), community=m.community).first()
    if t is None:
        raise Invalid(_("Choose a topic of this community."), fields={"topic": [_("Not found.")]})
    if t.status != TopicStatus.AGENDA:
        raise Refused(_("Only a topic on the agenda can be discussed: put it on the agenda first."), code="refused")
    position = AgendaItem.objects.filter(meeting=m).count() + 1
    try:
        with transaction.atomic():
            item = AgendaItem.objects.create(meeting=m, topic=t, position=position)
    except IntegrityError as exc:
        raise Refused(_("This topic is already on the meeting's agenda."), code="duplicate") from exc
    _event(MeetingEvent, "meeting", m, kind="agenda", actor=actor, data={"topic": t.pk})
    audit_record(action="deliberation.meeting_agenda", actor=actor, target=m, detail={"topic": t.pk})
    return item


# --- decisions -------------------------------------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    text: str,
    owner_name: str,
    deadline: Any,
    meeting: Any = None,
    topic: Any = None,
    vote: Any = None,
    owner: Any = None,
) -> Decision:
    """Record a decision (定事) of a meeting (held or in session) and/or a closed vote, on a topic, with an
    owner and a deadline. The topic moves to decided."""
    from linli.deliberation.actions.topics import topic_transition

    m = Meeting.objects.filter(pk=getattr(meeting, "pk", meeting)).first() if meeting not in (None, "") else None
    v = Vote.objects.filter(pk=getattr(vote, "pk", vote)).first() if vote not in (None, "") else None
    t = Topic.objects.filter(pk=getattr(topic, "pk", topic)).first() if topic not in (None, "") else None
    anchor = m or v or t
    if anchor is None:
        raise Invalid(_("A decision belongs to a meeting, a vote or a topic."), fields={"meeting": [_("This field is required.")]})
    community = anchor.community
    if actor is not None and not anchor.__class__.objects.visible_to(actor).filter(pk=anchor.pk).exists():
        raise NotFound(_("Not found."))
    require_manage(actor, community.path)
    errors: dict[str, list[str]] = {}
    for other in (m, v, t):
        if other is not None and other.community_id != community.pk:
            errors["topic"] = [_("Everything must belong to the same community.")]
    if m is not None and m.status not in (MeetingStatus.IN_SESSION, MeetingStatus.HELD):
        errors["meeting"] = [_("Record decisions at or after the meeting.")]
    if v is not None and v.status not in ("closed", "published"):
        errors["vote"] = [_("The vote is not counted yet.")]
    if not isinstance(deadline, datetime.date):
        errors["deadline"] = [_("Enter a date.")]
    text = clean_text(text, limit=4000)
    if not text:
        errors["text"] = [_("This field is required.")]
    owner_name = clean_text(owner_name, limit=64) or (getattr(owner, "display_name", "") if owner else "")
    if not owner_name:
        errors["owner_name"] = [_("Who carries it out?")]
    if errors:
        raise Invalid(_("Please check the decision."), fields=errors)
    decision = Decision.objects.create(
        text=text, community=community, community_path=community.path, meeting=m, topic=t, vote=v,
        owner=owner, owner_name=owner_name, deadline=deadline,
    )
    _event(DecisionEvent, "decision", decision, kind="record", actor=actor)
    audit_record(action="deliberation.decision_record", actor=actor, actor_name="" if actor is not None else "system",
                 target=decision, detail={"meeting": getattr(m, "pk", None), "vote": getattr(v, "pk", None), "topic": getattr(t, "pk", None)})
    if t is not None and t.status == TopicStatus.DEBATED:
        topic_transition(topic=t.pk, name="decide", actor=actor, data={"note": text})
    notice_queue(ref=f"deliberation.decision:{decision.pk}", kind="decision", user_ids=[getattr(owner, "pk", None)],
                 text=_("A decision for you to carry out by %(date)s: %(text)s") % {"date": deadline, "text": text[:60]},
                 url=page_url("decision_detail", decision.pk), exclude=getattr(actor, "pk", None))
    return decision


def _carry_out(decision: Decision, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    decision.outcome = clean_text(data.get("note"), limit=4000)
    return Outcome(note=decision.outcome)


def _cancel_decision(decision: Decision, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    decision.reason = clean_text(data.get("reason"), limit=300)
    return Outcome(note=decision.reason)


def _decision_spec() -> Spec:
    return Spec(
        model=Decision,
        event_model=DecisionEvent,
        event_fk="decision",
        table=DECISION_TRANSITIONS,
        apply={"carry_out": _carry_out, "cancel": _cancel_decision},
        audit_prefix="deliberation.decision",
        noun=_("decision"),
        related=("community",),
        url=lambda obj: page_url("decision_detail", obj.pk),
    )


def decision_transition(*, decision: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Decision:
    return run(_decision_spec(), obj=decision, name=name, actor=actor, data=data)


@transaction.atomic
def decision_open_case(*, actor: Any, decision: Any, category: Any, title: str, place: Any = None, description: str = "") -> DecisionCase:
    """Carry out a decision through the closed loop: a case (entered by staff) linked to the decision."""
    from linli.cases.actions import case_create

    d = Decision.objects.select_for_update().filter(pk=getattr(decision, "pk", decision)).first()
    if d is None or (actor is not None and not Decision.objects.visible_to(actor).filter(pk=d.pk).exists()):
        raise NotFound(_("Not found."))
    require_manage(actor, d.community_path)
    if d.status != DecisionStatus.OPEN:
        raise Refused(_("This decision is no longer being carried out."), code="refused")
    where = place_of(place) if place not in (None, "") else d.community
    if not where.path.startswith(d.community_path):
        raise Invalid(_("The place must lie within the community."), fields={"place": [_("Outside the community.")]})
    case = case_create(
        actor=actor,
        channel="proxy",
        category=category,
        title=required_text(title, field="title", limit=100),
        description=clean_text(description, limit=4000) or _("Decided by the community: %(text)s") % {"text": d.text[:3000]},
        place=where,
    )
    link = DecisionCase.objects.create(decision=d, case=case)
    _event(DecisionEvent, "decision", d, kind="case", actor=actor, data={"case": case.pk, "number": case.number})
    audit_record(action="deliberation.decision_case", actor=actor, target=d, detail={"case": case.pk})
    return link


def decision_rate(*, actor: Any, decision: Any, satisfaction: str, comment: str = "") -> DecisionRating:
    """A household of the community rates a carried-out decision (群众评事), once."""
    pk = getattr(decision, "pk", decision)
    person, key = voter_of(actor)
    if satisfaction not in Satisfaction.values:
        raise Invalid(_("Choose how satisfied you are."), fields={"satisfaction": [_("Choose one.")]})
    with transaction.atomic():
        if not Decision.objects.visible_to(actor).filter(pk=pk).exists():
            raise NotFound(_("Not found."))
        d = Decision.objects.select_for_update().get(pk=pk)
        if d.status != DecisionStatus.DONE:
            raise Refused(_("A decision is rated once it has been carried out."), code="refused")
        if not person.place_path.startswith(d.community_path):
            raise Refused(_("Only residents of the community rate its decisions."), code="not_eligible")
        try:
            with transaction.atomic():
                rating = DecisionRating.objects.create(
                    decision=d, voter_key=key, person=person, satisfaction=satisfaction,
                    comment=clean_text(comment, limit=300), at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Refused(_("Your household has already rated this decision."), code="duplicate") from exc
        good = satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
        Decision.objects.filter(pk=pk).update(rating_count=F("rating_count") + 1, satisfied_count=F("satisfied_count") + int(good))
        _event(DecisionEvent, "decision", d, kind="rate", actor=actor, data={"satisfaction": satisfaction})
        audit_record(action="deliberation.decision_rate", actor=actor, target=d, detail={"household": key})
    return rating
