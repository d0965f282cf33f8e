"""The hall's part of the demo street (``linli demo``): a year of applications in each of the three
communities (mostly done and rated, some refused or withdrawn, a few still open, some overdue), with their
event rows and the certificates of the 证明 services numbered per community and year; and for the demo
resident 王芳 a 居住证明 ready to download and a 低保 application with materials missing. The year is
written in bulk (a few thousand rows in well under a second); the resident's own go through the actions.
Idempotent: a community that already has applications is left as it is. Fictional data only."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

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
    created = Application.objects.bulk_create(apps)
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
    ApplicationEvent.objects.bulk_create(events)
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
    Certificate.objects.bulk_create(rows)
    CertificateSerial.objects.bulk_create(
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
    made = Booking.objects.bulk_create(rows)
    BookingEvent.objects.bulk_create([
        BookingEvent(booking=b, kind="book", actor_name=b.booker_name, at=b.starts_at - timedelta(days=3),
                     to_status=b.status) for b in made
    ])


def demo_rooms(demo: Any) -> None:
    for n, community in enumerate(demo.communities):
        _rooms(demo, community, random.Random(20260701 + n))
