"""Reads of the hall: the catalog with search (Chinese or pinyin initials), applications by keyset pages,
the desk's counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from linli.hall.models import Application, ServiceItem
from linli.hall.workflow import OPEN_STATES, RUNNING_STATES

PAGE_SIZE = 30
MAX_PAGE = 100


def service_search(*, user: Any, q: str = "", category: str = "") -> QuerySet[ServiceItem]:
    """Services offered to ``user``: by name (汉字) or pinyin initials ("jzzm" finds 居住证明)."""
    qs = ServiceItem.objects.filter(active=True).visible_to(user)
    q = (q or "").strip()[:40]
    if q:
        cond = Q(name__icontains=q)
        if q.isascii():
            cond |= Q(initials__contains=q.lower().replace(" ", ""))
        qs = qs.filter(cond)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("sort", "id")


def application_list(*, user: Any, mine: bool = False, status: str = "", overdue: bool = False) -> QuerySet[Application]:
    """The applications ``user`` may see, filtered; paged by the one pager (``core.ui.page_rows``, ``core.api.paged``)."""
    qs = Application.objects.visible_to(user).select_related("service")
    if mine:
        qs = qs.filter(applicant_id=user.pk)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=RUNNING_STATES, due_on__lt=timezone.localdate())
    return qs


def desk_counts(*, user: Any) -> dict[str, int]:
    qs = Application.objects.visible_to(user)
    today = timezone.localdate()
    return {
        "submitted": qs.filter(status="submitted").count(),
        "missing": qs.filter(status="missing").count(),
        "running": qs.filter(status__in=RUNNING_STATES).count(),
        "overdue": qs.filter(status__in=RUNNING_STATES, due_on__lt=today).count(),
    }


def is_overdue(app: Application) -> bool:
    return bool(app.status in RUNNING_STATES and app.due_on and app.due_on < timezone.localdate())


# --- rooms -----------------------------------------------------------------------------------------------------


@dataclass
class Day:
    date: Any
    open: bool
    bookings: list[Any]


ROOMS_SHOWN = 300  # rooms are grouped by centre, so not keyset-paged: past this many the page says so


def room_list(*, user: Any) -> QuerySet[Any]:
    from linli.hall.models import Room

    return Room.objects.filter(active=True).visible_to(user).order_by("place_path", "centre", "name")


def room_week(*, room: Any, monday: Any) -> list[Day]:
    """The room's week from ``monday``: each day, whether it opens, and the bookings that hold a slot."""
    import datetime as dt

    from linli.hall.models import Booking
    from linli.hall.workflow import HOLDING_STATES

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tz)
    end = start + dt.timedelta(days=7)
    rows = list(
        Booking.objects.filter(room=room, status__in=HOLDING_STATES, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at")
        .only("id", "starts_at", "ends_at", "status", "purpose", "booker_id", "booker_name", "room_id")
    )
    days = []
    for i in range(7):
        day = monday + dt.timedelta(days=i)
        days.append(Day(day, day.weekday() in room.weekdays,
                        [b for b in rows if timezone.localtime(b.starts_at).date() == day]))
    return days


def booking_list(*, user: Any, mine: bool = False, pending: bool = False) -> QuerySet[Any]:
    """The bookings ``user`` may see (``mine``: booked by the user; ``pending``: waiting for approval)."""
    from linli.hall.models import Booking

    qs = Booking.objects.visible_to(user).select_related("room")
    if mine:
        qs = qs.filter(booker_id=user.pk)
    if pending:
        qs = qs.filter(status="pending")
    return qs


# --- classes ---------------------------------------------------------------------------------------------------


def course_list(*, user: Any, status: str = "", kind: str = "") -> QuerySet[Any]:
    """Classes ``user`` may see (page them: newest first)."""
    from linli.hall.models import Course

    qs = Course.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def my_enrolments(*, user: Any) -> QuerySet[Any]:
    from linli.hall.models import Enrolment

    return Enrolment.objects.filter(user_id=user.pk).select_related("course", "certificate")


def course_roster(course: Any, *, limit: int = 1000) -> list[Any]:
    """The class's enrolments with the number of sessions each attended."""
    from django.db.models import Count

    return list(
        course.enrolments.select_related("certificate").annotate(attended=Count("attendances")).order_by("id")[:limit]
    )


def course_sessions(course: Any, *, limit: int = 200) -> list[Any]:
    from django.db.models import Count

    return list(course.sessions.annotate(present=Count("attendances")).order_by("starts_at", "id")[:limit])


@dataclass
class ClassTotals:
    community: str
    classes: int
    people: int
    completed: int
    sessions: int
    attendances: int


def class_totals(*, user: Any, year: int) -> tuple[list[ClassTotals], ClassTotals]:
    """The year's figures per community ("30 classes, 1,000 people"): classes that started in ``year`` (not
    cancelled), people enrolled in them (not cancelled), completions, sessions held and attendances."""
    from django.db.models import Count, Q

    from linli.hall.models import Attendance, Course, CourseSession, Enrolment

    courses = Course.objects.visible_to(user).filter(starts_on__year=year).exclude(status="cancelled")
    per: dict[int, dict[str, Any]] = {}
    for row in courses.values("community_id", "community__name").annotate(n=Count("id")):
        per[row["community_id"]] = {"community": row["community__name"], "classes": row["n"], "people": 0,
                                    "completed": 0, "sessions": 0, "attendances": 0}
    ids = courses.values("pk")
    enrolments = (
        Enrolment.objects.filter(course__in=ids).exclude(status="cancelled").values_list("course__community_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status="completed")))
    )
    for community_id, n, done in enrolments:
        per[community_id].update(people=n, completed=done)
    sessions = CourseSession.objects.filter(course__in=ids).values_list("course__community_id").annotate(n=Count("id"))
    for community_id, n in sessions:
        per[community_id]["sessions"] = n
    present = Attendance.objects.filter(session__course__in=ids).values_list("session__course__community_id")
    for community_id, n in present.annotate(n=Count("id")):
        per[community_id]["attendances"] = n
    rows = sorted((ClassTotals(**v) for v in per.values()), key=lambda r: r.community)
    total = ClassTotals("", *(sum(getattr(r, f) for r in rows)
                              for f in ("classes", "people", "completed", "sessions", "attendances")))
    return rows, total
