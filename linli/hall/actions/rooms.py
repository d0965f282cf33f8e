"""Rooms and bookings (功能室预约): ``room_save`` (staff), ``room_book`` (one booking; also what the
deliberation app calls for its meetings), ``room_book_weekly`` (every Tuesday 9–11 until a date) and one door
per row of ``workflow.BOOKING_TRANSITIONS`` (approve, reject, cancel) through the one runner.

No clashes: two bookings that hold their slot (pending or confirmed) never overlap. On PostgreSQL an
exclusion constraint guarantees it (the loser of a race gets a 409 ``clash``); on SQLite the check below runs
inside the IMMEDIATE transaction, which serialises writers, so the check and the insert are one step.

``actor=None`` is the system (the demo, other apps' actions): no scope or role check.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import users_over
from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.workflow import Apply, Outcome, Spec, event_write, run
from linli.hall.actions._common import clean_text, notify, place_by_id
from linli.hall.workflow import (
    BOOKING_TRANSITIONS,
    HOLDING_STATES,
    PERM_BOOK,
    PERM_ROOMS,
    BookingStatus,
    RoomKind,
)

MAX_WEEKS = 52
MAX_HOURS = 12
HORIZON_DAYS = 400  # how far ahead one may book


def _perms(actor: Any) -> frozenset[str]:
    return getattr(actor, "perms", frozenset()) if actor is not None else frozenset({PERM_BOOK, PERM_ROOMS})


def room_save(*, actor: Any, room: Any = None, **data: Any):
    """Create or edit a room (``rooms.manage`` over its place)."""
    from linli.hall.models import Room

    if actor is not None and PERM_ROOMS not in _perms(actor):
        raise PermissionDenied(_("You may not manage rooms."))
    errors: dict[str, list[str]] = {}
    place = room.place if room is not None else place_by_id(data.get("place"))
    if actor is not None and not actor.scope.covers_path(place.path):
        raise NotFound(_("Not found."))
    name = clean_text(data.get("name", getattr(room, "name", "")), limit=80)
    centre = clean_text(data.get("centre", getattr(room, "centre", "")), limit=80)
    kind = data.get("kind", getattr(room, "kind", ""))
    opens, closes = data.get("opens", getattr(room, "opens", None)), data.get("closes", getattr(room, "closes", None))
    try:
        capacity = int(data.get("capacity", getattr(room, "capacity", 0)))
    except (TypeError, ValueError):
        capacity = 0
    weekdays = sorted({int(d) for d in data.get("weekdays", getattr(room, "weekdays", range(7))) if str(d).isdigit()
                       and 0 <= int(d) <= 6})
    if not name:
        errors["name"] = [_("This field is required.")]
    if not centre:
        errors["centre"] = [_("This field is required.")]
    if kind not in RoomKind.values:
        errors["kind"] = [_("Choose one.")]
    if not 1 <= capacity <= 2000:
        errors["capacity"] = [_("Between 1 and 2000 people.")]
    if not isinstance(opens, dt.time) or not isinstance(closes, dt.time) or opens >= closes:
        errors["closes"] = [_("The room must close after it opens.")]
    if not weekdays:
        errors["weekdays"] = [_("Choose at least one day.")]
    if errors:
        raise Invalid(_("Please check the room."), fields=errors)
    with transaction.atomic():
        if room is None:
            room = Room(place=place, place_path=place.path)
        room.name, room.centre, room.kind, room.capacity = name, centre, kind, capacity
        room.opens, room.closes, room.weekdays = opens, closes, weekdays
        room.needs_approval = bool(data.get("needs_approval", room.needs_approval))
        room.description = clean_text(data.get("description", room.description))
        room.save()
        audit_record(action="hall.room_save", actor=actor, actor_name="" if actor else "system", target=room,
                     detail={"name": name})
    return room


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _slot_problems(room: Any, starts_at: datetime, ends_at: datetime, attendees: int, *, now: datetime) -> dict:
    errors: dict[str, list[str]] = {}
    if starts_at >= ends_at:
        errors["ends_at"] = [_("The end must be after the start.")]
        return errors
    start, end = _local(starts_at), _local(ends_at)
    if start.date() != end.date():
        errors["ends_at"] = [_("A booking starts and ends on the same day.")]
    elif (end - start).total_seconds() > MAX_HOURS * 3600:
        errors["ends_at"] = [_("At most %(n)s hours.") % {"n": MAX_HOURS}]
    if starts_at < now - dt.timedelta(minutes=5):
        errors["starts_at"] = [_("This time has passed.")]
    elif starts_at > now + dt.timedelta(days=HORIZON_DAYS):
        errors["starts_at"] = [_("Too far ahead.")]
    if start.weekday() not in room.weekdays:
        errors["starts_at"] = [_("The room is closed on that day.")]
    elif start.time() < room.opens or end.time() > room.closes or (end.date() != start.date()):
        errors.setdefault("starts_at", [_("Open %(opens)s–%(closes)s.") % {
            "opens": room.opens.strftime("%H:%M"), "closes": room.closes.strftime("%H:%M")}])
    if attendees > room.capacity:
        errors["attendees"] = [_("The room holds %(n)s people.") % {"n": room.capacity}]
    return errors


def _clash(room: Any, starts_at: datetime, ends_at: datetime, exclude: int | None = None) -> Any:
    from linli.hall.models import Booking

    qs = Booking.objects.filter(room=room, status__in=HOLDING_STATES, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("starts_at").first()


def _clash_error(other: Any) -> Refused:
    start, end = _local(other.starts_at), _local(other.ends_at)
    return Refused(
        _("The room is already booked %(start)s–%(end)s.") % {
            "start": start.strftime("%m-%d %H:%M"), "end": end.strftime("%H:%M")},
        code="clash",
    )


def _desk(room: Any) -> list[int]:
    return users_over(room.place_path, PERM_ROOMS)


def _insert(*, room: Any, actor: Any, starts_at: datetime, ends_at: datetime, purpose: str, attendees: int,
            booker_name: str, source: str, series: Any, status: str, now: datetime):
    """Check and insert inside the caller's transaction. The savepoint turns the PostgreSQL constraint's
    refusal (a racing booking committed first) into the same 409 as the check."""
    from linli.hall.models import Booking

    other = _clash(room, starts_at, ends_at)
    if other is not None:
        raise _clash_error(other)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                room=room, place_path=room.place_path, series=series,
                booker=actor if getattr(actor, "is_authenticated", False) else None,
                booker_name=booker_name[:64], purpose=purpose, attendees=attendees, starts_at=starts_at,
                ends_at=ends_at, source=source, status=status,
            )
    except IntegrityError as exc:
        other = _clash(room, starts_at, ends_at)
        if other is None:
            raise
        raise _clash_error(other) from exc
    event_write(_spec(), booking, kind="book", actor=actor, at=now, to_status=status,
                data={"source": source} if source else {})
    return booking


def _booker_name(actor: Any, given: str) -> str:
    return clean_text(given, limit=64) or getattr(actor, "display_name", "") or (str(actor) if actor else "")


def room_book(
    *,
    actor: Any,
    room: Any,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    attendees: int = 0,
    booker_name: str = "",
    source: str = "",
):
    """Book ``room`` from ``starts_at`` to ``ends_at``. Pending when the room needs approval and the booker
    does not manage it; confirmed otherwise. A clash is refused with 409 ``clash``.

    Other apps (the deliberation meetings) call this with their ``source`` ("deliberation.meeting:12")."""
    from linli.hall.access import access_room
    from linli.hall.models import Room

    perms = _perms(actor)
    if PERM_BOOK not in perms and PERM_ROOMS not in perms:
        raise PermissionDenied(_("You may not book rooms."))
    if not isinstance(room, Room):
        room = access_room(actor, room) if actor is not None else Room.objects.get(pk=room)
    elif actor is not None:
        access_room(actor, room.pk)
    purpose = clean_text(purpose, limit=200)
    errors: dict[str, list[str]] = {} if purpose else {"purpose": [_("This field is required.")]}
    now = timezone.now()
    try:
        attendees = max(0, int(attendees or 0))
    except (TypeError, ValueError):
        attendees = 0
    errors.update(_slot_problems(room, starts_at, ends_at, attendees, now=now))
    if errors:
        raise Invalid(_("Please check the booking."), fields=errors)
    manager = actor is None or (PERM_ROOMS in perms and actor.scope.covers_path(room.place_path))
    status = BookingStatus.PENDING if room.needs_approval and not manager else BookingStatus.CONFIRMED
    with transaction.atomic():
        booking = _insert(room=room, actor=actor, starts_at=starts_at, ends_at=ends_at, purpose=purpose,
                          attendees=attendees, booker_name=_booker_name(actor, booker_name), source=source,
                          series=None, status=status, now=now)
        audit_record(action="hall.booking_book", actor=actor, actor_name="" if actor else "system", target=booking,
                     detail={"room": room.pk, "status": status, "source": source})
        if status == BookingStatus.PENDING:
            notify(ref=f"hall.booking:{booking.pk}", kind="book", user_ids=_desk(room),
                   text=_("A booking of %(room)s waits for approval.") % {"room": room.name},
                   exclude=getattr(actor, "pk", None))
    return booking


def room_book_weekly(
    *,
    actor: Any,
    room: Any,
    first: dt.date,
    until: dt.date,
    start: dt.time,
    end: dt.time,
    purpose: str,
    attendees: int = 0,
):
    """Book the same hours every week (every Tuesday 9–11) from ``first`` until ``until``: the free dates
    are booked, the dates that clash are reported and left alone. Returns (series, bookings, clashes)."""
    from linli.hall.access import access_room
    from linli.hall.models import BookingSeries, Room

    perms = _perms(actor)
    if PERM_BOOK not in perms and PERM_ROOMS not in perms:
        raise PermissionDenied(_("You may not book rooms."))
    if not isinstance(room, Room):
        room = access_room(actor, room) if actor is not None else Room.objects.get(pk=room)
    purpose = clean_text(purpose, limit=200)
    if not purpose:
        raise Invalid(_("Please check the booking."), fields={"purpose": [_("This field is required.")]})
    if until < first or (until - first).days > MAX_WEEKS * 7:
        raise Invalid(_("A weekly booking runs at most %(n)s weeks.") % {"n": MAX_WEEKS},
                      fields={"until": [_("Choose an end within a year.")]})
    tz = timezone.get_current_timezone()
    dates = [first + dt.timedelta(weeks=w) for w in range((until - first).days // 7 + 1)]
    now = timezone.now()
    errors = _slot_problems(room, datetime.combine(first, start, tz), datetime.combine(first, end, tz),
                            int(attendees or 0), now=now)
    if errors:
        raise Invalid(_("Please check the booking."), fields=errors)
    manager = actor is None or (PERM_ROOMS in perms and actor.scope.covers_path(room.place_path))
    status = BookingStatus.PENDING if room.needs_approval and not manager else BookingStatus.CONFIRMED
    booked, clashes = [], []
    with transaction.atomic():
        series = BookingSeries.objects.create(
            room=room, booker=actor if getattr(actor, "is_authenticated", False) else None, weekday=first.weekday(),
            start=start, end=end, first=first, last=dates[-1], purpose=purpose,
        )
        for day in dates:
            try:
                booked.append(_insert(
                    room=room, actor=actor, starts_at=datetime.combine(day, start, tz),
                    ends_at=datetime.combine(day, end, tz), purpose=purpose, attendees=int(attendees or 0),
                    booker_name=_booker_name(actor, ""), source="", series=series, status=status, now=now,
                ))
            except Refused:
                clashes.append(day)
        if not booked:
            raise Refused(_("Every date of this weekly booking clashes with another booking."), code="clash")
        audit_record(action="hall.booking_book_weekly", actor=actor, actor_name="" if actor else "system",
                     target=series, detail={"room": room.pk, "booked": len(booked), "clashes": len(clashes)})
        if status == BookingStatus.PENDING:
            notify(ref=f"hall.series:{series.pk}", kind="book", user_ids=_desk(room),
                   text=_("A weekly booking of %(room)s waits for approval.") % {"room": room.name},
                   exclude=getattr(actor, "pk", None))
    return series, booked, clashes


# --- the transitions ---------------------------------------------------------------------------------------


def _told(booking: Any) -> str:
    start = _local(booking.starts_at)
    return _("Your booking of %(room)s on %(day)s: %(status)s") % {
        "room": booking.room.name, "day": start.strftime("%m-%d %H:%M"), "status": booking.get_status_display()}


def _apply_approve(booking: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = Outcome()
    out.notify.append(("approve", [booking.booker_id], _told(booking)))
    return out


def _apply_reject(booking: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    reason = clean_text(data.get("reason"))
    booking.note = reason
    out = Outcome(note=reason)
    out.notify.append(("reject", [booking.booker_id], _told(booking) + " " + reason))
    return out


def _apply_cancel(booking: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    reason = clean_text(data.get("reason"))
    out = Outcome(note=reason)
    if getattr(actor, "pk", None) != booking.booker_id:
        out.notify.append(("cancel", [booking.booker_id], _told(booking) + " " + reason))
    return out


APPLY: dict[str, Apply] = {"approve": _apply_approve, "reject": _apply_reject, "cancel": _apply_cancel}


def _spec() -> Spec:
    from linli.hall.models import Booking, BookingEvent

    return Spec(
        model=Booking,
        event_model=BookingEvent,
        event_fk="booking",
        table=BOOKING_TRANSITIONS,
        apply=APPLY,
        audit_prefix="hall.booking",
        noun=_("booking"),
        related=("room",),
        url=lambda b: reverse("hall:my_bookings"),
    )


def booking_transition(*, booking: Any, name: str, actor: Any, data: dict[str, Any] | None = None):
    """The one door (pages, API): run transition ``name`` on ``booking``."""
    return run(_spec(), obj=booking, name=name, actor=actor, data=data)
