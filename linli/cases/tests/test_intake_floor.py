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
