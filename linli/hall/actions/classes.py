"""Classes (培训班): employment and skills classes, interest classes taught by the 讲师团.

- ``course_save``: staff (``classes.manage``) create or edit a class of their area (quota, dates, lecturer);
- ``course_enrol``: a resident enrols on the phone (``classes.enrol``), or staff register a walk-in; the
  quota holds under racing enrolments (a compare-and-set ``enrolled < quota`` on the class's row, and a
  check constraint behind it);
- ``session_add``: a session with its QR code; ``attendance_checkin``: the enrolled scan it;
  ``attendance_mark``: staff mark someone present by hand;
- ``course_transition`` / ``enrolment_transition``: the rows of ``workflow.COURSE_TRANSITIONS`` and
  ``ENROLMENT_TRANSITIONS`` through the one runner. Finishing a class completes the enrolments of those
  who attended enough, each with a certificate of completion (the hall's certificates: one numbering,
  one PDF, one public check).

``actor=None`` is the system (the demo, commands): no scope or role check.
"""

from __future__ import annotations

import math
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.workflow import Apply, Outcome, Spec, event_write, run, step
from linli.hall.actions._common import clean_text, community_of, home_place, notify, place_by_id
from linli.hall.actions.certificates import certificate_create
from linli.hall.workflow import (
    COURSE_TRANSITIONS,
    ENROLMENT_TRANSITIONS,
    PERM_CLASSES,
    PERM_ENROL,
    Channel,
    CourseKind,
    CourseStatus,
    EnrolmentStatus,
)
from linli.residents.selectors import person_get

QUOTA_MAX = 1000
CHECKIN_MARGIN = timedelta(minutes=30)
ACTIVE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)


def _perms(actor: Any) -> frozenset[str]:
    return getattr(actor, "perms", frozenset()) if actor is not None else frozenset({PERM_CLASSES, PERM_ENROL})


def _manages(actor: Any, path: str) -> bool:
    return actor is None or (PERM_CLASSES in _perms(actor) and actor.scope.covers_path(path))


def _course_url(course: Any) -> str:
    return reverse("hall:class", args=[course.pk])


def _as_date(value: Any, field: str, errors: dict[str, list[str]]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        errors[field] = [_("Enter a valid date.")]
        return None


def course_save(
    *,
    actor: Any,
    course: Any = None,
    place: Any = None,
    kind: str,
    title: str,
    quota: Any,
    starts_on: Any,
    ends_on: Any,
    lecturer: str = "",
    venue: str = "",
    description: str = "",
    min_attendance: Any = 80,
):
    """Create (``course=None``) or edit a class. The quota cannot go below those already enrolled."""
    from linli.hall.models import Course

    if actor is not None and PERM_CLASSES not in _perms(actor):
        raise PermissionDenied(_("You may not organise classes."))
    errors: dict[str, list[str]] = {}
    title = clean_text(title, limit=80)
    if not title:
        errors["title"] = [_("This field is required.")]
    if kind not in CourseKind.values:
        errors["kind"] = [_("Choose a kind of class.")]
    try:
        quota = int(quota)
        if not 1 <= quota <= QUOTA_MAX:
            raise ValueError
    except (TypeError, ValueError):
        errors["quota"] = [_("Enter a quota from 1 to %(max)d.") % {"max": QUOTA_MAX}]
        quota = 0
    try:
        min_attendance = int(min_attendance)
        if not 0 <= min_attendance <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["min_attendance"] = [_("Enter a percentage from 0 to 100.")]
    first = _as_date(starts_on, "starts_on", errors)
    last = _as_date(ends_on, "ends_on", errors)
    if first and last and last < first:
        errors["ends_on"] = [_("The class cannot end before it starts.")]
    where: Any = None
    if course is None:
        where = place_by_id(place) if place not in (None, "") else None
        if where is None:
            errors["place"] = [_("This field is required.")]
        elif actor is not None and not actor.scope.covers_path(where.path):
            errors["place"] = [_("This place is outside your area.")]
        elif community_of(where) is None:
            errors["place"] = [_("Choose a community or a place in it.")]
    if errors:
        raise Invalid(_("Please check the class."), fields=errors)
    values = {
        "kind": kind, "title": title, "quota": quota, "starts_on": first, "ends_on": last,
        "lecturer": clean_text(lecturer, limit=80), "venue": clean_text(venue, limit=80),
        "description": clean_text(description, limit=4000), "min_attendance": min_attendance,
    }
    with transaction.atomic():
        if course is None:
            course = Course.objects.create(
                place=where, place_path=where.path, community=community_of(where),
                created_by=actor if getattr(actor, "is_authenticated", False) else None, **values,
            )
            kind_of_event = "create"
        else:
            pk = getattr(course, "pk", course)
            base = Course.objects.visible_to(actor) if actor is not None else Course.objects.all()
            if not base.filter(pk=pk).exists():
                raise NotFound(_("Not found."))
            course = Course.objects.select_for_update().get(pk=pk)
            if not _manages(actor, course.place_path):
                raise PermissionDenied(_("You may not organise classes."))
            if course.status in (CourseStatus.FINISHED, CourseStatus.CANCELLED):
                raise Refused(_("A finished or cancelled class cannot be edited."), code="refused_transition")
            if quota < course.enrolled:
                raise Invalid(_("Please check the class."), fields={
                    "quota": [_("%(n)d people are enrolled already.") % {"n": course.enrolled}]})
            Course.objects.filter(pk=course.pk).update(**values, updated_at=timezone.now())
            course.refresh_from_db()
            kind_of_event = "edit"
        event_write(course_spec(), course, kind=kind_of_event, actor=actor, at=timezone.now(),
                    to_status=course.status, data={"quota": quota})
        audit_record(action=f"hall.course_{kind_of_event}", actor=actor, actor_name="" if actor else "system",
                     target=course, detail={"title": title, "quota": quota})
    return course


def course_enrol(
    *, actor: Any, course: Any, walk_in: bool = False, name: str = "", person: Any = None,
    now: datetime | None = None,
):
    """Enrol in a class: the resident themself (``classes.enrol``), or staff registering a walk-in by name
    (and registry person). Refused when the class does not enrol now (409 ``closed``), is full (409
    ``full``) or the person is enrolled already (409 ``already_enrolled``)."""
    from linli.hall.models import Course, Enrolment

    perms = _perms(actor)
    if walk_in and PERM_CLASSES not in perms:
        raise PermissionDenied(_("Only class staff register walk-in enrolments."))
    if not walk_in and PERM_ENROL not in perms:
        raise PermissionDenied(_("You may not enrol in classes."))
    pk = getattr(course, "pk", course)
    base = Course.objects.visible_to(actor) if actor is not None else Course.objects.all()
    course = base.filter(pk=pk).first() if str(pk or "").isdigit() else None
    if course is None:
        raise NotFound(_("Not found."))
    if person is not None:
        person = person_get(person)
        if person is None:
            raise Invalid(_("Please check the enrolment."), fields={"person": [_("Not found.")]})
    if walk_in:
        if not _manages(actor, course.place_path):
            raise NotFound(_("Not found."))
        name = clean_text(name, limit=64) or (person.name if person is not None else "")
        if not name:
            raise Invalid(_("Name the person who enrols."), fields={"name": [_("This field is required.")]})
        user = None
    else:
        _where, found = home_place(actor) if actor is not None else (None, person)
        person = person or found
        name = (person.name if person is not None else "") or getattr(actor, "display_name", "") or str(actor)
        user = actor if getattr(actor, "is_authenticated", False) else None
    now = now or timezone.now()
    with transaction.atomic():
        duplicate = Enrolment.objects.filter(course=course, status__in=ACTIVE)
        if (user is not None and duplicate.filter(user=user).exists()) or (
            person is not None and duplicate.filter(person=person).exists()
        ):
            raise Refused(_("Already enrolled in this class."), code="already_enrolled")
        # The compare-and-set that holds the quota: of two racing enrolments for the last place, the
        # second UPDATE (serialised by the row lock on PostgreSQL, by the IMMEDIATE transaction on SQLite)
        # finds ``enrolled = quota`` and changes nothing.
        taken = Course.objects.filter(pk=course.pk, status=CourseStatus.OPEN, enrolled__lt=F("quota")).update(
            enrolled=F("enrolled") + 1
        )
        if taken != 1:
            current = Course.objects.filter(pk=course.pk).values_list("status", flat=True).first()
            if current != CourseStatus.OPEN:
                raise Refused(_("This class does not take enrolments now."), code="closed")
            raise Refused(_("This class is full."), code="full")
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    course=course, place_path=course.place_path, user=user, person=person, name=name[:64],
                    channel=Channel.WALK_IN if walk_in else Channel.ONLINE,
                    registered_by=actor if walk_in and getattr(actor, "is_authenticated", False) else None,
                    enrolled_at=now,
                )
        except IntegrityError as exc:  # the same person enrolling twice at once
            raise Refused(_("Already enrolled in this class."), code="already_enrolled") from exc
        event_write(course_spec(), course, kind="enrol", actor=actor, at=now, to_status=enrolment.status,
                    data={"enrolment": enrolment.pk, "channel": enrolment.channel})
        audit_record(action="hall.enrolment_create", actor=actor, actor_name="" if actor else "system",
                     target=enrolment, detail={"course": course.pk, "channel": enrolment.channel})
        notify(ref=f"hall.course:{course.pk}", kind="enrol", user_ids=[enrolment.user_id], url=_course_url(course),
               text=_("You are enrolled in “%(title)s” (from %(day)s).") % {"title": course.title,
                                                                           "day": course.starts_on},
               exclude=None)
    return enrolment


def session_add(*, actor: Any, course: Any, starts_at: datetime, ends_at: datetime, topic: str = ""):
    """A session of the class, with the random code of its attendance QR."""
    from linli.hall.models import Course, CourseSession

    pk = getattr(course, "pk", course)
    base = Course.objects.visible_to(actor) if actor is not None else Course.objects.all()
    course = base.filter(pk=pk).first()
    if course is None or not _manages(actor, course.place_path):
        raise NotFound(_("Not found."))
    if course.status in (CourseStatus.FINISHED, CourseStatus.CANCELLED):
        raise Refused(_("A finished or cancelled class cannot be edited."), code="refused_transition")
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime) or ends_at <= starts_at:
        raise Invalid(_("Please check the session."), fields={"ends_at": [_("The end must come after the start.")]})
    with transaction.atomic():
        session = CourseSession.objects.create(course=course, starts_at=starts_at, ends_at=ends_at,
                                               topic=clean_text(topic, limit=120), code=secrets.token_urlsafe(12))
        audit_record(action="hall.course_session_add", actor=actor, actor_name="" if actor else "system",
                     target=course, detail={"session": session.pk})
    return session


def _mark(session: Any, enrolment: Any, *, actor: Any, by_qr: bool, now: datetime):
    from linli.hall.models import Attendance

    try:
        with transaction.atomic():
            row, created = Attendance.objects.get_or_create(
                session=session, enrolment=enrolment,
                defaults={"at": now, "by_qr": by_qr,
                          "recorded_by": actor if getattr(actor, "is_authenticated", False) else None},
            )
    except IntegrityError:  # a double scan at once: the first one counts
        return Attendance.objects.get(session=session, enrolment=enrolment), False
    if created:
        audit_record(action="hall.attendance_mark", actor=actor, actor_name="" if actor else "system",
                     target=enrolment, detail={"session": session.pk, "qr": by_qr})
    return row, created


def attendance_checkin(*, code: str, actor: Any, now: datetime | None = None):
    """The enrolled person scans the session's QR code (from half an hour before it starts to half an hour
    after it ends). Idempotent: a second scan changes nothing. Returns (attendance, created)."""
    from linli.hall.models import CourseSession, Enrolment

    if not getattr(actor, "is_authenticated", False):
        raise NotFound(_("Not found."))
    session = CourseSession.objects.select_related("course").filter(code=str(code or "")[:32]).first()
    if session is None:
        raise NotFound(_("Not found."))
    enrolment = Enrolment.objects.filter(course=session.course, user=actor, status__in=ACTIVE).first()
    if enrolment is None:
        raise Refused(_("You are not enrolled in this class."), code="not_enrolled")
    now = now or timezone.now()
    if not session.starts_at - CHECKIN_MARGIN <= now <= session.ends_at + CHECKIN_MARGIN:
        raise Refused(_("Attendance for this session opens half an hour before it starts and closes half an hour "
                        "after it ends."), code="checkin_closed")
    return _mark(session, enrolment, actor=actor, by_qr=True, now=now)


def attendance_mark(*, actor: Any, session: Any, enrolment: Any, now: datetime | None = None):
    """Staff mark an enrolled person present by hand (a walk-in without a phone)."""
    from linli.hall.models import CourseSession, Enrolment

    session = CourseSession.objects.select_related("course").filter(pk=getattr(session, "pk", session)).first()
    if session is None or not _manages(actor, session.course.place_path):
        raise NotFound(_("Not found."))
    enrolment = Enrolment.objects.filter(
        pk=getattr(enrolment, "pk", enrolment), course=session.course, status__in=ACTIVE
    ).first()
    if enrolment is None:
        raise NotFound(_("Not found."))
    return _mark(session, enrolment, actor=actor, by_qr=False, now=now or timezone.now())


# --- the transitions -----------------------------------------------------------------------------------------


def attended_enough(course: Any, *, now: datetime) -> dict[int, bool]:
    """For each active enrolment: whether it attended at least ``min_attendance`` % of the sessions held
    so far (no session held: everyone completes)."""
    from linli.hall.models import Enrolment

    held = course.sessions.filter(starts_at__lte=now).count()
    needed = math.ceil(held * course.min_attendance / 100)
    rows = (
        Enrolment.objects.filter(course=course, status=EnrolmentStatus.ENROLLED)
        .annotate(n=Count("attendances", distinct=True))
        .values_list("pk", "n")
    )
    return {pk: n >= needed for pk, n in rows}


def _complete_enrolments(actor: Any, now: datetime):
    def hook(course: Any) -> None:
        from linli.hall.models import Enrolment

        spec = enrolment_spec()
        for pk, enough in sorted(attended_enough(course, now=now).items()):
            if enough:
                locked = Enrolment.objects.select_related("course").select_for_update(of=("self",)).get(pk=pk)
                step(spec, locked, "complete", actor=actor, now=now, check_actor=False)

    return hook


def _enrolled_users(course: Any) -> list[int]:
    return list(course.enrolments.filter(status=EnrolmentStatus.ENROLLED, user__isnull=False)
                .values_list("user_id", flat=True)[:QUOTA_MAX])


def _apply_close(course: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    return Outcome()


def _apply_reopen(course: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    return Outcome()


def _apply_finish(course: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = Outcome()
    out.after.append(_complete_enrolments(actor, now))
    return out


def _apply_cancel_course(course: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    reason = clean_text(data.get("reason"), limit=500)
    out = Outcome(note=reason)
    out.notify.append(("cancel", _enrolled_users(course), _("The class “%(title)s” is cancelled: %(reason)s") % {
        "title": course.title, "reason": reason}))
    return out


COURSE_APPLY: dict[str, Apply] = {
    "close": _apply_close, "reopen": _apply_reopen, "finish": _apply_finish, "cancel": _apply_cancel_course,
}


def _apply_enrolment_cancel(enrolment: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    from linli.hall.models import Course

    Course.objects.filter(pk=enrolment.course_id, enrolled__gt=0).update(enrolled=F("enrolled") - 1)
    reason = clean_text(data.get("reason"), limit=500)
    out = Outcome(note=reason)
    if getattr(actor, "pk", None) != enrolment.user_id:
        out.notify.append(("cancel", [enrolment.user_id], _("Your enrolment in “%(title)s” was cancelled. %(reason)s") % {
            "title": enrolment.course.title, "reason": reason}))
    return out


def _apply_enrolment_complete(enrolment: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    course = enrolment.course
    issued = timezone.localtime(now)
    cert = certificate_create(
        community=course.community,
        title="结业证书",
        holder_name=enrolment.name,
        text=f"{enrolment.name}于{course.starts_on.year}年{course.starts_on.month}月{course.starts_on.day}日至"
             f"{course.ends_on.year}年{course.ends_on.month}月{course.ends_on.day}日参加{course.community.name}"
             f"举办的“{course.title}”{CourseKind(course.kind).label}，完成学习，准予结业。",
        actor=actor,
        now=issued,
        enrolment=enrolment,
    )
    out = Outcome(data={"certificate": cert.pk})
    out.notify.append(("complete", [enrolment.user_id],
                       _("You completed “%(title)s”: your certificate %(number)s is ready.") % {
                           "title": course.title, "number": cert.number}))
    return out


ENROLMENT_APPLY: dict[str, Apply] = {"cancel": _apply_enrolment_cancel, "complete": _apply_enrolment_complete}


def course_spec() -> Spec:
    from linli.hall.models import Course, CourseEvent

    return Spec(
        model=Course, event_model=CourseEvent, event_fk="course", table=COURSE_TRANSITIONS, apply=COURSE_APPLY,
        audit_prefix="hall.course", noun=_("class"), url=_course_url,
    )


def enrolment_spec() -> Spec:
    from linli.hall.models import CourseEvent, Enrolment

    return Spec(
        model=Enrolment, event_model=CourseEvent, event_fk="course", table=ENROLMENT_TRANSITIONS,
        apply=ENROLMENT_APPLY, audit_prefix="hall.enrolment", noun=_("enrolment"), related=("course",),
        event_owner=lambda e: e.course, url=lambda e: _course_url(e.course),
    )


def course_transition(*, course: Any, name: str, actor: Any, data: dict[str, Any] | None = None):
    """The one door (pages, API): run transition ``name`` on ``course``."""
    return run(course_spec(), obj=course, name=name, actor=actor, data=data)


def enrolment_transition(*, enrolment: Any, name: str, actor: Any, data: dict[str, Any] | None = None):
    return run(enrolment_spec(), obj=enrolment, name=name, actor=actor, data=data)
