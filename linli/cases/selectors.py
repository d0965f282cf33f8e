"""Reads of the closed loop: worklists with filters and keyset paging, a case's timeline, duplicate
suggestions, open cases near a point (before filing), categories.

Worklists (``CaseFilters.view``):

- ``all``: every case the user may see (``Case.objects.visible_to``);
- ``mine``: open cases dispatched to the user (or to their department);
- ``desk``: the dispatch desk under the user's scope: cases to accept (reported), to dispatch (accepted,
  incl. returned ones), to verify (reported back) and to close (rated);
- ``department``: open cases owned by or summoned to the user's departments;
- ``overdue``: open cases past their sign or handle deadline;
- ``supervise``: the supervisor's list (督办): open cases overdue or supervised at least once;
- ``reported``: the cases the user reported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import DateTimeField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact, GreaterThan, In
from django.utils import timezone

from linli.accounts.selectors import department_name_of, user_name_of
from linli.cases.models import (
    DESK_STATUSES,
    HANDLE_DUE_STATUSES,
    OPEN_Q,
    Case,
    CaseEvent,
    CaseSummons,
    Category,
)
from linli.cases.selectors_public import public_text
from linli.cases.text import similarity, tokens_of
from linli.cases.workflow import (
    OPEN_STATUSES,
    PERM_DISPATCH,
    CaseStatus,
    available_actions,
    is_case_staff,
)
from linli.core import rawsql
from linli.core.access import scope_of
from linli.core.people import person_label
from linli.core.refdata import refdata_get

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
VIEWS = ("all", "mine", "desk", "department", "overdue", "supervise", "reported")
LIST_FIELDS = (
    "id", "number", "title", "status", "channel", "category__name", "category_id", "grid__name", "community__name",
    "place__name", "place__kind", "supervision_count",
    "owner_kind", "owner_user_id", "owner_department_id", "priority", "support_count", "reported_at", "handle_due",
    "handle_warn_at", "sign_due", "sign_warn_at", "feedback_due", "first_reply_at", "private", "place_path",
)


@dataclass
class CaseFilters:
    view: str = "all"
    status: list[str] = field(default_factory=list)  # "open" stands for every open state
    category: int | None = None  # a category or a top-level category (with its subcategories)
    place: int | None = None  # any place: the cases under it
    department: int | None = None
    channel: str = ""
    overdue: bool = False
    q: str = ""  # number, or words of the title
    reported_from: datetime | None = None
    reported_to: datetime | None = None


class _StatusLiteralIn(In):
    """``status IN ('a', 'b')`` with the states written into the statement rather than bound: SQLite
    uses a partial index only when the query repeats the index's condition, and a bound parameter never
    matches the condition's literals (so the worklists fell back to sorting a whole status). Only known
    state names are written (``status_in``); PostgreSQL gets the same statement."""

    lookup_name = "in_literal"

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        return "(" + ", ".join(f"'{v}'" for v in self.rhs) + ")", ()


class _StatusLiteralExact(Exact):
    lookup_name = "exact_literal"

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return f"= {rhs}"

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        return f"'{self.rhs}'", ()


class _IntLiteralGt(GreaterThan):
    """``column > 0`` with the number written into the statement (an int, nothing else): the supervised
    cases' partial index (cases_case_supervised: supervision_count > 0) is used by SQLite only when the
    query repeats that term literally; bound, the supervision list walked every open case (3 s at
    1,000,000 cases when none is supervised)."""

    lookup_name = "gt_literal"

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return f"> {rhs}"

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        return str(int(self.rhs)), ()


Case._meta.get_field("supervision_count").register_lookup(_IntLiteralGt)
SUPERVISED_Q = Q(supervision_count__gt_literal=0)  # the term of cases_case_supervised_open's condition

_STATUS_FIELD = Case._meta.get_field("status")
_STATUS_FIELD.register_lookup(_StatusLiteralIn)
_STATUS_FIELD.register_lookup(_StatusLiteralExact)
_STATUS_VALUES = frozenset(CaseStatus.values)


def status_in(statuses: Any) -> Q:
    """The cases in ``statuses`` (in this order: a partial index's condition lists them the same way)."""
    values = [str(s) for s in statuses]
    if not values or not all(v in _STATUS_VALUES for v in values):
        return Q(status__in=values)
    if len(values) == 1:
        return Q(status__exact_literal=values[0])
    return Q(status__in_literal=values)


def _open_q() -> Q:
    return status_in(sorted(OPEN_STATUSES))


def _view_qs(user: Any, view: str) -> QuerySet[Case]:
    qs = Case.objects.visible_to(user)
    scope = scope_of(user)
    now = timezone.now()
    if view == "mine":
        mine = Q(owner_user_id=user.pk)
        if scope.department_ids:
            mine |= Q(owner_department_id__in=sorted(scope.department_ids))
        return qs.filter(mine, _open_q())
    if view == "desk":
        if PERM_DISPATCH not in getattr(user, "perms", ()):
            return qs.none()
        return qs.filter(scope.place_q("place_path"), status_in(DESK_STATUSES))
    if view == "department":
        departments = sorted(scope.department_ids)
        if not departments:
            return qs.none()
        summoned = CaseSummons.objects.filter(department_id__in=departments).exclude(status="answered").values("case_id")
        return qs.filter(Q(owner_department_id__in=departments) | Q(pk__in=summoned), _open_q())
    if view == "overdue":
        return qs.filter(_open_q(), _overdue_q(now))
    if view == "supervise":
        return qs.filter(_open_q(), _overdue_q(now) | SUPERVISED_Q)
    if view == "reported":
        return qs.filter(reporter_id=user.pk)
    return qs


def _overdue_q(now: datetime) -> Q:
    # The states are bound parameters here, on purpose: SQLite then cannot take the deadline indexes
    # (cases_case_sign_due_open, cases_case_handle_due_open, for the escalation task), whose union it
    # would sort whole when most open cases are late; the list walks cases_case_open_id (the view adds
    # the open states as literals) and stops at a page. PostgreSQL chooses by its statistics.
    return Q(status=CaseStatus.DISPATCHED, sign_due__lt=now) | Q(status__in=HANDLE_DUE_STATUSES, handle_due__lt=now)


def _view_branches(user: Any, view: str) -> list[QuerySet[Case]]:
    """The view as one or more querysets whose union is ``_view_qs(user, view)``, each answered by one
    index in id order (an OR of a department and its summons would make the planner read and sort
    every open case of the department)."""
    if view == "department":
        departments = sorted(scope_of(user).department_ids)
        if not departments:
            return [Case.objects.none()]
        summoned = CaseSummons.objects.filter(department_id__in=departments).exclude(status="answered").values("case_id")
        # Both lie inside visible_to(user) (its department terms), so they need not repeat it.
        base = Case.objects.filter(_open_q())
        return [base.filter(owner_department_id__in=departments), base.filter(pk__in=summoned)]
    if view == "supervise":
        # Two branches, each walking its own index in id order: the overdue ones, and the supervised ones.
        # The supervised: the open states bound (OPEN_Q), so that only cases_case_supervised answers it.
        return [_view_qs(user, "overdue"), Case.objects.visible_to(user).filter(OPEN_Q, SUPERVISED_Q)]
    return [_view_qs(user, view)]


def case_queryset(user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    f = filters or CaseFilters()
    return _filtered(_view_qs(user, f.view if f.view in VIEWS else "all"), f)


def case_querysets(user: Any, filters: CaseFilters | None = None) -> list[QuerySet[Case]]:
    """``case_queryset`` as a union of querysets (see ``_view_branches``), for ``page_rows``."""
    f = filters or CaseFilters()
    return [_filtered(qs, f) for qs in _view_branches(user, f.view if f.view in VIEWS else "all")]


def _filtered(qs: QuerySet[Case], f: CaseFilters) -> QuerySet[Case]:
    statuses = set(f.status)
    if "open" in statuses:
        statuses = (statuses - {"open"}) | set(OPEN_STATUSES)
    if statuses:
        qs = qs.filter(status_in(sorted(statuses)))
    if f.category:
        qs = qs.filter(Q(category_id=f.category) | Q(category__parent_id=f.category))
    if f.place:
        from linli.places.selectors import place_get

        path = getattr(place_get(f.place), "path", None)
        qs = qs.filter(place_path__startswith=path) if path else qs.none()
    if f.department:
        summoned = CaseSummons.objects.filter(department_id=f.department).values("case_id")
        qs = qs.filter(Q(owner_department_id=f.department) | Q(pk__in=summoned))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.overdue:
        qs = qs.filter(_overdue_q(timezone.now()))
    if f.reported_from:
        qs = qs.filter(reported_at__gte=f.reported_from)
    if f.reported_to:
        qs = qs.filter(reported_at__lt=f.reported_to)
    text = (f.q or "").strip()
    if text:
        if text[:4].isdigit() and "-" in text:
            qs = qs.filter(number__startswith=text)
        else:
            words = tokens_of(text) or [text]
            cond = Q()
            for w in words[:5]:
                cond &= Q(title__icontains=w) | Q(tokens__contains=w)
            qs = qs.filter(cond)
    return qs


def case_page(user: Any, filters: CaseFilters | None = None, *, after: int | None = None,
              size: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], int | None]:
    """One page of rows (dicts, newest first) and the ``after`` of the next page (None at the end).
    Keyset paging on the id: the next page is ``id < after``; four queries (five for the department
    view) at most whatever the page."""
    size = max(1, min(int(size or PAGE_SIZE), MAX_PAGE_SIZE))
    return page_rows(case_querysets(user, filters), after=after, size=size, now=timezone.now())


def page_rows(branches: QuerySet[Case] | list[QuerySet[Case]], *, after: int | None, size: int,
              now: datetime) -> tuple[list[dict[str, Any]], int | None]:
    """The keyset page of the union of ``branches`` (newest first): its rows with owner names and
    lights, and the next ``after`` (None at the end; the set is never counted: one more id than the
    page says "more").

    One statement: the rows and their joins by primary key, for the ids of the page, which a subquery
    per branch reads alone (``ORDER BY id DESC LIMIT size+1``: a partial index on the list's states
    answers it without reading the table, also when the planner has to sort, as for a community's desk);
    several branches are one ``UNION`` of those subqueries. The owner's name comes as a scalar subquery
    (with two more joins PostgreSQL's planner searched the orders of nine relations: ~100 ms a page).
    The ORM builds the branches' subqueries on each call; the rest of the statement it built once per
    process (``_rows_statement``): building and compiling it every time cost several times what the
    database took to answer it (bench/cases_worklist.py)."""
    sqls: list[str] = []
    params: list[Any] = []
    alias = Case.objects.all().db  # where the ORM would read (the replica inside replica_reads)
    for qs in branches if isinstance(branches, list) else [branches]:
        if after:
            qs = qs.filter(pk__lt=after)
        try:
            sql, branch_params = qs.order_by("-id").values("id")[: size + 1].query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:
            continue
        sqls.append(f"SELECT id FROM ({sql}) AS branch_{len(sqls)}")  # noqa: S608 (the ORM's own SQL)
        params.extend(branch_params)
    if not sqls:
        return [], None
    statement, head_params = _rows_statement(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(statement.replace(_IDS, " UNION ".join(sqls)).replace(_LIMIT, str(int(size) + 1)),
                       [*head_params, *params])
        rows = [_row(values) for values in cursor.fetchall()]
    more = len(rows) > size
    rows = rows[:size]
    for row in rows:
        _owner_name(row)
        row["light"] = row_light(row, now)
    return rows, (rows[-1]["id"] if more and rows else None)


_IDS = "SELECT 424242424242"  # where the ids' subqueries go in the statement built by the ORM
_LIMIT = "424242424243"
_ROW_FIELDS = (*LIST_FIELDS, "owner_user_name", "owner_department_name")
_DATETIMES = frozenset(f for f in LIST_FIELDS if "__" not in f and isinstance(
    Case._meta.get_field(f.removesuffix("_id")), DateTimeField))
_statements: dict[str, tuple[str, list[Any]]] = {}


def _rows_statement(alias: str) -> tuple[str, list[Any]]:
    """The SQL of the page's rows (``LIST_FIELDS`` and the owner's names, newest first) with ``_IDS`` where
    the ids' subquery goes and ``_LIMIT`` for the page size, and its parameters (those of the select list,
    which come before the ids'): built by the ORM once per process and database."""
    vendor = connections[alias].vendor
    if vendor not in _statements:
        qs = Case.objects.filter(pk__in=RawSQL(_IDS, [])).order_by("-id").values(  # noqa: S611 (a constant)
            *LIST_FIELDS, owner_user_name=user_name_of("owner_user_id"),
            owner_department_name=department_name_of("owner_department_id"))[: int(_LIMIT)]
        sql, head = qs.query.get_compiler(using=alias).as_sql()
        _statements[vendor] = (sql, list(head))
    return _statements[vendor]


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    """A row of the page as ``values()`` gives it: datetimes aware, ``private`` a bool."""
    row = dict(zip(_ROW_FIELDS, values, strict=True))
    for name in _DATETIMES:
        row[name] = rawsql.dt_value(row[name])
    row["private"] = bool(row["private"])
    return row


def _owner_name(row: dict[str, Any]) -> None:
    """``row["owner"]``: the user's name, else the department's, else the community's when the community
    owns the case (the names come with the rows: ``user_name_of``, ``department_name_of``)."""
    user, department = row.pop("owner_user_name"), row.pop("owner_department_name")
    row["owner"] = user or department or (row["community__name"] if row["owner_kind"] == "community" else "")


def row_light(row: dict[str, Any], now: datetime) -> str:
    """The traffic light of a list row (see deadlines.light)."""
    from types import SimpleNamespace

    from linli.cases import deadlines

    return deadlines.light(SimpleNamespace(**row), now).level


# --- one case ---------------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    id: int
    kind: str
    label: str
    at: datetime
    actor: str
    from_status: str
    to_status: str
    note: str  # empty for readers who are not staff of the case
    reply: str
    data: dict[str, Any]
    photos: list[str]


def case_timeline(case: Case, user: Any) -> list[TimelineEntry]:
    """The events of a case in order; internal notes (and note-only events) only for its staff."""
    staff = user is not None and getattr(user, "is_authenticated", False) and is_case_staff(case, user)
    events = list(case.events.select_related("actor").prefetch_related("photos").order_by("at", "id"))
    return [timeline_entry(e, staff=staff, photos=e.photos.all()) for e in events
            if staff or e.kind not in ("comment", "escalate") or e.reply]


def timeline_entry(e: CaseEvent, *, staff: bool, photos: Iterable[Any]) -> TimelineEntry:
    """One event as its reader sees it (``staff``: of the case); ``photos``: the event's photos."""
    return TimelineEntry(
        id=e.pk,
        kind=e.kind,
        label=str(e.get_kind_display()),
        at=e.at,
        actor=person_label(e.actor, masked=False) if staff and e.actor else "",
        from_status=e.from_status,
        to_status=e.to_status,
        note=e.note if staff else "",
        reply=e.reply,
        data=e.data if staff else {},
        photos=[p.image.url for p in photos],
    )


def case_actions(case: Case, user: Any) -> list[dict[str, Any]]:
    """The buttons for ``user`` on ``case`` (from the workflow table)."""
    return [
        {"name": t.name, "label": str(t.label), "style": t.style, "required": list(t.required), "target": t.target}
        for t in available_actions(case, user)
    ]


def case_summons(case: Case) -> list[CaseSummons]:
    return list(case.summons.select_related("department").order_by("id"))


# --- duplicates --------------------------------------------------------------------------------------------

SAME_REPORTER_DAYS = 30
TEXT_WINDOW_DAYS = 30
TEXT_THRESHOLD = 0.3


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _box(lon: float, lat: float, radius_m: float) -> Q:
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return Q(lon__gte=lon - dlon, lon__lte=lon + dlon, lat__gte=lat - dlat, lat__lte=lat + dlat)


@dataclass
class Suggestion:
    case: Case
    score: float
    reasons: list[str]
    distance_m: float | None = None


def duplicate_suggestions(case: Case, *, user: Any = None, limit: int = 10) -> list[Suggestion]:
    """Open cases this one may duplicate, best first. Reasons: ``same_reporter`` (the same person and
    category within 30 days), ``nearby`` (the same category within the category's radius and window),
    ``similar_text`` (rjieba tokens, Jaccard ≥ 0.3, same community, 30 days)."""
    base = Case.objects.visible_to(user) if user is not None else Case.objects.all()
    base = base.filter(_open_q()).exclude(pk=case.pk).select_related("category")
    found: dict[int, Suggestion] = {}

    def add(c: Case, score: float, reason: str, dist: float | None = None) -> None:
        s = found.setdefault(c.pk, Suggestion(c, 0.0, [], dist))
        s.score = max(s.score, score)
        if reason not in s.reasons:
            s.reasons.append(reason)
        if dist is not None:
            s.distance_m = dist

    since = case.reported_at - timedelta(days=SAME_REPORTER_DAYS)
    who = Q()
    if case.reporter_id:
        who |= Q(reporter_id=case.reporter_id)
    if case.reporter_phone_hash:
        who |= Q(reporter_phone_hash=case.reporter_phone_hash)
    if who:
        for c in base.filter(who, category_id=case.category_id, reported_at__gte=since)[:50]:
            add(c, 1.0, "same_reporter")

    cat = case.category
    if case.lon is not None and case.lat is not None and cat.duplicate_radius_m:
        window = case.reported_at - timedelta(days=cat.duplicate_days or 7)
        near = base.filter(_box(case.lon, case.lat, cat.duplicate_radius_m), category_id=case.category_id,
                           reported_at__gte=window)
        for c in near[:200]:
            d = distance_m(case.lon, case.lat, c.lon, c.lat)  # type: ignore[arg-type]
            if d <= cat.duplicate_radius_m:
                add(c, 0.6 + 0.4 * (1 - d / cat.duplicate_radius_m), "nearby", d)
    elif case.place_id:
        window = case.reported_at - timedelta(days=cat.duplicate_days or 7)
        for c in base.filter(place_id=case.place_id, category_id=case.category_id, reported_at__gte=window)[:50]:
            add(c, 0.8, "nearby", 0.0)

    if case.tokens and case.community_id:
        window = case.reported_at - timedelta(days=TEXT_WINDOW_DAYS)
        pool = base.filter(community_id=case.community_id, reported_at__gte=window).order_by("-id")[:500]
        for c in pool:
            sim = similarity(case.tokens, c.tokens)
            if sim >= TEXT_THRESHOLD:
                add(c, 0.4 + 0.6 * sim, "similar_text")
    return sorted(found.values(), key=lambda s: (-s.score, -s.case.pk))[:limit]


@dataclass
class NearbyCase:
    id: int
    number: str
    title: str
    category: str
    status: str
    support_count: int
    distance_m: float | None


def nearby_open_cases(*, category: Category | None = None, lon: float | None = None, lat: float | None = None,
                      place: Any = None, radius_m: float | None = None, limit: int = 5) -> list[NearbyCase]:
    """Public open cases near a point (or at the same building) for the resident's "me too" before
    filing: no reporter, no notes, the title through the one rule for public cases (``selectors_public``).
    Private cases never appear."""
    qs = Case.objects.filter(_open_q(), private=False)
    if category is not None:
        qs = qs.filter(category_id=category.pk)
    radius = radius_m if radius_m is not None else (category.duplicate_radius_m if category else 200)
    window = timezone.now() - timedelta(days=(category.duplicate_days if category else 7) or 7)
    qs = qs.filter(reported_at__gte=window).select_related("category")
    out: list[NearbyCase] = []
    if lon is not None and lat is not None and radius:
        for c in qs.filter(_box(lon, lat, radius))[:200]:
            d = distance_m(lon, lat, c.lon, c.lat)  # type: ignore[arg-type]
            if d <= radius:
                out.append(NearbyCase(c.pk, c.number, public_text(c.title, names=(c.reporter_name,)),
                                      c.category.name, str(c.get_status_display()), c.support_count, round(d)))
        out.sort(key=lambda n: n.distance_m or 0)
    elif place is not None:
        for c in qs.filter(place_id=getattr(place, "pk", place)).order_by("-id")[:limit]:
            out.append(NearbyCase(c.pk, c.number, public_text(c.title, names=(c.reporter_name,)),
                                  c.category.name, str(c.get_status_display()), c.support_count, None))
    return out[:limit]


# --- categories ------------------------------------------------------------------------------------------


def category_tree(*, include_inactive: bool = False) -> list[tuple[Category, list[Category]]]:
    """Top-level categories with their subcategories, in order. One query."""
    qs = Category.objects.all() if include_inactive else Category.objects.filter(active=True)
    rows = list(qs.order_by("sort_order", "code"))
    children: dict[int, list[Category]] = {}
    for c in rows:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    return [(c, children.get(c.pk, [])) for c in rows if c.parent_id is None]


def category_options() -> list[tuple[str, str]]:
    """The active categories as (id, name) choices, each top-level one followed by its subcategories: the
    worklists' filter. Cached per process (core/refdata.py), dropped by the category actions."""
    return refdata_get(("categories",), ("options",), lambda: [
        (str(c.pk), c.name) for top, subs in category_tree() for c in [top, *subs]])


def category_search(q: str, *, limit: int = 20) -> list[Category]:
    """Active categories whose name or search words contain ``q`` (the resident's searchable picker)."""
    q = (q or "").strip()
    qs = Category.objects.filter(active=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(keywords__icontains=q))
    return list(qs.select_related("parent").order_by("sort_order", "code")[:limit])


def public_events(case: Case) -> QuerySet[CaseEvent]:
    """The events a resident reads (those with a public reply, and the state changes)."""
    return case.events.exclude(kind__in=["comment", "escalate"], reply="").order_by("at", "id")


def case_states(ids: Any) -> dict[int, dict[str, Any]]:
    """Number, status and closing time of the given cases (for modules that file cases and follow them:
    evaluation's inspection campaigns). One query per 5,000 ids."""
    wanted = sorted({int(i) for i in ids if i is not None})
    out: dict[int, dict[str, Any]] = {}
    for at in range(0, len(wanted), 5000):
        for row in Case.objects.filter(pk__in=wanted[at:at + 5000]).values("id", "number", "status", "closed_at"):
            out[row["id"]] = dict(row)
    return out


def kpi_rows(**kwargs: Any) -> list[dict[str, Any]]:
    """The KPI table (``linli.cases.kpi.kpi_table``) for other apps: one row per place or month with its
    counters and rates (evaluation's rankings of communities and grids read it)."""
    from linli.cases.kpi import kpi_table

    return kpi_table(**kwargs)


def category_codes() -> dict[str, int]:
    """Every category's code and id (other apps ensure the categories they file under: iot)."""
    return dict(Category.objects.values_list("code", "id"))


# What a case's point on the map needs: its location, its label and the columns of its deadline light.
MAP_FIELDS = ("id", "number", "title", "status", "lon", "lat", "sign_due", "sign_warn_at", "handle_due",
              "handle_warn_at", "first_reply_at", "feedback_due", "category__name", "place_id")


def open_cases_geojson(user: Any, *, place_path: str, limit: int = 2000) -> dict[str, Any]:
    """The open cases under ``place_path`` that ``user`` may see, as points for the one map (the case's
    own location, else its building's point), newest first, at most ``limit``; ``truncated`` says when
    there were more. Read as plain rows (no model instances: the map asks every 15 seconds)."""
    from types import SimpleNamespace

    from linli.cases.deadlines import light

    qs = (Case.objects.visible_to(user).filter(_open_q(), place_path__startswith=place_path)
          .order_by("-id").values(*MAP_FIELDS))
    rows = list(qs[: limit + 1])
    now = timezone.now()
    labels = {value: str(label) for value, label in CaseStatus.choices}
    from linli.places.selectors import place_geometries

    # The building's (or other place's) point for the cases without their own.
    geometries = place_geometries({r["place_id"] for r in rows[:limit]
                                   if r["place_id"] and (r["lon"] is None or r["lat"] is None)})
    features = []
    for r in rows[:limit]:
        lon, lat = r["lon"], r["lat"]
        geometry = geometries.get(r["place_id"])
        if (lon is None or lat is None) and geometry and geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"][:2]
        if lon is None or lat is None:
            continue
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": {
            "id": r["id"], "number": r["number"], "title": r["title"], "status": r["status"],
            "status_label": labels.get(r["status"], r["status"]), "category": r["category__name"] or "",
            "light": light(SimpleNamespace(**r), now).level}})
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}


def screen_case_figures(user: Any, *, place_path: str, place_kind: str, month_from: int, month_to: int,
                        categories_from: int, now: datetime | None = None) -> dict[str, Any]:
    """For the big screens (linli/dashboards): the KPI months, this year's categories and the open cases of
    a street or community in three reads (``linli.cases.kpi_screen.screen_cases``)."""
    from linli.cases.kpi_screen import screen_cases

    return screen_cases(user, place_path=place_path, place_kind=place_kind, month_from=month_from,
                        month_to=month_to, categories_from=categories_from, now=now)


def case_id_by_number(number: str) -> int | None:
    """The id of the case with this number (e.g. 20260101-0001), or None."""
    return Case.objects.filter(number=number).values_list("pk", flat=True).first() if number else None


def active_leaf_categories(*, limit: int = 200) -> list[Category]:
    """The active categories below a top-level one, by parent and id (bounded): what a case is filed under."""
    return list(Category.objects.filter(parent__isnull=False, active=True).order_by("parent_id", "id")[:limit])


def latest_replies(case_ids: list[int]) -> dict[int, str]:
    """The latest reply to the reporter of each case that has one."""
    out: dict[int, str] = {}
    for case_id, reply in (
        CaseEvent.objects.filter(case_id__in=case_ids).exclude(reply="").order_by("id").values_list("case_id", "reply")
    ):
        out[case_id] = reply
    return out


def address_match(address: str, *, root_path: str = "") -> Any:
    """The building (else the compound) named in ``address`` under ``root_path``, or None (cases.hotline)."""
    from linli.cases.hotline import address_match as match

    return match(address, root_path=root_path)


def case_get(pk: Any) -> Case | None:
    """The case with this id (no scope: for the system's own follow-ups), or None."""
    if not str(pk if pk is not None else "").strip().isdigit():
        return None
    return Case.objects.filter(pk=int(str(pk).strip())).first()


def active_leaf_categories_by_code() -> QuerySet[Category]:
    """The active categories below a top-level one, by code (a QuerySet: a form's choices)."""
    return Category.objects.filter(active=True, parent__isnull=False).order_by("code")
