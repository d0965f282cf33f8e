"""The 大党委's joint meetings (联席会): monthly, chaired by the units in turn (按月轮值); the problems a
meeting assigns are filed as cases of the closed loop (channel ``joint_meeting``) and tracked there."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid
from linli.party.actions._common import clean_text, place_of, require_manage, required_text
from linli.party.models import JointMeeting, MeetingProblem, Partner
from linli.places.kinds import PlaceKind


def meeting_create(
    *,
    community: Any,
    held_on: datetime.date,
    title: str,
    actor: Any,
    attendees: list[Partner] | None = None,
    minutes: str = "",
) -> JointMeeting:
    """Record a joint meeting; its chair is the unit whose turn the meeting's month is."""
    from linli.party.selectors import chair_for_month

    where = place_of(community, field="community")
    if where.kind != PlaceKind.COMMUNITY:
        raise Invalid(_("Choose a community."), fields={"community": [_("Not a community.")]})
    require_manage(actor, where.path)
    title = required_text(title, field="title", limit=120)
    if held_on is None:
        raise Invalid(
            _("Some required fields are missing."), fields={"held_on": [_("This field is required.")]}
        )
    units = list(attendees or [])
    if any(p.community_id != where.pk or not p.big_committee for p in units):
        raise Invalid(
            _("Every unit present must be a member unit of this community's joint committee."),
            fields={"attendees": [_("Not a member unit here.")]},
        )
    with transaction.atomic():
        meeting = JointMeeting.objects.create(
            community=where,
            place_path=where.path,
            held_on=held_on,
            title=title,
            chair=chair_for_month(where, held_on),
            minutes=clean_text(minutes, limit=20000),
            created_by=actor if actor is not None else None,
        )
        meeting.attendees.set(units)
        audit_record(
            action="party.meeting_create",
            actor=actor,
            target=meeting,
            detail={
                "held_on": held_on.isoformat(),
                "chair": meeting.chair_id,
                "present": [p.pk for p in units],
            },
        )
    return meeting


def meeting_update(
    *, meeting: JointMeeting, actor: Any, minutes: str | None = None, attendees: list[Partner] | None = None
) -> JointMeeting:
    require_manage(actor, meeting.place_path)
    with transaction.atomic():
        locked = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
        if minutes is not None:
            locked.minutes = clean_text(minutes, limit=20000)
            locked.save(update_fields=["minutes"])
        if attendees is not None:
            if any(p.community_id != locked.community_id or not p.big_committee for p in attendees):
                raise Invalid(
                    _("Every unit present must be a member unit of this community's joint committee."),
                    fields={"attendees": [_("Not a member unit here.")]},
                )
            locked.attendees.set(attendees)
        audit_record(
            action="party.meeting_update",
            actor=actor,
            target=locked,
            detail={"present": [p.pk for p in locked.attendees.all()]},
        )
    return locked


def meeting_problem_file(
    *,
    meeting: JointMeeting,
    title: str,
    category: Any,
    actor: Any,
    description: str = "",
    place: Any = None,
    partner: Partner | None = None,
) -> MeetingProblem:
    """File a problem the meeting assigned as a case (through the cases app's intake) and link it to the
    meeting. The case then runs the closed loop like every other: dispatch, deadlines, rating."""
    from linli.cases.actions import case_create

    require_manage(actor, meeting.place_path)
    title = required_text(title, field="title", limit=100)
    where = place_of(place) if place not in (None, "") else meeting.community
    if not where.path.startswith(meeting.place_path):
        raise Invalid(
            _("The place must lie within the community."), fields={"place": [_("Outside the community.")]}
        )
    if partner is not None and partner.community_id != meeting.community_id:
        raise Invalid(
            _("Every unit must be a partner of this community."),
            fields={"partner": [_("Not a partner here.")]},
        )
    with transaction.atomic():
        case = case_create(
            actor=actor,
            channel="joint_meeting",
            category=category,
            title=title,
            description=clean_text(description, limit=4000) or title,
            place=where,
        )
        problem = MeetingProblem.objects.create(meeting=meeting, case=case, partner=partner)
        audit_record(
            action="party.meeting_problem_file",
            actor=actor,
            target=meeting,
            detail={"case": case.pk, "number": case.number, "partner": getattr(partner, "pk", None)},
        )
    return problem
