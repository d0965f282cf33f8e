"""Intake: every door (resident page, QR code, patrol, visit, staff on behalf, hotline, sensor, Open311)
files a case through ``case_create``. It routes the case, numbers it, sets its deadlines, stores the
photos, writes the "created" event and the audit row, and tells the dispatch desk after commit.
"""

from __future__ import annotations

import copy
import re
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases import deadlines
from linli.cases.actions._common import actor_label, clean_text, event_write
from linli.cases.models import Case, CaseSequence, Category
from linli.cases.routing import place_facts, route_case
from linli.cases.text import tokens_of
from linli.cases.workflow import PERM_DISPATCH, PERM_REPORT, PERM_VIEW, CaseStatus, Channel
from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied
from linli.core.inserts import insert_one, new_instance
from linli.core.masking import mask_phone
from linli.core.refdata import refdata_get, refdata_held

# Doors only staff may use (the case is entered by them, not by the resident).
STAFF_CHANNELS = frozenset({Channel.PATROL, Channel.VISIT, Channel.PROXY, Channel.JOINT_MEETING})
# Doors used by machines and imports (actor=None only).
SYSTEM_CHANNELS = frozenset({Channel.HOTLINE, Channel.SENSOR, Channel.OPEN311})
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def case_sequence_draw(*, district: str, year: int) -> int:
    """Add one to the sequence of ``district`` in ``year`` (creating it) and return it: ONE statement, an
    upsert with RETURNING, on PostgreSQL and SQLite alike. The row stays locked until the caller's
    transaction commits (a rollback gives the number back, so numbers have no gaps): draw it last."""
    table = connection.ops.quote_name(CaseSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # The table name comes from the model's meta; the values are parameters.
            f"INSERT INTO {table} (district, year, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (district, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [district, year],
        )
        return int(cursor.fetchone()[0])


def case_number_assign(case: Case, *, year: int, district: str) -> str:
    """PostgreSQL: draw the next number of ``district`` in ``year`` and write it on ``case`` in ONE
    statement (the upsert of ``case_sequence_draw`` feeding an UPDATE); returns the number."""
    sequence = connection.ops.quote_name(CaseSequence._meta.db_table)
    cases = connection.ops.quote_name(Case._meta.db_table)
    prefix = case_number_format(year=year, district=district, n=0)[:-6]
    with connection.cursor() as cursor:
        cursor.execute(
            # Table names from the models' meta; every value is a parameter.
            f"WITH s AS (INSERT INTO {sequence} (district, year, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (district, year) DO UPDATE SET last = {sequence}.last + 1 RETURNING last) "
            f"UPDATE {cases} SET number = %s || CASE WHEN s.last < 1000000 THEN lpad(s.last::text, 6, '0') "
            f"ELSE s.last::text END FROM s WHERE {cases}.id = %s RETURNING s.last",
            [district, year, prefix, case.pk],
        )
        n = int(cursor.fetchone()[0])
    return case_number_format(year=year, district=district, n=n)


def case_number_format(*, year: int, district: str, n: int) -> str:
    return f"{year}-{district}-{n:06d}" if district else f"{year}-{n:06d}"


def case_number_next(year: int, district: str = "") -> str:
    """The next number of ``district`` (a GB/T 2260 county code, or "") in ``year``, inside the caller's
    transaction: 2026-330106-000123, or 2026-000123 without a district."""
    return case_number_format(year=year, district=district, n=case_sequence_draw(district=district, year=year))


def _numbers_first() -> bool:
    """The scheme before issue 18 (one city-wide row, drawn at the start of the intake and held until its
    commit), kept only so that the cluster test can measure the lock it cost (LINLI_BENCH runs only)."""
    return bool(settings.LINLI_BENCH) and settings.LINLI_CASE_NUMBERS == "city-first"


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def _category_read(key: int | str) -> Category | None:
    qs = Category.objects.select_related("default_department")
    return (qs.filter(pk=key) if isinstance(key, int) else qs.filter(code=key)).first()


def _category(category: Category | int | str, channel: str = "") -> Category:
    """The category (from the process cache: the category actions drop it), as a copy of its own."""
    if isinstance(category, Category):
        key: int | str = category.pk
    elif isinstance(category, int) or (isinstance(category, str) and category.isdigit()):
        key = int(category)
    else:
        key = str(category)
    cached = refdata_get(("categories",), ("category", key), lambda: _category_read(key))
    found = copy.copy(cached) if cached is not None else None
    if found is None or not found.active:
        raise Invalid(_("Choose a category."), fields={"category": [_("Unknown category.")]})
    if found.is_emergency and channel != Channel.SENSOR:
        # A person is told to call the emergency line; a sensor's alarm is filed (and its notice sent).
        raise Invalid(found.emergency_notice, code="emergency", fields={"category": [found.emergency_notice]})
    return found


def _place(place: Any) -> int | None:
    """The id of the named place (checked against the cached routing facts), None without one."""
    if place is None or place == "":
        return None
    pk = getattr(place, "pk", place)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    if pk is None or place_facts(pk) is None:
        raise Invalid(_("Unknown place."), fields={"place": [_("Not found.")]})
    return pk


def _location(lon: Any, lat: Any) -> tuple[float | None, float | None]:
    if lon in (None, "") and lat in (None, ""):
        return None, None
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise Invalid(_("The location is not valid."), fields={"location": [_("Longitude and latitude.")]}) from exc
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise Invalid(_("The location is not valid."), fields={"location": [_("Longitude and latitude.")]})
    return x, y


def _check_door(actor: Any, channel: str) -> None:
    if channel not in Channel.values:
        raise Invalid(_("Unknown channel."), fields={"channel": [_("Unknown channel.")]})
    if actor is None:
        return
    perms: frozenset[str] = getattr(actor, "perms", frozenset())
    if channel in SYSTEM_CHANNELS:
        raise PermissionDenied(_("This channel is for imports and devices."))
    if PERM_REPORT not in perms:
        raise PermissionDenied(_("You may not file cases."))
    if channel in STAFF_CHANNELS and PERM_VIEW not in perms:
        raise PermissionDenied(_("Only staff file cases this way."))


@refdata_held()  # the routing's seven cached lookups read each topic's version once
def case_create(
    *,
    actor: Any,
    category: Category | int | str,
    title: str = "",
    description: str = "",
    channel: str = Channel.SNAPSHOT,
    lon: float | None = None,
    lat: float | None = None,
    place: Any = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    private: bool = False,
    photos: list[Any] | None = None,
    external_id: str = "",
    reported_at: datetime | None = None,
) -> Case:
    """File a case. ``actor`` is the resident or the staff member entering it; ``None`` is a system door
    (hotline import, sensor, Open311, console). ``place`` is a house, building, compound, grid or
    community; without it, ``lon``/``lat`` locate the case. With ``external_id`` (a 12345 ticket
    number), filing the same ticket again returns the first case and changes nothing."""
    from linli.cases.actions.photos import check_count, clean_photo

    _check_door(actor, channel)
    external_id = clean_text(external_id, limit=64)
    if external_id:
        existing = Case.objects.filter(channel=channel, external_id=external_id).first()
        if existing is not None:
            return existing
    cat = _category(category, channel)
    description = clean_text(description, limit=4000)
    title = clean_text(title, limit=100) or description[:30]
    if not title:
        raise Invalid(_("Say what the matter is."), fields={"description": [_("This field is required.")]})
    lon_f, lat_f = _location(lon, lat)
    where = _place(place)
    phone = normalise_phone(reporter_phone)
    if phone and not PHONE_RE.match(phone):
        raise Invalid(_("The phone number is not valid."), fields={"reporter_phone": [_("An 11-digit mobile number.")]})
    files = list(photos or [])
    check_count(files)
    files = [clean_photo(f) for f in files]  # refuse a bad photo before anything is written

    staff_entry = actor is not None and channel in STAFF_CHANNELS
    reporter = actor if actor is not None and not staff_entry else None
    if reporter is not None:
        reporter_name = reporter_name or str(reporter)
    now = timezone.now()
    at = reported_at or now

    try:
        return _file(
            actor=actor, cat=cat, title=title, description=description, channel=channel, external_id=external_id,
            lon=lon_f, lat=lat_f, where=where, address=address, reporter=reporter, reporter_name=reporter_name,
            phone=phone, staff_entry=staff_entry, private=private, files=files, at=at, now=now,
        )
    except IntegrityError:
        # The same ticket filed at the same moment by another import: the first one stands.
        existing = Case.objects.filter(channel=channel, external_id=external_id).first() if external_id else None
        if existing is None:
            raise
        return existing


def desk_users(path: str) -> list[int]:
    """The dispatch desk told of a new case at ``path`` (from the process cache: the role and place
    actions drop it; every place's dispatchers are read at once)."""
    from linli.accounts.selectors import users_over_from, users_over_index

    def compute() -> list[int]:
        index = refdata_get(("places", "roles"), ("dispatchers",), lambda: users_over_index(PERM_DISPATCH))
        return users_over_from(index, path)

    return refdata_get(("places", "roles"), ("desk", path), compute)


def _file(*, actor, cat, title, description, channel, external_id, lon, lat, where, address, reporter,
          reporter_name, phone, staff_entry, private, files, at, now) -> Case:
    from linli.cases.actions.photos import photos_attach

    with transaction.atomic():
        year = timezone.localtime(at).year
        route = route_case(category=cat, lon=lon, lat=lat, place=where)
        first = _numbers_first()
        # The number: one upsert on the district's row of the year. On SQLite the writer holds the whole
        # database anyway, so it is drawn first and inserted with the case; on PostgreSQL it is drawn last
        # (the row stays locked until the commit) by the statement that writes it on the case.
        early = first or connection.vendor != "postgresql"
        if first:
            number = case_number_next(year)
        elif early:
            number = case_number_next(year, route.district_code)
        else:
            number = f"~{uuid.uuid4().hex[:20]}"
        case = new_instance(  # as Case(...), without Model.__init__'s cost
            Case,
            number=number,
            channel=channel,
            external_id=external_id,
            category=cat,
            title=title,
            description=description,
            tokens=" ".join(tokens_of(f"{title} {description}")),
            address=clean_text(address, limit=200),
            lon=lon,
            lat=lat,
            place_id=route.place_id,
            grid_id=route.grid_id,
            community_id=route.community_id,
            place_path=route.place_path,
            compound_kind=route.compound_kind,
            routing=route.steps,
            suggested_user_id=route.worker_id,
            suggested_department_id=route.department_id,
            reporter=reporter,
            reporter_name=clean_text(reporter_name, limit=64),
            reporter_phone=phone,
            created_by=actor if staff_entry else None,
            private=bool(private),
            status=CaseStatus.REPORTED,
            reported_at=at,
        )
        deadlines.set_report_deadlines(case, at)
        insert_one(case)  # as case.save(force_insert=True), without the query compiler
        event = event_write(
            case, kind="created", actor=actor, at=now, to_status=case.status,
            data={"channel": channel, "external_id": external_id, "photos": len(files)},
        )
        case._created_event = event  # type: ignore[attr-defined]  # the 201 answer is built from it
        if files:
            case._created_photos = photos_attach(  # type: ignore[attr-defined]
                case=case, files=files, actor=actor, event=event, now=now)
        recipients = desk_users(case.place_path)  # cached; read before the number locks the district's row
        if not early:
            case.number = case_number_assign(case, year=year, district=route.district_code)
        audit_record(
            action="cases.case_create",
            actor=actor,
            actor_name="" if actor is not None else actor_label(actor),
            target=case,
            detail=created_audit_detail(case, cat),
        )
        created_notice(case, recipients, actor)
    return case


def created_notice(case: Case, recipients: list[int], actor: Any) -> None:
    """The dispatch desk told of the new case (the intake's notice; the demo's bulk path writes the same)."""
    from linli.cases.actions._common import case_notice

    case_notice(
        case, kind="created", user_ids=recipients,
        text=_("New case %(number)s: %(title)s") % {"number": case.number, "title": case.title},
        exclude=getattr(actor, "pk", None),
    )


def created_audit_detail(case: Case, cat: Category) -> dict[str, Any]:
    """What the audit row of an intake says (the demo's bulk path writes the same)."""
    return {
        "channel": case.channel,
        "category": cat.code,
        "place_path": case.place_path,
        "reporter_phone": mask_phone(case.reporter_phone),
        "external_id": case.external_id,
    }
