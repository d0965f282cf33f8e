"""The cluster test's city (run once by bench/cluster_test.py, connected directly to the primary):

a city (330100) with four districts, a street in each, two communities of two grids per street, a
registry person with a phone in every grid (whose verified reports earn points), and the users the
scripted day acts as, each with an API token: the 12345 dispatch centre over the city, the staff of each
community, the worker of each grid, a city supervisor. Prints one JSON object: ids, paths and tokens.

    DJANGO_SETTINGS_MODULE=config.settings python bench/cluster/seed.py IMPORT_ROWS OUT.json [WORKBOOK.xlsx]
    DJANGO_SETTINGS_MODULE=config.settings python bench/cluster/seed.py --workbook IMPORT_ROWS WORKBOOK.xlsx

The second form writes only the workbook (no database: the cluster test runs it while migrating).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import django  # noqa: E402

django.setup()

from linli.accounts.actions import role_assign, token_issue, user_create  # noqa: E402
from linli.cases.defaults import categories_restore_default  # noqa: E402
from linli.places.actions import place_create  # noqa: E402
from linli.places.models import Place, PlaceKind  # noqa: E402
from linli.residents.actions import person_create  # noqa: E402

PASSWORD = "Cluster-test-2026"
DISTRICTS = [("330102", "上城区"), ("330105", "拱墅区"), ("330106", "西湖区"), ("330108", "滨江区")]


def user(username: str, role: str, place) -> dict:
    u = user_create(username=username, password=PASSWORD, actor=None, display_name=username)
    role_assign(user=u, role=role, place=place, actor=None)
    _token, raw = token_issue(user=u, actor=u, name="cluster-test")
    return {"id": u.pk, "username": username, "token": raw}


def import_places(grid) -> list:
    """Ten compounds of buildings, entrances and houses for the import (as bench/residents_import.py)."""
    from residents_import import PER_BUILDING

    households = IMPORT_ROWS // 2 + 1
    compounds = [place_create(kind=PlaceKind.COMPOUND, name=f"小区{i}", parent=grid) for i in range(10)]

    def bulk(kind, parents_names):
        rows = [Place(kind=kind, name=name, parent=parent, path="", depth=parent.depth + 1)
                for parent, name in parents_names]
        Place.objects.bulk_create(rows, batch_size=2000)
        for row in rows:
            row.path = f"{row.parent.path}{row.pk}/"
        Place.objects.bulk_update(rows, ["path"], batch_size=2000)
        return rows

    buildings = bulk(PlaceKind.BUILDING, [(compounds[b % 10], f"{b // 10 + 1}栋")
                                          for b in range(households // PER_BUILDING + 1)])
    entrances = bulk(PlaceKind.ENTRANCE, [(b, f"{e}单元") for b in buildings for e in (1, 2)])
    bulk(PlaceKind.HOUSE, [(e, f"{f}0{h}") for e in entrances for f in range(1, 7) for h in (1, 2)])
    return compounds


def workbook_write() -> None:
    """The import's workbook: IMPORT_ROWS persons in the houses ``import_places`` creates."""
    from residents_import import address_list, write_workbook

    write_workbook(Path(WORKBOOK), IMPORT_ROWS, address_list(IMPORT_ROWS // 2 + 1), random.Random(18))


def main() -> None:
    categories_restore_default()
    city = place_create(kind=PlaceKind.CITY, name="演示市", code="330100")
    out: dict = {"city": city.path, "districts": [], "grids": [], "communities": [], "staff": [], "workers": [],
                 "phones": []}
    serial = 0
    for code, name in DISTRICTS:
        district = place_create(kind=PlaceKind.DISTRICT, name=name, code=code, parent=city)
        street = place_create(kind=PlaceKind.STREET, name=f"{name}一街道", code=f"{code}001000", parent=district)
        out["districts"].append({"id": district.pk, "code": code, "path": district.path, "street": street.pk})
        for c in (1, 2):
            community = place_create(kind=PlaceKind.COMMUNITY, name=f"{name}{c}社区", code=f"{code}001{c:03d}",
                                     parent=street)
            staff = user(f"staff{code}{c}", "community_staff", community)
            out["communities"].append({"id": community.pk, "district": code, "staff": staff})
            for g in (1, 2):
                grid = place_create(kind=PlaceKind.GRID, name=f"{name}{c}社区{g}网格", code=f"{community.code}-{g:02d}",
                                    parent=community)
                worker = user(f"worker{code}{c}{g}", "grid_worker", grid)
                serial += 1
                phone = f"139{serial:08d}"
                person_create(actor=None, name=f"居民{serial}", place=grid, phone=phone)
                out["grids"].append({"id": grid.pk, "district": code, "community": community.pk, "worker": worker,
                                     "staff": staff, "phone": phone})
    out["centre"] = user("centre", "dispatch_centre", city)
    out["city_supervisor"] = user("citysup", "city_supervisor", city)
    # The import: a grid of ten compounds in the first community, and a workbook of IMPORT_ROWS rows.
    first = out["communities"][0]
    import_grid = place_create(kind=PlaceKind.GRID, name="导入网格", parent=Place.objects.get(pk=first["id"]))
    import_places(import_grid)
    if WORKBOOK:
        workbook_write()
    out["import_community"] = first["id"]
    out["password"] = PASSWORD
    Path(OUT).write_text(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1] == "--workbook":
        IMPORT_ROWS, WORKBOOK = int(sys.argv[2]), sys.argv[3]
        workbook_write()
    else:
        IMPORT_ROWS, OUT, WORKBOOK = int(sys.argv[1]), sys.argv[2], (sys.argv[3:] or [""])[0]
        main()
