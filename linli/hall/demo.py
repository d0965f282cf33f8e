"""The hall's part of the demo street (``linli demo``): a year of applications in each of the three
communities (mostly done and rated, some refused or withdrawn, a few still open, some overdue), with their
event rows and the certificates of the 证明 services numbered per community and year; and for the demo
resident 王芳 a 居住证明 ready to download and a 低保 application with materials missing. Then the rooms
with a year of bookings, and a year of classes in each community (employment and skills classes, the
讲师团's interest classes: sessions, enrolments within the quota, attendance by QR, certificates of
completion numbered with the certificates of the applications, a class enrolling now and one cancelled).
The year is written in bulk (a few thousand rows in well under a second) by the rules of the actions; the
resident's applications go through the actions. Idempotent: a community that already has applications
(rooms, classes) is left as it is. Fictional data only."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from linli.core.inserts import insert_many

PER_COMMUNITY = 240  # applications a year in each community
WEIGHTS = {  # how often each service is asked for (the rest: 1)
    "residence_proof": 30, "social_security_query": 20, "elder_card": 14, "medical_insurance": 12,
    "family_relation_proof": 10, "alive_proof": 10, "minimum_living": 5, "longevity_allowance": 8,
    "residence_register": 9, "family_doctor": 8, "canteen_card": 7, "pension_enrol": 6,
}


def _persons(community: Any, n: int) -> list[Any]:
    from linli.residents.models import Person, PersonStatus

    return list(
        Person.objects.filter(place_path__startswith=community.path, status=PersonStatus.ACTIVE)
        .select_related("place").order_by("id")[: n * 4][::4]
    )


def _year(demo: Any, community: Any, rng: random.Random, services: list[Any], weights: list[int]) -> None:
    from linli.core.workdays import add_working_days
    from linli.hall.catalog import DEFAULT_CERTIFICATE_TEXT
    from linli.hall.models import Application, ApplicationEvent, Certificate, CertificateSerial

    persons = _persons(community, 120)
    if not persons:
        return
    staff = demo.users.get("community") if community.pk == demo.community.pk else None
    staff_name = staff.get_username() if staff is not None else "hall"
    now = timezone.now()
    tz = timezone.get_current_timezone()
    apps: list[Application] = []
    plans: list[tuple[str, list[tuple[str, str, str, datetime, str]]]] = []
    for _i in range(PER_COMMUNITY):
        service = rng.choices(services, weights=weights)[0]
        person = rng.choice(persons)
        day = (now - timedelta(days=rng.uniform(1, 365))).astimezone(tz).date()
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        submitted = datetime.combine(day, time(8 + rng.randint(0, 8), rng.randint(0, 59)), tz)
        roll = rng.random()
        recent = (now - submitted).days < 12
        steps: list[tuple[str, str, str, datetime, str]] = [("submit", "", "submitted", submitted, "")]
        at = submitted + timedelta(hours=rng.uniform(0.2, 4))
        status = "submitted"
        due = None
        accepted_at = done_at = rated_at = closed_at = None
        satisfaction = refused = ""
        missing: list[str] = []
        office = ""
        if roll < 0.05:
            status = "refused"
            refused = "不属于本社区办理范围，请到户籍所在地社区办理"
            steps.append(("refuse", "submitted", "refused", at, refused))
            closed_at = at
        elif roll < 0.08:
            status = "withdrawn"
            steps.append(("withdraw", "submitted", "withdrawn", at, ""))
            closed_at = at
        else:
            if roll < 0.18 and service.materials:
                missing = [service.materials[-1]]
                steps.append(("request_materials", "submitted", "missing", at, ""))
                if recent and roll < 0.12:
                    status = "missing"
                else:
                    at += timedelta(days=rng.randint(1, 3))
                    steps.append(("resubmit", "missing", "submitted", at, ""))
                    missing = []
                    at += timedelta(hours=1)
            if status != "missing":
                accepted_at = at
                due = add_working_days(at.date(), service.promised_days)
                steps.append(("accept", "submitted", "accepted", at, ""))
                status = "accepted"
                span = max(service.promised_days, 1)
                if service.agency:
                    office = service.agency_office
                    at += timedelta(hours=2)
                    steps.append(("start_agency", "accepted", "in_progress", at, ""))
                    status = "in_progress"
                    at += timedelta(days=span * 0.6)
                    steps.append(("agency_step", "in_progress", "in_progress", at, f"{office}已受理，等待审核结果"))
                late = rng.random() < 0.06
                finish = submitted + timedelta(days=span * (1.6 if late else rng.uniform(0.3, 1.3)), hours=2)
                if finish < now - timedelta(hours=1) and not (recent and rng.random() < 0.5):
                    done_at = max(finish, at + timedelta(hours=1))
                    steps.append(("complete", status, "done", done_at, ""))
                    status = "done"
                    if rng.random() < 0.85 and done_at < now - timedelta(days=1):
                        rated_at = done_at + timedelta(days=rng.uniform(0.1, 2))
                        satisfaction = rng.choices(["satisfied", "basically", "unsatisfied"], [90, 8, 2])[0]
                        steps.append(("rate", "done", "rated", rated_at, ""))
                        status = "rated"
                        closed_at = rated_at
        apps.append(Application(
            service=service, person=person, applicant_name=person.name, address=person.current_address,
            details=rng.choice(["子女入学", "办理社保", "银行业务", "单位要求", ""]), place=person.place or community,
            place_path=person.place_path or community.path, community=community,
            channel=rng.choice(["online", "walk_in", "walk_in"]), status=status, version=len(steps) - 1,
            missing=missing, agency_office=office, refused_reason=refused, submitted_at=submitted,
            accepted_at=accepted_at, due_on=due, done_at=done_at, closed_at=closed_at, satisfaction=satisfaction,
            rated_at=rated_at,
        ))
        plans.append((staff_name, steps))
    created = insert_many(apps)
    events = []
    certs: list[tuple[Any, int, datetime]] = []
    for app, (actor_name, steps) in zip(created, plans, strict=True):
        for kind, before, after, at, note in steps:
            events.append(ApplicationEvent(
                application=app, kind=kind, actor_name=app.applicant_name if kind in ("submit", "rate", "withdraw",
                                                                                       "resubmit") else actor_name,
                at=at, from_status=before, to_status=after, note=note,
            ))
        if app.service.certificate and app.done_at is not None:
            year = timezone.localtime(app.done_at).year
            certs.append((app, year, app.done_at))
    insert_many(events)
    certs.sort(key=lambda row: row[2])
    counters: dict[int, int] = {}
    rows = []
    for app, year, done_at in certs:
        counters[year] = counters.get(year, 0) + 1
        n = counters[year]
        rows.append(Certificate(
            application=app, community=community, year=year, serial=n,
            number=f"〔{year}〕{community.name}证字第{n:05d}号", code=secrets.token_urlsafe(16),
            title=app.service.name, holder_name=app.applicant_name,
            text=(app.service.certificate_text or DEFAULT_CERTIFICATE_TEXT).replace("{name}", app.applicant_name)
            .replace("{address}", app.address or "—").replace("{purpose}", app.details or "—"),
            issuer_name=f"{community.name}居民委员会", issued_at=done_at,
        ))
    insert_many(rows)
    insert_many(
        [CertificateSerial(community=community, year=y, last=n) for y, n in counters.items()]
    )


def _resident(demo: Any) -> None:
    from linli.hall import actions
    from linli.hall.models import ServiceItem
    from linli.residents.selectors import person_for_user

    resident = demo.users.get("resident")
    staff = demo.users.get("community")
    if resident is None or staff is None or person_for_user(resident) is None:
        return
    proof = ServiceItem.objects.get(code="residence_proof", place__isnull=True)
    app = actions.application_submit(actor=resident, service=proof, details="孩子办理入学")
    actions.application_transition(application=app, name="accept", actor=staff)
    actions.application_transition(application=app, name="complete", actor=staff, data={"purpose": "子女入学"})
    relief = ServiceItem.objects.get(code="minimum_living", place__isnull=True)
    app = actions.application_submit(actor=resident, service=relief, details="家庭收入下降")
    actions.application_transition(application=app, name="request_materials", actor=staff,
                                   data={"missing": ["家庭收入及财产状况说明", "银行卡复印件"]})


def demo_extend(demo: Any) -> None:
    from linli.hall.catalog import ensure_default_catalog
    from linli.hall.models import Application, ServiceItem

    ensure_default_catalog(ServiceItem)
    services = list(ServiceItem.objects.filter(place__isnull=True).order_by("sort"))
    weights = [WEIGHTS.get(s.code, 1) for s in services]
    for n, community in enumerate(demo.communities):
        if Application.objects.filter(community=community).exists():
            continue
        _year(demo, community, random.Random(20260601 + n), services, weights)
        if community.pk == demo.community.pk:
            _resident(demo)
    demo_rooms(demo)
    demo_classes(demo)


# --- rooms ------------------------------------------------------------------------------------------------------

# (name, kind, capacity, opens, closes, weekdays, needs approval)
ROOMS = [
    ("议事厅", "meeting", 40, 8, 21, [0, 1, 2, 3, 4, 5, 6], True),
    ("小讲堂", "lecture", 60, 8, 21, [0, 1, 2, 3, 4, 5], False),
    ("阅览室", "reading", 20, 8, 20, [0, 1, 2, 3, 4, 5, 6], False),
    ("棋牌室", "chess", 16, 8, 21, [0, 1, 2, 3, 4, 5, 6], False),
    ("瑜伽室", "yoga", 15, 8, 21, [0, 1, 2, 3, 4, 5], False),
    ("舞蹈室", "dance", 25, 8, 21, [0, 1, 2, 3, 4, 5, 6], True),
]
# Weekly groups: (room index, weekday, start hour, hours, purpose)
GROUPS = [
    (1, 1, 9, 2, "老年大学书法班"), (5, 0, 19, 2, "广场舞队排练"), (4, 2, 18, 1, "瑜伽兴趣小组"),
    (3, 3, 14, 3, "象棋协会活动"), (0, 4, 19, 2, "居民议事会"), (1, 5, 9, 2, "亲子阅读讲座"),
]
ONE_OFF = ["党员学习会", "楼道长例会", "志愿者培训", "业委会会议", "健康讲座", "反诈宣讲", "合唱团排练", "编织小组"]


def _rooms(demo: Any, community: Any, rng: random.Random) -> None:
    import datetime as dt

    from linli.hall.actions import room_save
    from linli.hall.models import Booking, BookingEvent, Room

    if Room.objects.filter(place=community).exists():
        return
    centre = f"{community.name}党群服务中心"
    rooms = [room_save(actor=None, place=community, centre=centre, name=n, kind=k, capacity=c, opens=dt.time(o),
                       closes=dt.time(cl), weekdays=w, needs_approval=a) for n, k, c, o, cl, w, a in ROOMS]
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    taken: dict[tuple[int, dt.date], list[tuple[int, int]]] = {}
    rows = []

    def add(room: Any, day: dt.date, hour: int, hours: int, purpose: str, status: str, name: str) -> None:
        if day.weekday() not in room.weekdays or hour < room.opens.hour or hour + hours > room.closes.hour:
            return
        slots = taken.setdefault((room.pk, day), [])
        if any(hour < e and s < hour + hours for s, e in slots):
            return
        slots.append((hour, hour + hours))
        start = datetime.combine(day, time(hour), tz)
        rows.append(Booking(room=room, place_path=room.place_path, booker_name=name, purpose=purpose,
                            attendees=rng.randint(5, room.capacity), starts_at=start,
                            ends_at=start + timedelta(hours=hours), status=status))

    staff_name = "社区工作人员"
    for idx, weekday, hour, hours, purpose in GROUPS:
        first = today - timedelta(days=365)
        first += timedelta(days=(weekday - first.weekday()) % 7)
        day = first
        while day <= today + timedelta(days=56):
            add(rooms[idx], day, hour, hours, purpose, "confirmed", staff_name)
            day += timedelta(weeks=1)
    for _n in range(700):
        day = today + timedelta(days=rng.randint(-365, 30))
        room = rng.choice(rooms)
        status = "confirmed"
        if day > today and room.needs_approval and rng.random() < 0.3:
            status = "pending"
        elif rng.random() < 0.06:
            status = "cancelled"
        add(room, day, rng.randint(8, 18), rng.choice([1, 2, 2, 3]), rng.choice(ONE_OFF), status,
            rng.choice(["居民", "志愿者", "楼道长", "党员"]))
    made = insert_many(rows)
    insert_many([
        BookingEvent(booking=b, kind="book", actor_name=b.booker_name, at=b.starts_at - timedelta(days=3),
                     to_status=b.status) for b in made
    ])


def demo_rooms(demo: Any) -> None:
    for n, community in enumerate(demo.communities):
        _rooms(demo, community, random.Random(20260701 + n))


# --- classes ----------------------------------------------------------------------------------------------------

# (kind, title, lecturer, sessions, quota): employment and skills classes with the human-resources office, the
# interest classes taught by the street's 讲师团 (volunteer lecturers).
CLASSES = [
    ("employment", "家政服务员培训", "区人社局职业培训中心 陈老师", 8, 40),
    ("employment", "养老护理员（初级）培训", "区人社局职业培训中心 刘老师", 10, 40),
    ("employment", "育婴员培训", "区妇幼保健院 周老师", 8, 30),
    ("employment", "电子商务创业培训", "区创业指导中心 王老师", 6, 50),
    ("skills", "中式面点制作", "社区讲师团 李师傅", 6, 25),
    ("skills", "直播带货技能", "区创业指导中心 赵老师", 5, 40),
    ("skills", "电工基础与安全用电", "社区讲师团 孙师傅", 6, 30),
    ("skills", "智能手机使用（老年班）", "社区讲师团 志愿者小郑", 4, 30),
    ("interest", "书法兴趣班", "社区讲师团 黄老师", 10, 30),
    ("interest", "太极拳班", "社区讲师团 马老师", 12, 40),
    ("interest", "合唱班", "社区讲师团 吴老师", 10, 45),
    ("interest", "国画兴趣班", "社区讲师团 徐老师", 8, 25),
    ("interest", "剪纸非遗课堂", "社区讲师团 何老师", 6, 25),
    ("interest", "葫芦丝班", "社区讲师团 罗老师", 8, 25),
]
COURSE_RUNS = 12  # classes a year in each community: 36 on the street (泥营: 30+ classes, 1,000+ people)


def _course_rows(community: Any, rng: random.Random, today: Any, tz: Any) -> list[tuple[Any, list[datetime]]]:
    """The year's classes of ``community`` with their session times: most finished, one running, one enrolling
    now (starting in two weeks), one cancelled."""
    import datetime as dt

    from linli.hall.models import Course

    out = []
    picks = rng.sample(CLASSES, COURSE_RUNS)
    for i, (kind, title, lecturer, n_sessions, quota) in enumerate(picks):
        if i == COURSE_RUNS - 1:
            first = today + dt.timedelta(days=14)  # enrolling now
        elif i == COURSE_RUNS - 2:
            first = today - dt.timedelta(days=14)  # running
        else:
            first = today - dt.timedelta(days=int(40 + (320 * i) / (COURSE_RUNS - 2)) + rng.randint(0, 10))
        first += dt.timedelta(days=(rng.choice([1, 2, 3, 5]) - first.weekday()) % 7)
        hour = 19 if kind == "employment" else rng.choice([9, 14, 15])
        days = [first + dt.timedelta(weeks=w) for w in range(n_sessions)]
        times = [datetime.combine(d, time(hour), tz) for d in days]
        status = "finished" if days[-1] < today else ("open" if first > today else "closed")
        if i == 3:
            status = "cancelled"
        course = Course(
            place=community, place_path=community.path, community=community, kind=kind, title=title,
            description=f"{title}：{n_sessions}次课，每周一次；出勤达到八成发结业证书。", lecturer=lecturer,
            venue=f"{community.name}党群服务中心小讲堂", quota=quota, starts_on=days[0], ends_on=days[-1],
            min_attendance=80, status=status, version=0 if status == "open" else 1,
        )
        out.append((course, times))
    return out


def _learners(community: Any, n: int) -> list[Any]:
    """``n`` residents of ``community`` spread over its registry (their names only: cheap to read)."""
    from linli.residents.models import Person, PersonStatus

    active = Person.objects.filter(place_path__startswith=community.path, status=PersonStatus.ACTIVE)
    ids = list(active.order_by("id").values_list("id", flat=True)[: n * 4])[::4]
    return list(Person.objects.filter(pk__in=ids).only("id", "name").order_by("id"))


def _classes(demo: Any, community: Any, rng: random.Random) -> None:
    import math

    from linli.hall.models import (
        Attendance,
        Certificate,
        CertificateSerial,
        Course,
        CourseEvent,
        CourseSession,
        Enrolment,
    )
    from linli.hall.workflow import CourseKind

    if Course.objects.filter(community=community).exists():
        return
    persons = _learners(community, 400)
    if not persons:
        return
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate()
    staff_name = "社区工作人员"
    planned = _course_rows(community, rng, today, tz)
    courses = insert_many([c for c, _t in planned])
    sessions: list[CourseSession] = []
    for course, (_c, times) in zip(courses, planned, strict=True):
        for n, start in enumerate(times[:2] if course.status == "cancelled" else times):
            sessions.append(CourseSession(course=course, starts_at=start, ends_at=start + timedelta(hours=2),
                                          topic=f"第{n + 1}讲", code=secrets.token_urlsafe(12)))
    sessions = insert_many(sessions)
    by_course: dict[int, list[CourseSession]] = {}
    for session in sessions:
        by_course.setdefault(session.course_id, []).append(session)

    resident = demo.users.get("resident") if community.pk == demo.community.pk else None
    resident_person = None
    if resident is not None:
        from linli.residents.selectors import person_for_user

        resident_person = person_for_user(resident)
        if resident_person is not None:
            persons = [p for p in persons if p.pk != resident_person.pk]
    # Each enrolment is decided before it is written (cancelled, the sessions attended, completed), so the
    # rows go in once: no update after.
    enrolments: list[Enrolment] = []
    present: list[list[CourseSession]] = []
    events: list[CourseEvent] = []
    joined: set[str] = set()  # 王芳 took a finished interest class (her certificate) and a running class
    for course in courses:
        fill = rng.uniform(0.3, 0.6) if course.status == "open" else rng.uniform(0.7, 1.0)
        n = max(3, min(course.quota, round(course.quota * fill)))
        chosen = rng.sample(persons, min(n, len(persons)))
        if resident_person is not None and course.status not in joined and (
            course.status == "closed" or (course.status == "finished" and course.kind == CourseKind.INTEREST)
        ):
            joined.add(course.status)
            chosen = [resident_person, *chosen[: n - 1]]
        first = datetime.combine(course.starts_on, time(9), tz) - timedelta(days=21)
        held = [s for s in by_course.get(course.pk, []) if s.starts_at <= now]
        needed = math.ceil(len(held) * course.min_attendance / 100)
        course.enrolled = 0
        for person in chosen:
            mine = resident_person is not None and person.pk == resident_person.pk
            e = Enrolment(
                course=course, place_path=course.place_path, user=resident if mine else None, person=person,
                name=person.name, channel="online" if mine or rng.random() < 0.6 else "walk_in",
                enrolled_at=min(now, first + timedelta(days=rng.uniform(0, 20))), status="enrolled",
            )
            came: list[CourseSession] = []
            if course.status != "cancelled" and not mine and rng.random() < 0.05:
                e.status, e.version = "cancelled", 1
            else:
                keen = 1.0 if mine else rng.uniform(0.6, 1.0)
                came = [session for session in held if rng.random() < keen]
                course.enrolled += 1
                if course.status == "finished" and len(came) >= needed:
                    e.status, e.version = "completed", 1
            enrolments.append(e)
            present.append(came)
    Course.objects.bulk_update(courses, ["enrolled"])  # the quota's count, as the compare-and-set keeps it
    enrolments = insert_many(enrolments)
    attendance = [
        Attendance(session=session, enrolment=e, at=session.starts_at + timedelta(minutes=rng.randint(-20, 10)),
                   by_qr=e.channel == "online" or rng.random() < 0.6)
        for e, came in zip(enrolments, present, strict=True) for session in came
    ]
    insert_many(attendance)
    per_course: dict[int, list[Enrolment]] = {}
    for e in enrolments:
        per_course.setdefault(e.course_id, []).append(e)
    for course in courses:
        rows = per_course.get(course.pk, [])
        created_at = min(e.enrolled_at for e in rows) - timedelta(days=3) if rows else now
        events.append(CourseEvent(course=course, kind="create", actor_name=staff_name, at=created_at,
                                  to_status="open", data={"quota": course.quota}))
        for e in rows:
            events.append(CourseEvent(course=course, kind="enrol", actor_name=staff_name if e.channel == "walk_in"
                                      else e.name, at=e.enrolled_at, to_status="enrolled",
                                      data={"enrolment": e.pk, "channel": e.channel}))
            if e.status == "cancelled":
                events.append(CourseEvent(course=course, kind="cancel", actor_name=e.name,
                                          at=e.enrolled_at + timedelta(days=2), from_status="enrolled",
                                          to_status="cancelled", data={"enrolment": e.pk}))
        end = datetime.combine(course.ends_on, time(21), tz)
        if course.status == "closed":
            events.append(CourseEvent(course=course, kind="close", actor_name=staff_name,
                                      at=datetime.combine(course.starts_on, time(8), tz), from_status="open",
                                      to_status="closed"))
        elif course.status == "finished":
            events.append(CourseEvent(course=course, kind="finish", actor_name=staff_name, at=end,
                                      from_status="open", to_status="finished"))
        elif course.status == "cancelled":
            stopped = by_course[course.pk][-1].ends_at
            events.append(CourseEvent(course=course, kind="cancel", actor_name=staff_name, at=stopped,
                                      from_status="open", to_status="cancelled", note="授课老师因病无法继续授课"))
    completed = [e for e in enrolments if e.status == "completed"]

    # Certificates of completion, numbered on from the community's certificates of the year.
    course_of = {c.pk: c for c in courses}
    counters = dict(CertificateSerial.objects.filter(community=community).values_list("year", "last"))
    certs = []
    completed.sort(key=lambda e: (course_of[e.course_id].ends_on, e.pk))
    for e in completed:
        course = course_of[e.course_id]
        issued = datetime.combine(course.ends_on, time(21), tz)
        year = issued.year
        counters[year] = counters.get(year, 0) + 1
        n = counters[year]
        label = CourseKind(course.kind).label
        certs.append(Certificate(
            enrolment=e, community=community, year=year, serial=n,
            number=f"〔{year}〕{community.name}证字第{n:05d}号", code=secrets.token_urlsafe(16), title="结业证书",
            holder_name=e.name, issuer_name=f"{community.name}居民委员会", issued_at=issued,
            text=f"{e.name}于{course.starts_on.year}年{course.starts_on.month}月{course.starts_on.day}日至"
                 f"{course.ends_on.year}年{course.ends_on.month}月{course.ends_on.day}日参加{community.name}"
                 f"举办的“{course.title}”{label}，完成学习，准予结业。",
        ))
    certs = insert_many(certs)
    for cert, e in zip(certs, completed, strict=True):
        events.append(CourseEvent(course_id=e.course_id, kind="complete", actor_name=staff_name,
                                  at=cert.issued_at, from_status="enrolled", to_status="completed",
                                  data={"enrolment": cert.enrolment_id, "certificate": cert.pk}))
    insert_many(events)
    for year, last in counters.items():
        CertificateSerial.objects.update_or_create(community=community, year=year, defaults={"last": last})


def demo_classes(demo: Any) -> None:
    for n, community in enumerate(demo.communities):
        _classes(demo, community, random.Random(20260801 + n))
