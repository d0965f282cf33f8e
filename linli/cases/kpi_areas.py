"""KPI rollups at street and district level, so that a city-wide page reads thousands of rows, not the
millions of grid-level rows (``KpiRollup``) of 13,000 grids.

The live path must not add hot rows: a district's row of a month and category would be updated by every
intake of the district, and held locked until each commit (what issue 18 took away from the case
numbers). So each counted event appends one ``KpiAreaDelta`` row (an insert, which waits for nobody), and
the periodic task ``cases_kpi_areas_fold`` folds the pending deltas into ``KpiAreaRollup`` every minute:
district and city pages lag the grid-level figures by at most a minute. ``kpi-recompute`` checks the area
rows too (they must equal the grid rows summed by street and by district), and ``--fix`` rebuilds them.

Which pages read them: ``kpi_table`` asks ``area_rows(user, by, place_path)``; area rows are used for the
``district`` dimension, and for users whose whole scope is a city or a district (district and city
supervisors, the dispatch centre) when the dimension is one an area row carries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from linli.cases.models_kpi import KPI_COUNTERS, KpiAreaDelta, KpiAreaRollup
from linli.core.inserts import insert_one, new_instance
from linli.places.selectors import place_at_path

LEVELS = ("street", "district")
# The dimensions an area row carries (grid and community need the grid-level rows).
AREA_DIMENSIONS = frozenset({"all", "month", "street", "district", "department", "category", "compound_kind"})
FOLD_BATCH = 20000


def _cut(path: str, node_id: int) -> str:
    parts = [p for p in (path or "").split("/") if p]
    key = str(node_id)
    return "/" + "/".join(parts[: parts.index(key) + 1]) + "/" if node_id and key in parts else ""


def areas_of(paths: Iterable[str]) -> dict[str, tuple[int, int]]:
    """For each place path: (the id of the street it lies in, of the district); 0 when there is none.
    One query for all paths."""
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_by_ids

    paths = {p for p in paths if p}
    ids = {int(i) for p in paths for i in p.split("/") if i.isdigit()}
    kinds = dict(
        places_by_ids(ids, kinds=(PlaceKind.STREET, PlaceKind.DISTRICT)).values_list("pk", "kind")
    )
    out = {}
    for path in paths:
        street = district = 0
        for part in path.split("/"):
            if part.isdigit() and int(part) in kinds:
                if kinds[int(part)] == PlaceKind.STREET:
                    street = int(part)
                else:
                    district = int(part)
        out[path] = (street, district)
    return out


def kpi_area_delta(*, key: tuple[int, str, int, int, str], deltas: dict[str, int], street: int, district: int) -> None:
    """Append what one event adds (``key`` as ``kpi.Key``: month, grid path, category, department,
    compound kind; ``street`` and ``district`` from ``areas_of``) for the fold. One INSERT; nothing is
    locked."""
    row = area_delta_row(key=key, deltas=deltas, street=street, district=district)
    if row is not None:
        insert_one(row)


def area_delta_row(*, key: tuple[int, str, int, int, str], deltas: dict[str, int], street: int,
                   district: int) -> KpiAreaDelta | None:
    """The (unsaved) delta row of ``kpi_area_delta``; None when there is nothing to add. A bulk path
    writes many with one ``bulk_create``."""
    changes = {name: value for name, value in deltas.items() if value}
    if not changes:
        return None
    month, path, category_id, department_id, compound_kind = key
    if not street and not district:
        return None
    return new_instance(
        KpiAreaDelta,
        month=month, street_id=street, district_id=district, street_path=_cut(path, street),
        district_path=_cut(path, district), category_id=category_id, department_id=department_id,
        compound_kind=compound_kind, **changes,
    )


AreaKey = tuple[str, str, int, int, int, int, int, str]  # level, area path, street, district, month, cat, dept, kind


def _area_keys(month, street, district, street_path, district_path, category, department, kind) -> list[AreaKey]:
    keys: list[AreaKey] = []
    if street:
        keys.append(("street", street_path, street, district, month, category, department, kind))
    if district:
        keys.append(("district", district_path, 0, district, month, category, department, kind))
    return keys


def _add(key: AreaKey, counters: dict[str, int]) -> None:
    level, path, street, district, month, category, department, kind = key
    changes = {name: value for name, value in counters.items() if value}
    if not changes:
        return
    rows = KpiAreaRollup.objects.filter(level=level, area_path=path, month=month, category_id=category,
                                        department_id=department, compound_kind=kind)
    if rows.update(**{name: F(name) + value for name, value in changes.items()}):
        return
    try:
        with transaction.atomic():
            KpiAreaRollup.objects.create(
                level=level, area_path=path, street_id=street, district_id=district, month=month,
                category_id=category, department_id=department, compound_kind=kind, **changes,
            )
    except IntegrityError:
        rows.update(**{name: F(name) + value for name, value in changes.items()})


def kpi_area_fold(*, batch: int = FOLD_BATCH) -> int:
    """Fold pending deltas into the area rollups (at most ``batch`` per transaction, until none is left);
    returns how many deltas were folded. Safe to run twice at once: a delta is folded by whoever locked
    it, in the same transaction that deletes it."""
    folded = 0
    while True:
        with transaction.atomic():
            deltas = list(
                KpiAreaDelta.objects.order_by("id").select_for_update(skip_locked=True)
                .values("id", "month", "street_id", "district_id", "street_path", "district_path", "category_id",
                        "department_id", "compound_kind", *KPI_COUNTERS)[:batch]
            )
            if not deltas:
                return folded
            sums: dict[AreaKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KPI_COUNTERS, 0))
            for d in deltas:
                for key in _area_keys(d["month"], d["street_id"], d["district_id"], d["street_path"],
                                      d["district_path"], d["category_id"], d["department_id"], d["compound_kind"]):
                    row = sums[key]
                    for name in KPI_COUNTERS:
                        row[name] += d[name]
            for key in sorted(sums):  # one order for every folder: no deadlock between two
                _add(key, sums[key])
            KpiAreaDelta.objects.filter(id__in=[d["id"] for d in deltas]).delete()
            folded += len(deltas)


def area_sums(grid_rows: dict[tuple, dict[str, int]]) -> dict[AreaKey, dict[str, int]]:
    """The area rows that grid-level rows ({kpi.Key: counters}) add up to."""
    areas = areas_of(key[1] for key in grid_rows)
    sums: dict[AreaKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KPI_COUNTERS, 0))
    for (month, path, category, department, kind), counters in grid_rows.items():
        street, district = areas.get(path, (0, 0))
        for key in _area_keys(month, street, district, _cut(path, street), _cut(path, district), category,
                              department, kind):
            row = sums[key]
            for name in KPI_COUNTERS:
                row[name] += counters[name]
    return {k: v for k, v in sums.items() if any(v.values())}


def area_stored() -> dict[AreaKey, dict[str, int]]:
    out = {}
    for r in KpiAreaRollup.objects.values("level", "area_path", "street_id", "district_id", "month", "category_id",
                                          "department_id", "compound_kind", *KPI_COUNTERS):
        key = (r["level"], r["area_path"], r["street_id"], r["district_id"], r["month"], r["category_id"],
               r["department_id"], r["compound_kind"])
        out[key] = {name: r[name] for name in KPI_COUNTERS}
    return {k: v for k, v in out.items() if any(v.values())}


def area_rebuild(grid_rows: dict[tuple, dict[str, int]]) -> int:
    """Replace the area rollups (and drop pending deltas) by the sums of ``grid_rows``, in the caller's
    transaction."""
    KpiAreaDelta.objects.all().delete()
    KpiAreaRollup.objects.all().delete()
    sums = area_sums(grid_rows)
    KpiAreaRollup.objects.bulk_create(
        [
            KpiAreaRollup(level=k[0], area_path=k[1], street_id=k[2], district_id=k[3], month=k[4], category_id=k[5],
                          department_id=k[6], compound_kind=k[7], **counters)
            for k, counters in sums.items()
        ],
        batch_size=1000,
    )
    return len(sums)


def _wide(user: Any) -> bool:
    """The user's whole scope is cities or districts (nothing narrower)."""
    from linli.places.kinds import ADMIN_KINDS
    from linli.places.selectors import places_by_paths

    paths = getattr(getattr(user, "scope", None), "place_paths", ()) or ()
    if not paths:
        return False
    return not places_by_paths(paths).exclude(kind__in=ADMIN_KINDS).exists()


def area_rows(*, user: Any, by: str, place_path: str = "", lag_ok: bool = False) -> Any:
    """The area rollups to read for this table (a queryset, scoped to ``user``), or None when the
    grid-level rows must be read. ``lag_ok``: a street's own figures may come from its street row (at
    most a minute behind; the big screens), whoever asks."""
    from linli.places.kinds import ADMIN_KINDS, PlaceKind

    street_itself = lag_ok and place_path and by in AREA_DIMENSIONS and by != "district"
    if street_itself and getattr(place_at_path(place_path), "kind", None) == PlaceKind.STREET:
        qs: Any = KpiAreaRollup.objects.filter(level="street", area_path=place_path)
        return qs if user is None else qs.visible_to(user)
    if by not in AREA_DIMENSIONS or (by != "district" and (user is None or not _wide(user))):
        return None
    level = "street" if by == "street" else "district"
    if place_path:
        node = getattr(place_at_path(place_path), "kind", None)
        if node == PlaceKind.STREET and by != "district":
            level = "street"
        elif node not in ADMIN_KINDS:
            return None
    qs = KpiAreaRollup.objects.filter(level=level)
    if user is not None:
        qs = qs.visible_to(user)
    if place_path:
        qs = qs.filter(area_path__startswith=place_path)
    return qs
