"""KPIs of the closed loop (docs/kpis.md): rollups kept by the actions, recomputed from the event log.

- ``kpi_record(event, case)``: called by ``actions._common.event_write`` for every ``CaseEvent``; the
  counted kinds add their deltas to one ``KpiRollup`` row (inside the action's transaction).
- ``event_deltas``: the one definition of what an event adds; both the live path and the recompute
  use it, so they can only differ when a row was changed by something else (or an event was lost).
- ``kpi_recompute()`` / ``kpi_diff()`` / ``kpi_fix()``: rebuild the rollups from ``CaseEvent``.
- ``kpi_table(user=, by=, ...)``: the counters, rates and means per month, grid, community, street,
  department or category, over the rollups the user may see.

A case counts in the month it was reported (its cohort) and in its grid/community/street and
category; its events count for the department that owned the case when they happened.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.selectors import departments_by_ids
from linli.cases import kpi_areas
from linli.cases.kpi_areas import areas_of, kpi_area_delta, kpi_area_fold
from linli.cases.models_kpi import KPI_COUNTERS, KpiRollup
from linli.cases.routing import areas_of_path
from linli.core.batches import keyset_batches
from linli.core.inserts import update_add

COUNTED_KINDS = frozenset(
    {
        "created", "refuse", "merge", "accept", "dispatch", "return", "sign", "report", "rework", "verify",
        "extend_approve", "rate", "close", "reopen",
    }
)
SIMPLE = {
    "created": "reported",
    "refuse": "refused",
    "merge": "merged",
    "accept": "accepted",
    "dispatch": "dispatched",
    "return": "returned",
    "rework": "reworked",
    "verify": "verified",
    "extend_approve": "extended",
}
SATISFIED = frozenset({"satisfied", "basically"})

# (month, place_path, category_id, department_id, compound_kind): the unique key of a rollup row.
Key = tuple[int, str, int, int, str]


def month_of(at: datetime) -> int:
    local = timezone.localtime(at) if timezone.is_aware(at) else at
    return local.year * 100 + local.month


def rollup_path(place_path: str, grid_id: int | None, community_id: int | None) -> str:
    """The case's path cut at its grid (else its community, else its street)."""
    parts = [p for p in (place_path or "").split("/") if p]
    for node in (grid_id, community_id):
        if node is not None and str(node) in parts:
            return "/" + "/".join(parts[: parts.index(str(node)) + 1]) + "/"
    return "/" + "/".join(parts) + "/" if parts else ""  # the street (or whatever is most precise)


@dataclass
class CaseState:
    """What the deltas of an event depend on besides the event: the case's report time, when it was
    last given to an owner, and the deltas of its last close (a reopen takes them back)."""

    reported_at: datetime
    dispatched_at: datetime | None = None
    last_close: dict[str, int] = field(default_factory=dict)


def _seconds(later: datetime, earlier: datetime | None) -> int:
    if earlier is None:
        return 0
    return max(0, int((later - earlier).total_seconds()))


def close_deltas(at: datetime, data: dict[str, Any], reported_at: datetime) -> dict[str, int]:
    return {"closed": 1, "closed_ontime": int(bool(data.get("ontime"))), "close_seconds": _seconds(at, reported_at)}


def event_deltas(kind: str, data: dict[str, Any], at: datetime, state: CaseState) -> dict[str, int]:
    """What one event adds to its rollup row (docs/kpis.md)."""
    if kind in SIMPLE:
        return {SIMPLE[kind]: 1}
    if kind == "sign":
        return {"signed": 1, "signed_ontime": int(not data.get("late")), "sign_seconds": _seconds(at, state.dispatched_at)}
    if kind == "report":
        return {"reported_back": 1, "reported_back_ontime": int(not data.get("late"))}
    if kind == "rate":
        return {
            "rated": 1,
            "satisfied": int(data.get("satisfaction") in SATISFIED),
            "solved": int(data.get("solved") is True),
        }
    if kind == "close":
        return close_deltas(at, data, state.reported_at)
    if kind == "reopen":
        out = {"reopened": 1}
        if data.get("was") == "closed":  # the close is taken back; the next close counts instead
            for name, value in state.last_close.items():
                out[name] = out.get(name, 0) - value
        return out
    return {}


# --- the live path -------------------------------------------------------------------------------------


def _rollup_add(key: Key, ids: tuple[int, int, int], deltas: dict[str, int]) -> None:
    month, path, category_id, department_id, compound_kind = key
    changes = {name: value for name, value in deltas.items() if value}
    if not changes:
        return
    where = {"month": month, "place_path": path, "category_id": category_id, "department_id": department_id,
             "compound_kind": compound_kind}
    if update_add(KpiRollup, where, changes):  # one prepared statement (the ORM's compiler costs more)
        return
    rows = KpiRollup.objects.filter(**where)
    street_id, community_id, grid_id = ids
    try:
        with transaction.atomic():
            KpiRollup.objects.create(
                month=month, place_path=path, category_id=category_id, department_id=department_id,
                compound_kind=compound_kind, street_id=street_id, community_id=community_id, grid_id=grid_id,
                **changes,
            )
    except IntegrityError:  # created meanwhile by another transaction
        rows.update(**{name: F(name) + value for name, value in changes.items()})


def _street_of(path: str) -> int:
    """The street a path lies in (below a city and a district in a city tree), 0 when none."""
    return areas_of([path]).get(path, (0, 0))[0] if path else 0


def kpi_record(event: Any, case: Any) -> None:
    """Add ``event`` (just written for ``case``, in the action's transaction) to the rollups."""
    kind = event.kind
    if kind not in COUNTED_KINDS:
        return
    state = CaseState(reported_at=case.reported_at, dispatched_at=case.dispatched_at)
    if kind == "reopen" and (event.data or {}).get("was") == "closed":
        from linli.cases.models import CaseEvent

        last = CaseEvent.objects.filter(case_id=case.pk, kind="close").exclude(pk=event.pk).order_by("-id").first()
        if last is not None:
            state.last_close = close_deltas(last.at, last.data or {}, case.reported_at)
    deltas = event_deltas(kind, event.data or {}, event.at, state)
    path = rollup_path(case.place_path, case.grid_id, case.community_id)
    key = (month_of(case.reported_at), path, case.category_id or 0, case.owner_department_id or 0,
           case.compound_kind or "")
    street, district = areas_of_path(path)  # from the routing's cached tree
    _rollup_add(key, (street, case.community_id or 0, case.grid_id or 0), deltas)
    kpi_area_delta(key=key, deltas=deltas, street=street, district=district)  # street and district: folded later


# --- recompute from the events -------------------------------------------------------------------------


@dataclass
class Recomputed:
    rows: dict[Key, dict[str, int]]
    ids: dict[Key, tuple[int, int, int]]
    events: int = 0


def _counted_events(chunk: int, cases: list[int] | None = None) -> Iterator[tuple[Any, ...]]:
    """The counted events ordered by (case, id), read a batch of cases at a time (keyset over the case
    ids, no server-side cursor: this runs through PgBouncer too); only those of ``cases`` when given."""
    from linli.cases.models import Case

    qs = Case.objects.values_list("pk", flat=True)
    if cases is not None:
        qs = qs.filter(pk__in=cases)
    for case_ids in keyset_batches(qs, chunk):
        if cases is not None:
            wanted = set(case_ids)
            yield from (row for row in _events_of(case_ids) if row[0] in wanted)
            continue
        yield from _events_of(case_ids)


def _events_of(case_ids: list[int]) -> Iterator[tuple[Any, ...]]:
    from linli.cases.models import CaseEvent

    return iter(
        CaseEvent.objects.filter(kind__in=sorted(COUNTED_KINDS), case_id__gte=case_ids[0], case_id__lte=case_ids[-1])
        .order_by("case_id", "id")
        .values_list(
            "case_id", "kind", "at", "data", "case__reported_at", "case__place_path", "case__grid_id",
            "case__community_id", "case__category_id", "case__compound_kind",
        )
    )


def kpi_recompute(*, chunk: int = 2000, cases: list[int] | None = None) -> Recomputed:
    """The rollups as the event log says they should be (one ordered pass over the counted events,
    ``chunk`` cases at a time); with ``cases``, what those cases' events add."""
    rows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KPI_COUNTERS, 0))
    ids: dict[Key, tuple[int, int, int]] = {}
    current: int | None = None
    state = CaseState(reported_at=timezone.now())
    department = 0
    base: tuple[int, str, int] = (0, "", 0)
    compound_kind = ""
    case_ids = (0, 0, 0)
    count = 0
    streets: dict[str, int] = {}
    for (case_id, kind, at, data, reported_at, place_path, grid_id, community_id, category_id,
         case_compound_kind) in _counted_events(chunk, cases):
        count += 1
        data = data or {}
        if case_id != current:
            current = case_id
            state = CaseState(reported_at=reported_at)
            department = 0
            path = rollup_path(place_path, grid_id, community_id)
            base = (month_of(reported_at), path, category_id or 0)
            compound_kind = case_compound_kind or ""
            if path not in streets:
                streets[path] = _street_of(path)
            case_ids = (streets[path], community_id or 0, grid_id or 0)
        # The owner after the event (what the live path sees on the case).
        if kind == "dispatch":
            department = int(data.get("owner_department") or 0)
            state.dispatched_at = at
        elif kind == "return":
            department = 0
        elif kind == "reopen":
            state.dispatched_at = at
        deltas = event_deltas(kind, data, at, state)
        if kind == "close":
            state.last_close = dict(deltas)
        key = (base[0], base[1], base[2], department, compound_kind)
        row = rows[key]
        ids.setdefault(key, case_ids)
        for name, value in deltas.items():
            row[name] += value
    return Recomputed(rows=dict(rows), ids=ids, events=count)


def kpi_add_cases(cases: list[int]) -> int:
    """Add what the events of ``cases`` count to the rollups: the bulk path of cases whose events were
    written in batches (the demo's year), not one by one through ``event_write``. The same replay as
    the recompute, for these cases; one update (or insert) per rollup row and one area delta. Returns
    the number of rows touched."""
    if not cases:
        return 0
    fresh = kpi_recompute(cases=cases)
    months = sorted({key[0] for key in fresh.rows})
    existing = set(KpiRollup.objects.filter(month__in=months).values_list(
        "month", "place_path", "category_id", "department_id", "compound_kind"))
    new, areas = [], areas_of({key[1] for key in fresh.rows})
    deltas = []
    for key, counters in fresh.rows.items():
        if key in existing:
            _rollup_add(key, fresh.ids[key], counters)
        elif any(counters.values()):
            street_id, community_id, grid_id = fresh.ids[key]
            new.append(KpiRollup(month=key[0], place_path=key[1], category_id=key[2], department_id=key[3],
                                 compound_kind=key[4], street_id=street_id, community_id=community_id, grid_id=grid_id,
                                 **counters))
        street, district = areas.get(key[1], (0, 0))
        row = kpi_areas.area_delta_row(key=key, deltas=counters, street=street, district=district)
        if row is not None:
            deltas.append(row)
    KpiRollup.objects.bulk_create(new, batch_size=1000)
    kpi_areas.KpiAreaDelta.objects.bulk_create(deltas, batch_size=1000)
    return len(fresh.rows)


@dataclass
class Difference:
    key: Key
    field: str
    stored: int
    recomputed: int


def _stored() -> dict[Key, dict[str, int]]:
    out: dict[Key, dict[str, int]] = {}
    for row in KpiRollup.objects.values(
        "month", "place_path", "category_id", "department_id", "compound_kind", *KPI_COUNTERS
    ):
        key = (row["month"], row["place_path"], row["category_id"], row["department_id"], row["compound_kind"])
        out[key] = {name: row[name] for name in KPI_COUNTERS}
    return out


def kpi_diff(recomputed: Recomputed | None = None) -> list[Difference]:
    """Every (row, counter) where the stored rollups and the event log disagree."""
    fresh = recomputed or kpi_recompute()
    stored = _stored()
    zero = dict.fromkeys(KPI_COUNTERS, 0)
    out: list[Difference] = []
    for key in sorted(set(stored) | set(fresh.rows)):
        a, b = stored.get(key, zero), fresh.rows.get(key, zero)
        out.extend(Difference(key, name, a[name], b[name]) for name in KPI_COUNTERS if a[name] != b[name])
    # The street and district rows: the grid rows summed (pending deltas folded first).
    kpi_area_fold()
    area_stored, area_fresh = kpi_areas.area_stored(), kpi_areas.area_sums(fresh.rows)
    for area_key in sorted(set(area_stored) | set(area_fresh)):
        a, b = area_stored.get(area_key, zero), area_fresh.get(area_key, zero)
        out.extend(Difference(area_key, name, a[name], b[name])  # type: ignore[arg-type]
                   for name in KPI_COUNTERS if a[name] != b[name])
    return out


def kpi_fix(recomputed: Recomputed | None = None, *, actor: Any = None) -> int:
    """Replace the rollups by the recomputed ones; returns the number of rows written."""
    from linli.core.audit import audit_record

    fresh = recomputed or kpi_recompute()
    with transaction.atomic():
        KpiRollup.objects.all().delete()
        KpiRollup.objects.bulk_create(
            [
                KpiRollup(
                    month=key[0], place_path=key[1], category_id=key[2], department_id=key[3],
                    compound_kind=key[4], street_id=fresh.ids[key][0], community_id=fresh.ids[key][1], grid_id=fresh.ids[key][2], **counters,
                )
                for key, counters in fresh.rows.items()
                if any(counters.values())
            ],
            batch_size=1000,
        )
        kpi_areas.area_rebuild(fresh.rows)
        audit_record(action="cases.kpi_fix", actor=actor, actor_name="" if actor else "system", target=None,
                     detail={"rows": len(fresh.rows), "events": fresh.events})
    return len(fresh.rows)


# --- what is due now (live) -----------------------------------------------------------------------------
#
# Two figures depend on the clock rather than on an event: whether a case's handling deadline has come
# (应结案) and whether an assignment's sign deadline has come (应签收):
#
# - ``open_overdue``: open cases, not parked (挂账 stops the clock), whose handle deadline has passed;
# - ``awaiting_sign``: cases dispatched (or reopened) and not signed for, whose sign deadline has not come.
#
# Both come from the open cases' counters keyed like the rollups and by the deadline's hour
# (linli/cases/open_counts.py): the hours before the current one (overdue) or after it (awaiting) from the
# counters, the current hour's deadlines from the cases (a partial index on each deadline).
PENDING = ("open_overdue", "awaiting_sign")
CLOCKS = {"open_overdue": "handle", "awaiting_sign": "sign"}


def _month_start(month: int) -> datetime:
    year, mon = divmod(month, 100)
    return datetime(year, mon, 1, tzinfo=timezone.get_current_timezone())


def _next_month(month: int) -> int:
    year, mon = divmod(month, 100)
    return (year + 1) * 100 + 1 if mon == 12 else month + 1


def _pending_group(column: str | None, *, cases: bool) -> tuple[list[str], Callable[[dict[str, Any]], Any]]:
    """The columns to group the live counts by (of the counters, or of the ``cases``), and how a grouped row
    gives the table's key."""
    if column is None:
        return [], lambda row: None
    if column == "month":
        if cases:
            return ["m"], lambda row: month_of(row["m"]) if row["m"] is not None else 0
        return ["month"], lambda row: row["month"]
    if column in ("street_id", "district_id"):
        return ["community_id"], lambda row: row["community_id"] or 0  # mapped to areas by the caller
    if cases:
        column = {"department_id": "owner_department_id"}.get(column, column)
    return [column], lambda row: row[column] or ("" if column == "compound_kind" else 0)


def _keyed(qs: Any, *, month_from: int | None, month_to: int | None, place_path: str, category_id: int | None,
           department_id: int | None) -> Any:
    """Rows keyed like the rollups (the rollups themselves, the open cases' deadline counters) filtered by the
    KPI page's choices."""
    if month_from:
        qs = qs.filter(month__gte=month_from)
    if month_to:
        qs = qs.filter(month__lte=month_to)
    if place_path:
        qs = qs.filter(place_path__startswith=place_path)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs


def kpi_pending(
    *,
    user: Any,
    by: str = "all",
    month_from: int | None = None,
    month_to: int | None = None,
    place_path: str = "",
    category_id: int | None = None,
    department_id: int | None = None,
    now: datetime | None = None,
    parts: tuple[str, ...] = PENDING,
) -> dict[Any, dict[str, int]]:
    """The live counts (``PENDING``, or only those named in ``parts``) per value of the dimension ``by``,
    over the cases ``user`` may see in the rollups' sense (the places under their scope, with
    ``cases.view``)."""
    from django.db.models import Case as SqlCase
    from django.db.models import IntegerField, Value, When

    from linli.cases.models import CaseStateCount
    from linli.cases.open_counts import hour_of

    now = now or timezone.now()
    if not parts or (user is not None and "cases.view" not in getattr(user, "perms", ())):
        return {}
    column = DIMENSIONS[by]
    hour = hour_of(now)
    rows = {"open_overdue": Q(clock="handle", due_hour__lt=hour), "awaiting_sign": Q(clock="sign", due_hour__gt=hour)}
    counters: Any = CaseStateCount.objects.filter(functools.reduce(operator.or_, (rows[p] for p in parts)))
    if user is not None:
        counters = counters.visible_to(user)
    counters = _keyed(counters, month_from=month_from, month_to=month_to, place_path=place_path,
                      category_id=category_id, department_id=department_id)
    wanted = {name: Sum(SqlCase(When(rows[name], then="n"), default=Value(0), output_field=IntegerField()))
              for name in parts}
    fields, key_of = _pending_group(column, cases=False)
    grouped = counters.values(*fields).annotate(**wanted).order_by() if fields else [counters.aggregate(**wanted)]
    out: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PENDING, 0))
    for row in grouped:
        for name in parts:
            if row[name]:
                out[key_of(row)][name] += int(row[name])
    for key, counts in _pending_this_hour(user=user, column=column, month_from=month_from, month_to=month_to,
                                          place_path=place_path, category_id=category_id,
                                          department_id=department_id, now=now, parts=parts).items():
        for name, value in counts.items():
            out[key][name] += value
    if column in ("street_id", "district_id") and out:
        from linli.places.selectors import places_by_ids

        paths = dict(places_by_ids([k for k in out if k]).values_list("pk", "path"))
        areas = areas_of(paths.values())
        which = 0 if column == "street_id" else 1
        streets: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PENDING, 0))
        for community_id, counts in out.items():
            area = areas.get(paths.get(community_id, ""), (0, 0))[which]
            for name, value in counts.items():
                streets[area][name] += value
        return dict(streets)
    return dict(out)


def _pending_this_hour(*, user: Any, column: str | None, month_from: int | None, month_to: int | None,
                       place_path: str, category_id: int | None, department_id: int | None, now: datetime,
                       parts: tuple[str, ...]) -> dict[Any, dict[str, int]]:
    """The live counts of the current hour, from the cases: the handle deadlines of this hour that passed,
    the sign deadlines of this hour still to come."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from linli.cases.models import OVERDUE_KPI_STATUSES, Case
    from linli.cases.open_counts import hour_of, hour_start
    from linli.cases.selectors import status_in
    from linli.core.access import scope_of

    qs: Any = Case.objects.all()
    if user is not None:
        qs = qs.filter(scope_of(user).place_q("place_path"))
    if month_from:
        qs = qs.filter(reported_at__gte=_month_start(month_from))
    if month_to:
        qs = qs.filter(reported_at__lt=_month_start(_next_month(month_to)))
    if place_path:
        qs = qs.filter(place_path__startswith=place_path)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if department_id is not None:
        qs = qs.filter(owner_department_id=department_id or None)
    fields, key_of = _pending_group(column, cases=True)
    if column == "month":
        qs = qs.annotate(m=TruncMonth("reported_at", tzinfo=timezone.get_current_timezone()))
    hour = hour_of(now)
    # The states as literals: SQLite uses a partial index (the deadlines of these states) only when the
    # query repeats its condition.
    queries = {
        "open_overdue": lambda: qs.filter(status_in(OVERDUE_KPI_STATUSES), handle_due__gte=hour_start(hour),
                                          handle_due__lt=now),
        "awaiting_sign": lambda: qs.filter(status_in(["dispatched"]), sign_due__gte=now,
                                           sign_due__lt=hour_start(hour + 1)),
    }
    out: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PENDING, 0))
    for name in parts:
        part = queries[name]()
        grouped = part.values(*fields).annotate(n=Count("id")).order_by() if fields else [{"n": part.count()}]
        for row in grouped:
            if row["n"]:
                out[key_of(row)][name] += row["n"]
    return out


# --- rates and tables ----------------------------------------------------------------------------------


def _valid(r: dict[str, int]) -> int:
    """立案数: cases that count, reported and neither refused nor merged into another (a merged case
    counts once, in the case it was merged into)."""
    return r["reported"] - r["refused"] - r["merged"]


def _assigned(r: dict[str, int]) -> int:
    """Times the work was given to an owner: dispatches, and reopenings (sent back to the owner)."""
    return r["dispatched"] + r["reopened"]


def _due(r: dict[str, int]) -> int:
    """应结案数 (GB/T 30428.4): the cases whose handling deadline has come, closed or not, and the cases
    closed before it; a parked case is not due while parked."""
    return r["closed"] + r["open_overdue"]


def _sign_due(r: dict[str, int]) -> int:
    """应签收数: assignments whose sign deadline has come, or that were signed for or returned before."""
    return _assigned(r) - r["awaiting_sign"]


@dataclass(frozen=True)
class Rate:
    name: str
    label: Any
    numerator: Callable[[dict[str, int]], int]
    denominator: Callable[[dict[str, int]], int]
    formula: Any = ""  # the formula in words, as the page shows it
    source: Any = ""


GB_30428 = _("GB/T 30428.4 (digital city management, performance evaluation)")
HOTLINE = _("as the 12345 hotlines count it")

RATES: tuple[Rate, ...] = (
    Rate("response_rate", _("Response rate"), lambda r: r["signed_ontime"], _sign_due,
         _("signed for in time ÷ assignments whose sign deadline has come"), HOTLINE),
    Rate("solved_rate", _("Solved rate"), lambda r: r["solved"], lambda r: r["rated"],
         _("rated solved ÷ ratings"), HOTLINE),
    Rate("satisfaction_rate", _("Satisfaction rate"), lambda r: r["satisfied"], lambda r: r["rated"],
         _("(satisfied + basically satisfied) ÷ ratings"), HOTLINE),
    Rate("close_rate", _("Close rate"), lambda r: r["closed"], _due,
         _("closed ÷ cases due"), GB_30428),
    Rate("ontime_close_rate", _("On-time close rate"), lambda r: r["closed_ontime"], _due,
         _("closed on time ÷ cases due"), GB_30428),
    Rate("rework_rate", _("Rework rate"), lambda r: r["reworked"], _due,
         _("reworks ÷ cases due"), GB_30428),
    Rate("extension_rate", _("Extension rate"), lambda r: r["extended"], _due,
         _("extensions ÷ cases due"), GB_30428),
)
MEANS = (
    ("mean_sign_hours", _("Mean time to sign (hours)"), "sign_seconds", "signed", 3600),
    ("mean_close_days", _("Mean time to close (days)"), "close_seconds", "closed", 86400),
)
# The base figures a report gives next to the rates (受理数, 立案数, 应结案数, 结案数, 按期结案数, ...).
BASE = (
    ("reported", _("Cases received")),
    ("valid", _("Cases counted")),
    ("due", _("Cases due")),
    ("closed", _("Closed")),
    ("closed_ontime", _("Closed on time")),
    ("rated", _("Ratings")),
)


# What cannot be told without each live count (the rates whose denominator uses it: ``_due``, ``_sign_due``).
NEEDS_PENDING = {
    "open_overdue": ("open_overdue", "due", "close_rate", "ontime_close_rate", "rework_rate", "extension_rate"),
    "awaiting_sign": ("awaiting_sign", "sign_due", "response_rate"),
}


def _needs_pending(missing: set[str]) -> list[str]:
    """The figures of a table row left unknown (None) when the live counts ``missing`` are not made."""
    return sorted({name for part in missing for name in NEEDS_PENDING[part]})


def kpi_rates(counters: dict[str, int]) -> dict[str, float | None]:
    """Rates (0..1) and means of one set of counters (with the live ``PENDING`` counts, 0 when absent);
    ``None`` when the denominator is 0."""
    counters = {**dict.fromkeys(PENDING, 0), **counters}
    out: dict[str, float | None] = {}
    for rate in RATES:
        den = rate.denominator(counters)
        out[rate.name] = round(rate.numerator(counters) / den, 4) if den > 0 else None
    for name, _label, total, count, unit in MEANS:
        out[name] = round(counters[total] / counters[count] / unit, 2) if counters[count] else None
    out["valid"] = _valid(counters)
    out["due"] = _due(counters)
    out["sign_due"] = _sign_due(counters)
    return out


DIMENSIONS = {
    "all": None,
    "month": "month",
    "district": "district_id",  # read from the area rollups (kpi_areas)
    "street": "street_id",
    "community": "community_id",
    "grid": "grid_id",
    "department": "department_id",
    "category": "category_id",
    "compound_kind": "compound_kind",
}
# Dimensions whose every value in the user's scope gets a row, with cases or not.
PLACE_DIMENSIONS = {"district": "district", "street": "street", "community": "community", "grid": "grid"}


def kpi_table(
    *,
    user: Any,
    by: str = "month",
    month_from: int | None = None,
    month_to: int | None = None,
    place_path: str = "",
    category_id: int | None = None,
    department_id: int | None = None,
    every_place: bool = False,
    now: datetime | None = None,
    pending: tuple[str, ...] = PENDING,
    lag_ok: bool = False,
) -> list[dict[str, Any]]:
    """One row per value of the dimension ``by``: its label, counters, rates and means, over the
    rollups ``user`` may see (``user=None``: all), with the live counts of what is due now. With
    ``every_place`` (street, community, grid), every such place in the user's scope has a row, also
    without a case. ``pending`` names the live counts to make (a big screen showing the response,
    solved and satisfaction rates needs only ``awaiting_sign``); the rates and figures that need a live
    count left out are None. ``lag_ok``: a street's figures may be read from its street rows, at most a
    minute behind (``kpi_areas``)."""
    if by not in DIMENSIONS:
        raise ValueError(by)
    # A city's or a district's figures come from the street and district rows (kpi_areas).
    area = kpi_areas.area_rows(user=user, by=by, place_path=place_path, lag_ok=lag_ok)
    qs = area if area is not None else KpiRollup.objects.all() if user is None else KpiRollup.objects.visible_to(user)
    qs = _keyed(qs, month_from=month_from, month_to=month_to, place_path=place_path if area is None else "",
                category_id=category_id, department_id=department_id)
    column = DIMENSIONS[by]
    unknown = _needs_pending(set(PENDING) - set(pending))
    sums = {name: Sum(name) for name in KPI_COUNTERS}
    grouped: Iterable[dict[str, Any]]
    if column is None:
        grouped = [{"key": None, **qs.aggregate(**sums)}]
    else:
        grouped = qs.values(column).annotate(**sums).order_by(column)
    counters_by_key: dict[Any, dict[str, int]] = {}
    for g in grouped:
        key = g.get(column) if column else None
        counters_by_key[key] = {name: int(g[name] or 0) for name in KPI_COUNTERS}
    live = kpi_pending(user=user, by=by, month_from=month_from, month_to=month_to, place_path=place_path,
                       category_id=category_id, department_id=department_id, now=now, parts=pending)
    zero = dict.fromkeys(KPI_COUNTERS, 0)
    for key in live:
        counters_by_key.setdefault(key, dict(zero))
    if every_place and by in PLACE_DIMENSIONS:
        for key in _places_in_scope(user, PLACE_DIMENSIONS[by], place_path):
            counters_by_key.setdefault(key, dict(zero))
    rows = []
    for key, counters in counters_by_key.items():
        counters = {**counters, **live.get(key, dict.fromkeys(PENDING, 0))}
        row = {"key": key, **counters, **kpi_rates(counters)}
        for name in unknown:
            row[name] = None
        rows.append(row)
    rows.sort(key=lambda r: r["key"] if r["key"] is not None else 0)  # one type per dimension
    labels = _labels(by, [r["key"] for r in rows])
    for r in rows:
        r["label"] = labels.get(r["key"], str(r["key"]))
    if by in PLACE_DIMENSIONS:
        from linli.places.selectors import natural_key

        rows.sort(key=lambda r: (not r["key"], natural_key(r["label"])))
    return rows


def _places_in_scope(user: Any, kind: str, place_path: str) -> list[int]:
    from linli.places.selectors import places_of_kind

    qs: Any = places_of_kind(kind)
    if user is not None:
        if "cases.view" not in getattr(user, "perms", ()):
            return []
        qs = qs.visible_to(user)
    if place_path:
        qs = qs.filter(path__startswith=place_path)
    return list(qs.values_list("pk", flat=True)[:2000])


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "all":
        return {None: str(_("All"))}
    if by == "month":
        return {k: f"{k // 100}-{k % 100:02d}" for k in keys}
    if by == "compound_kind":
        from linli.places.kinds import CompoundKind

        return {"": str(_("(not in a compound)")), **{k: str(v) for k, v in CompoundKind.choices}}
    ids = [k for k in keys if k]
    none = {0: str(_("(none)"))}
    if by in ("district", "street", "community", "grid"):
        from linli.places.selectors import place_names

        return {**none, **place_names(ids)}
    if by == "department":

        return {**none, **dict(departments_by_ids(ids).values_list("pk", "name"))}
    from linli.cases.models import Category

    return {**none, **dict(Category.objects.filter(pk__in=ids).values_list("pk", "name"))}


def months_between(first: int, last: int) -> Iterator[int]:
    y, m = divmod(first, 100)
    while y * 100 + m <= last:
        yield y * 100 + m
        m += 1
        if m > 12:
            y, m = y + 1, 1
