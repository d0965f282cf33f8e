"""The intake at the floor of its own writes: a bounded number of statements in one transaction, the
routing's reference data from the process cache (core/refdata.py) and dropped by the actions that change
it, the number written by the statement that draws it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.cases.actions import case_create
from linli.core.refdata import refdata_clear


def _statements(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if not re.match(r"\s*(RELEASE )?SAVEPOINT", q["sql"])]


def test_intake_writes_at_most_eight_statements_and_reads_no_case(world, categories, resident, grid_worker_a,
                                                                   community_staff):
    from linli.core import workdays

    refdata_clear()
    workdays._local.dirty = False  # an earlier test's calendar change, rolled back with its transaction
    case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮", place=world.grid_a)
    with CaptureQueriesContext(connection) as ctx:
        case = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯又不亮了",
                           place=world.grid_a)
    statements = _statements(ctx)
    assert len(statements) <= 8, "\n".join(statements)
    # No re-reading of reference data and no scan of the cases: only writes and the number.
    assert all(not s.lstrip().upper().startswith("SELECT") for s in statements), "\n".join(statements)
    assert case.suggested_user_id == grid_worker_a.pk
    case.refresh_from_db()
    assert re.match(r"^\d{4}-\d{6}-\d{6}$", case.number), case.number
    assert case.events.filter(kind="created").count() == 1


def test_intake_routing_cache_follows_a_revoked_role(world, categories, resident, grid_worker_a,
                                                     django_capture_on_commit_callbacks):
    from linli.accounts.actions import role_revoke
    from linli.accounts.models import RoleAssignment

    refdata_clear()
    first = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                        place=world.grid_a)
    assert first.suggested_user_id == grid_worker_a.pk
    with django_capture_on_commit_callbacks(execute=True):
        role_revoke(assignment=RoleAssignment.objects.get(user=grid_worker_a, role="grid_worker"), actor=None)
    second = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                         place=world.grid_a)
    assert second.suggested_user_id is None


def test_intake_routing_cache_follows_a_renamed_grid(world, categories, resident, grid_worker_a,
                                                     django_capture_on_commit_callbacks):
    from linli.cases.routing import routing_steps
    from linli.places.actions import place_update

    refdata_clear()
    case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮", place=world.grid_a)
    with django_capture_on_commit_callbacks(execute=True):
        place_update(place=world.grid_a, actor=None, name="改名网格")
    case = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                       place=world.grid_a)
    assert any("改名网格" in s for s in routing_steps(case.routing))


def test_intake_category_cache_follows_an_update(world, categories, resident, django_capture_on_commit_callbacks):
    from linli.cases.actions.categories import category_update
    from linli.core.errors import Invalid

    refdata_clear()
    category = categories["MUNI.STREETLIGHT"]
    case_create(actor=resident, category=category, description="路灯不亮", place=world.grid_a)
    with django_capture_on_commit_callbacks(execute=True):
        category_update(category=category, actor=None, active=False)
    with pytest.raises(Invalid):
        case_create(actor=resident, category=category, description="路灯不亮", place=world.grid_a)


def test_intake_number_rolls_back_with_the_case(world, categories, resident):
    """The number drawn with the case is given back when the intake fails after it."""
    from django.db import transaction

    refdata_clear()
    one = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                      place=world.grid_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮", place=world.grid_a)
        raise RuntimeError
    two = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                      place=world.grid_a)
    one.refresh_from_db()
    two.refresh_from_db()
    assert int(two.number[-6:]) == int(one.number[-6:]) + 1


def test_intake_statements_are_the_writes_alone(world, categories, resident, grid_worker_a, community_staff):
    """The write transaction of one intake: eight writes (number, case, event, KPI rollup, KPI area delta,
    open-case counter, audit row, notices), no savepoint of its own inside, no read, nothing more."""
    from linli.core import workdays

    refdata_clear()
    workdays._local.dirty = False
    case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮", place=world.grid_a)
    with CaptureQueriesContext(connection) as ctx:
        case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯又不亮了",
                    place=world.grid_a)
    sql = [q["sql"] for q in ctx.captured_queries]
    # The test's own transaction makes the intake's a savepoint: that one, no other.
    assert sum(s.startswith("SAVEPOINT") for s in sql) <= 1, "\n".join(sql)
    sql = _statements(ctx)
    tables = [re.search(r'(?:INTO|UPDATE) "?(\w+)"?', s).group(1) for s in sql]  # type: ignore[union-attr]
    assert tables == ["cases_casesequence", "cases_case", "cases_caseevent", "cases_kpirollup", "cases_kpiareadelta",
                      "cases_casestatecount", "core_auditentry", "notifications_notice"] or (
        # PostgreSQL draws the number last, by the statement that writes it on the case
        tables == ["cases_case", "cases_caseevent", "cases_kpirollup", "cases_kpiareadelta", "cases_casestatecount",
                   "cases_casesequence", "core_auditentry", "notifications_notice"]), "\n".join(sql)


def _snapshot() -> dict:
    """What this process holds of the reference data, as another process that read it earlier would."""
    from linli.core import refdata

    return {topics: (versions, at, dict(values)) for topics, (versions, at, values) in refdata._store.items()}


def _as_another_process(held: dict) -> None:
    """Forget what this process saw of a change and hold what was read before it: only the versions in the
    shared cache tell such a process that the data changed."""
    from linli.core import refdata

    refdata._store.clear()
    refdata._store.update(held)
    refdata._dirty().clear()


@pytest.mark.parametrize("process", ["this", "another"])
def test_a_moved_grid_routes_to_its_new_community_right_after(world, categories, resident, grid_worker_a, process,
                                                               django_capture_on_commit_callbacks, settings):
    from linli.places.actions import place_move

    settings.LINLI_REFDATA_SECONDS = 3600  # a shared cache's long lifetime: the change, not the clock, drops it
    refdata_clear()
    before = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                         place=world.grid_a)
    assert before.community_id == world.community.pk
    held = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        place_move(place=world.grid_a, new_parent=world.community_2, actor=None, code="330102001002-02")
    if process == "another":
        _as_another_process(held)
    after = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                        place=world.grid_a)
    assert after.community_id == world.community_2.pk
    assert after.place_path == f"{world.community_2.path}{world.grid_a.pk}/"
    assert after.suggested_user_id == grid_worker_a.pk


@pytest.mark.parametrize("process", ["this", "another"])
def test_a_new_grid_worker_and_desk_are_routed_to_right_after(world, categories, resident, grid_worker_b, process,
                                                               django_capture_on_commit_callbacks, settings):
    from linli.accounts.actions import role_assign
    from linli.core.testing.personas import make_user
    from linli.notifications.models import Notice

    settings.LINLI_REFDATA_SECONDS = 3600
    refdata_clear()
    before = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                         place=world.grid_a)
    assert before.suggested_user_id is None
    held = _snapshot()
    worker = make_user("worker_new", "resident", place=world.grid_a)
    desk = make_user("desk_new", "resident", place=world.community)
    with django_capture_on_commit_callbacks(execute=True):
        role_assign(user=worker, role="grid_worker", place=world.grid_a, actor=None)
        role_assign(user=desk, role="community_staff", place=world.community, actor=None)
    if process == "another":
        _as_another_process(held)
    after = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                        place=world.grid_a)
    assert after.suggested_user_id == worker.pk
    assert Notice.objects.filter(user=desk, kind="created").exists()
    on_b = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                       place=world.grid_b)
    assert on_b.suggested_user_id == grid_worker_b.pk


def test_every_grid_is_routed_from_one_read_of_the_places_and_roles(world, categories, resident, grid_worker_a,
                                                                    grid_worker_b, community_staff):
    """After a change the routing reads the places and roles once for every grid, not once per grid."""
    from linli.core import workdays

    refdata_clear()
    workdays._local.dirty = False
    case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮", place=world.grid_a)
    for grid, worker in ((world.grid_b, grid_worker_b), (world.grid_c, None)):
        with CaptureQueriesContext(connection) as ctx:
            case = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                               place=grid)
        reads = [s for s in _statements(ctx) if s.lstrip().upper().startswith("SELECT")]
        assert reads == [], "\n".join(reads)
        assert case.suggested_user_id == (worker.pk if worker else None)


def test_an_intake_reads_the_versions_of_its_reference_data_in_one_round_trip(world, categories, resident,
                                                                             grid_worker_a, monkeypatch):
    """The shared cache (Redis in production) is asked once an intake for every topic's version."""
    from django.core.cache import cache

    refdata_clear()
    case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮", place=world.grid_a)
    asked: list[list[str]] = []
    get_many = cache.get_many

    def counted(keys, *args, **kwargs):
        asked.append(list(keys))
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", counted)
    case = case_create(actor=resident, category=categories["MUNI.STREETLIGHT"], description="路灯不亮",
                       place=world.grid_b)
    assert len(asked) == 1, asked
    assert sorted(asked[0]) == sorted(f"linli:refdata:v:{t}" for t in ("categories", "places", "roles"))
    assert case.grid_id == world.grid_b.pk
