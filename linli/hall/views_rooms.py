"""Pages of the rooms (功能室预约): the rooms of my centre, a room's week as a calendar with the booking
form (once or every week), my bookings, the approvals desk, the room editor. Writes go through
``linli.hall.actions``; objects through ``access_*`` (404)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.ui import first_rows, form_errors, page_rows, perm_required, raise_http
from linli.core.workflow import available
from linli.hall import actions, selectors
from linli.hall.access import access_booking, access_room, can_manage_rooms
from linli.hall.forms import WEEKDAYS, BookingForm, RoomForm
from linli.hall.workflow import BOOKING_TRANSITIONS, PERM_BOOK, PERM_ROOMS


def _monday(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


@login_required
def rooms(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/rooms.html", {
        **first_rows(selectors.room_list(user=request.user), selectors.ROOMS_SHOWN),
        "can_manage": can_manage_rooms(request.user),
        "can_book": bool({PERM_BOOK, PERM_ROOMS} & getattr(request.user, "perms", frozenset())),
    })


@login_required
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    room = access_room(request.user, pk)
    monday = _monday(request.GET.get("week", ""))
    can_book = bool({PERM_BOOK, PERM_ROOMS} & getattr(request.user, "perms", frozenset()))
    initial_day = request.GET.get("day") or max(monday, timezone.localdate()).isoformat()
    form = BookingForm(request.POST or None, initial={"day": initial_day, "start": room.opens.strftime("%H:%M"),
                                                      "end": ""})
    if request.method == "POST":
        if not can_book:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            tz = timezone.get_current_timezone()
            try:
                if data["weekly"]:
                    until = data["until"] or data["day"] + dt.timedelta(weeks=12)
                    _series, booked, clashes = actions.room_book_weekly(
                        actor=request.user, room=room, first=data["day"], until=until, start=data["start"],
                        end=data["end"], purpose=data["purpose"], attendees=data["attendees"] or 0,
                    )
                    msg = _("%(n)s dates booked.") % {"n": len(booked)}
                    if clashes:
                        msg += " " + _("Taken already, not booked: %(days)s") % {
                            "days": "、".join(d.strftime("%m-%d") for d in clashes)}
                    messages.warning(request, msg) if clashes else messages.success(request, msg)
                else:
                    booking = actions.room_book(
                        actor=request.user, room=room, starts_at=dt.datetime.combine(data["day"], data["start"], tz),
                        ends_at=dt.datetime.combine(data["day"], data["end"], tz), purpose=data["purpose"],
                        attendees=data["attendees"] or 0,
                    )
                    if booking.status == "pending":
                        messages.success(request, _("Booked. The centre will confirm it; you will be told."))
                    else:
                        messages.success(request, _("Booked and confirmed."))
            except DomainError as exc:
                raise_http(exc)
                form_errors(form, exc)
                if exc.code == "clash":
                    messages.error(request, str(exc.message))
            else:
                return redirect(f"{request.path}?week={_monday(data['day'].isoformat()).isoformat()}")
    days = selectors.room_week(room=room, monday=monday)
    hours = list(range(room.opens.hour, room.closes.hour + (1 if room.closes.minute else 0)))
    return render(request, "hall/room_detail.html", {
        "room": room, "days": days, "monday": monday, "form": form, "can_book": can_book,
        "prev_week": (monday - dt.timedelta(days=7)).isoformat(), "next_week": (monday + dt.timedelta(days=7)).isoformat(),
        "today": timezone.localdate(), "weekdays": WEEKDAYS, "hours": hours,
        "manager": can_manage_rooms(request.user, room),
        "open_days": "、".join(str(WEEKDAYS[d]) for d in room.weekdays),
    })


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    page = page_rows(request, selectors.booking_list(user=request.user, mine=True), size=selectors.PAGE_SIZE)
    rows = [(b, available(BOOKING_TRANSITIONS, b, request.user)) for b in page["rows"]]
    return render(request, "hall/bookings.html", {**page, "rows": rows, "title": _("My bookings")})


@perm_required(PERM_ROOMS)
def approvals(request: HttpRequest) -> HttpResponse:
    bookings = selectors.booking_list(user=request.user, pending=request.GET.get("all") != "1")
    page = page_rows(request, bookings, size=selectors.PAGE_SIZE)
    rows = [(b, available(BOOKING_TRANSITIONS, b, request.user)) for b in page["rows"]]
    return render(request, "hall/bookings.html", {**page, "rows": rows, "title": _("Room bookings"),
                                                  "desk": True})


@require_POST
@login_required
def booking_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    booking = access_booking(request.user, pk)
    if name not in BOOKING_TRANSITIONS:
        raise Http404
    try:
        actions.booking_transition(booking=booking, name=name, actor=request.user,
                                   data={"reason": request.POST.get("reason", "")})
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": BOOKING_TRANSITIONS[name].label})
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/hall/") else "hall:my_bookings")


@perm_required(PERM_ROOMS)
def room_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    from linli.hall.views import _places_for

    room = access_room(request.user, pk) if pk else None
    if room is not None and not can_manage_rooms(request.user, room):
        raise Http404
    initial = {}
    if room is not None:
        initial = {f: getattr(room, f) for f in ("centre", "name", "kind", "capacity", "opens", "closes",
                                                  "needs_approval", "description")}
        initial["weekdays"] = [str(d) for d in room.weekdays]
        initial["place"] = str(room.place_id)
    else:
        initial["weekdays"] = [str(d) for d in range(7)]
    form = RoomForm(request.POST or None, initial=initial)
    form.fields["place"].choices = _places_for(request.user)  # type: ignore[attr-defined]
    if room is not None:
        form.fields["place"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            room = actions.room_save(actor=request.user, room=room, **data)
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("hall:room", pk=room.pk)
    return render(request, "hall/room_form.html", {"form": form, "room": room})
