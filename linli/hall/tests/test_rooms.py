"""Rooms: bookings inside opening hours, no clashes (two racing bookings of one slot: one wins), approval
where the room needs it, weekly bookings, the week as a calendar, and every (state, action) pair of the
booking table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.testing.concurrency import in_thread, race, sqlite_file
from linli.core.testing.personas import PASSWORD
from linli.hall.actions import booking_transition, room_book, room_book_weekly, room_save
from linli.hall.models import Booking, BookingEvent
from linli.hall.workflow import BOOKING_TRANSITIONS, BookingStatus

TZ = timezone.get_current_timezone


def _next(weekday: int, hour: int, weeks: int = 1) -> dt.datetime:
    today = timezone.localdate()
    day = today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)
    return dt.datetime.combine(day, dt.time(hour), TZ())


@pytest.fixture
def room(world):
    return room_save(actor=None, place=world.community.pk, centre="测试一社区党群服务中心", name="议事厅", kind="meeting",
                     capacity=30, opens=dt.time(8), closes=dt.time(21), weekdays=[0, 1, 2, 3, 4, 5])


@pytest.fixture
def approval_room(world):
    return room_save(actor=None, place=world.community.pk, centre="测试一社区党群服务中心", name="舞蹈室", kind="dance",
                     capacity=20, opens=dt.time(8), closes=dt.time(21), needs_approval=True)


@pytest.fixture
def booker(world):
    from linli.core.testing.personas import make_user

    return make_user("booker_a", "resident", place=world.grid_a)


def test_a_resident_books_a_free_slot(room, booker):
    start = _next(1, 9)
    b = room_book(actor=booker, room=room.pk, starts_at=start, ends_at=start + dt.timedelta(hours=2), purpose="读书会")
    assert b.status == "confirmed" and b.booker_id == booker.pk
    assert BookingEvent.objects.get(booking=b).kind == "book"


def test_an_overlapping_booking_is_refused_and_a_touching_one_is_not(room, booker):
    start = _next(1, 9)
    room_book(actor=booker, room=room, starts_at=start, ends_at=start + dt.timedelta(hours=2), purpose="读书会")
    with pytest.raises(Refused) as caught:
        room_book(actor=booker, room=room, starts_at=start + dt.timedelta(hours=1),
                  ends_at=start + dt.timedelta(hours=3), purpose="排练")
    assert caught.value.code == "clash"
    after = room_book(actor=booker, room=room, starts_at=start + dt.timedelta(hours=2),
                      ends_at=start + dt.timedelta(hours=3), purpose="排练")
    assert after.status == "confirmed"


@pytest.mark.parametrize(("weekday", "start", "end", "field"), [
    (6, 9, 10, "starts_at"),  # closed on Sunday
    (1, 7, 9, "starts_at"),  # before it opens
    (1, 20, 22, "starts_at"),  # after it closes
    (1, 11, 10, "ends_at"),  # ends before it starts
])
def test_outside_the_opening_hours_is_invalid(room, booker, weekday, start, end, field):
    s = _next(weekday, start)
    with pytest.raises(Invalid) as caught:
        room_book(actor=booker, room=room, starts_at=s, ends_at=s.replace(hour=end), purpose="x")
    assert field in caught.value.fields
    assert not Booking.objects.exists()


def test_more_people_than_the_room_holds_is_invalid(room, booker):
    s = _next(2, 9)
    with pytest.raises(Invalid) as caught:
        room_book(actor=booker, room=room, starts_at=s, ends_at=s + dt.timedelta(hours=1), purpose="x", attendees=31)
    assert "attendees" in caught.value.fields


def test_a_room_of_another_community_is_not_found(world, booker):
    other = room_save(actor=None, place=world.community_2.pk, centre="二社区中心", name="阅览室", kind="reading",
                      capacity=10, opens=dt.time(8), closes=dt.time(20))
    s = _next(2, 9)
    with pytest.raises(Exception) as caught:
        room_book(actor=booker, room=other.pk, starts_at=s, ends_at=s + dt.timedelta(hours=1), purpose="x")
    assert caught.type.__name__ in ("Http404", "NotFound")


def test_approval_where_the_room_needs_it(approval_room, booker, community_staff):
    s = _next(3, 19)
    b = room_book(actor=booker, room=approval_room, starts_at=s, ends_at=s + dt.timedelta(hours=1), purpose="广场舞")
    assert b.status == "pending"
    with pytest.raises(Refused):  # a pending booking holds its slot
        room_book(actor=booker, room=approval_room, starts_at=s, ends_at=s + dt.timedelta(hours=1), purpose="又一次")
    with pytest.raises(PermissionDenied):
        booking_transition(booking=b, name="approve", actor=booker)
    b = booking_transition(booking=b, name="approve", actor=community_staff)
    assert b.status == "confirmed"
    staff_own = room_book(actor=community_staff, room=approval_room, starts_at=s + dt.timedelta(hours=1),
                          ends_at=s + dt.timedelta(hours=2), purpose="培训")
    assert staff_own.status == "confirmed"  # who manages the room needs no approval


def test_a_cancelled_booking_frees_its_slot(room, booker):
    s = _next(4, 14)
    b = room_book(actor=booker, room=room, starts_at=s, ends_at=s + dt.timedelta(hours=1), purpose="x")
    booking_transition(booking=b, name="cancel", actor=booker)
    again = room_book(actor=booker, room=room, starts_at=s, ends_at=s + dt.timedelta(hours=1), purpose="y")
    assert again.status == "confirmed"


def test_weekly_booking_books_the_free_tuesdays_and_reports_the_clashes(room, booker, community_staff):
    first = _next(1, 9)
    blocker = room_book(actor=community_staff, room=room, starts_at=first + dt.timedelta(weeks=2),
                        ends_at=first + dt.timedelta(weeks=2, hours=1), purpose="党课")
    series, booked, clashes = room_book_weekly(actor=booker, room=room, first=first.date(),
                                               until=first.date() + dt.timedelta(weeks=5), start=dt.time(9),
                                               end=dt.time(11), purpose="合唱团排练")
    assert len(booked) == 5 and clashes == [blocker.starts_at.astimezone(TZ()).date()]
    assert {timezone.localtime(b.starts_at).weekday() for b in booked} == {1}
    assert all(b.series_id == series.pk for b in booked)


# --- the table -------------------------------------------------------------------------------------------------

PAIRS = [(state, action) for state in BookingStatus.values for action in BOOKING_TRANSITIONS]
PATHS = {"pending": [], "confirmed": ["approve"], "rejected": ["reject"], "cancelled": ["cancel"]}


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_booking_state_action_pair(approval_room, booker, community_staff, state, action):
    s = _next(2, 10)
    b = room_book(actor=booker, room=approval_room, starts_at=s, ends_at=s + dt.timedelta(hours=1), purpose="x")
    for step in PATHS[state]:
        b = booking_transition(booking=b, name=step, actor=community_staff, data={"reason": "有冲突"})
    assert b.status == state
    t = BOOKING_TRANSITIONS[action]
    events = BookingEvent.objects.filter(booking=b).count()
    if t.allows_state(state):
        moved = booking_transition(booking=b, name=action, actor=community_staff, data={"reason": "有冲突"})
        assert moved.status == t.target
        assert BookingEvent.objects.filter(booking=b).count() == events + 1
    else:
        with pytest.raises(Refused) as caught:
            booking_transition(booking=b, name=action, actor=community_staff, data={"reason": "有冲突"})
        assert caught.value.code == "refused_transition"
        assert BookingEvent.objects.filter(booking=b).count() == events


def test_staff_of_another_community_cannot_approve(approval_room, booker, outsider):
    s = _next(2, 10)
    b = room_book(actor=booker, room=approval_room, starts_at=s, ends_at=s + dt.timedelta(hours=1), purpose="x")
    with pytest.raises(NotFound):
        booking_transition(booking=b, name="approve", actor=outsider)


# --- the race --------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_racing_bookings_of_one_slot_one_wins(world, tmp_path):
    from linli.core.testing.personas import make_user

    room = room_save(actor=None, place=world.community.pk, centre="中心", name="棋牌室", kind="chess", capacity=8,
                     opens=dt.time(8), closes=dt.time(21))
    users = [make_user(f"racer_{i}", "resident", place=world.grid_a) for i in range(2)]
    s = _next(2, 15)
    db = sqlite_file(tmp_path)

    def book(user):
        def go():
            from django.contrib.auth import get_user_model

            u = get_user_model().objects.get(pk=user.pk)
            return room_book(actor=u, room=room.pk, starts_at=s, ends_at=s + dt.timedelta(hours=2), purpose="下棋")
        return go

    results, errors = race([book(users[0]), book(users[1])], settings_dict=db)
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Refused) and errors[0].code == "clash"
    assert in_thread(lambda: Booking.objects.filter(room_id=room.pk).count(), db) == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_overlap_on_postgresql(world):
    """Past the check (a row written by something else), PostgreSQL's exclusion constraint still refuses."""
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's; SQLite serialises writers instead")
    room = room_save(actor=None, place=world.community.pk, centre="中心", name="阅览室", kind="reading", capacity=8,
                     opens=dt.time(8), closes=dt.time(21))
    s = _next(2, 15)
    Booking.objects.create(room=room, place_path=room.place_path, booker_name="a", purpose="a", starts_at=s,
                           ends_at=s + dt.timedelta(hours=2), status="confirmed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(room=room, place_path=room.place_path, booker_name="b", purpose="b",
                               starts_at=s + dt.timedelta(hours=1), ends_at=s + dt.timedelta(hours=3), status="pending")


# --- pages -----------------------------------------------------------------------------------------------------


def test_the_week_page_shows_bookings_and_books(client, room, booker):
    s = _next(1, 9)
    room_book(actor=booker, room=room, starts_at=s, ends_at=s + dt.timedelta(hours=2), purpose="读书会")
    client.login(username=booker.username, password=PASSWORD)
    body = client.get(reverse("hall:room", args=[room.pk]), {"week": s.date().isoformat()}).content.decode()
    assert body.count('data-testid="slot"') == 1 and "读书会" in body
    response = client.post(reverse("hall:room", args=[room.pk]), {
        "day": s.date().isoformat(), "start": "14:00", "end": "16:00", "purpose": "编织小组", "attendees": "6",
    })
    assert response.status_code == 302
    assert Booking.objects.filter(purpose="编织小组", status="confirmed").exists()
    clash = client.post(reverse("hall:room", args=[room.pk]), {
        "day": s.date().isoformat(), "start": "15:00", "end": "17:00", "purpose": "冲突",
    })
    assert clash.status_code == 200 and not Booking.objects.filter(purpose="冲突").exists()


def test_others_do_not_see_whose_booking_it_is(client, room, booker, world):
    from linli.core.testing.personas import make_user

    s = _next(1, 9)
    room_book(actor=booker, room=room, starts_at=s, ends_at=s + dt.timedelta(hours=2), purpose="家庭聚会")
    other = make_user("neighbour", "resident", place=world.grid_b)
    client.login(username=other.username, password=PASSWORD)
    body = client.get(reverse("hall:room", args=[room.pk]), {"week": s.date().isoformat()}).content.decode()
    assert body.count('data-testid="slot"') == 1 and "家庭聚会" not in body
