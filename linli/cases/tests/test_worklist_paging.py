"""Worklist pages (``selectors.page_rows``): read through the partial indexes (the ids first, the states
written as literals, one branch per index for the department inbox), the keyset pages list exactly the
cases of the plain query (``case_queryset``, one OR), newest first, whatever the page size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.cases.actions import case_transition
from linli.cases.models import Case
from linli.cases.selectors import CaseFilters, case_page, case_queryset, status_in
from linli.cases.worklists import WORKLISTS, worklist_page


def walk(fetch) -> list[int]:
    """Every id of a list, page after page."""
    ids: list[int] = []
    after = None
    for _ in range(100):
        rows, after = fetch(after)
        ids += [r["id"] for r in rows]
        if after is None:
            return ids
    raise AssertionError("the pages never end")


@pytest.fixture
def mixed(case_in_state, community_staff, world):
    states = ["reported", "accepted", "dispatched", "signed", "handling", "reported_back", "closed", "refused",
              "parked"]
    cases = [case_in_state(s) for s in states]
    cases.append(case_in_state("dispatched", summoned=True))  # summoned to the department
    to_dept = case_in_state("accepted")
    cases.append(case_transition(case=to_dept, name="dispatch", actor=community_staff,
                                 data={"owner_kind": "department", "owner_department": world.department.pk}))
    late = timezone.now() - timedelta(days=1)
    Case.objects.filter(pk__in=[c.pk for c in cases[:5]]).update(handle_due=late, sign_due=late)
    return cases


@pytest.mark.parametrize("view", ["all", "mine", "desk", "department", "overdue", "supervise", "reported"])
@pytest.mark.parametrize("who", ["resident", "worker", "staff", "supervisor", "dept"])
def test_case_pages_list_what_the_query_lists(mixed, actors, who, view):
    user = actors[who]
    expected = list(case_queryset(user, CaseFilters(view=view)).order_by("-id").values_list("id", flat=True))
    for size in (1, 2, 50):
        assert walk(lambda after, size=size: case_page(user, CaseFilters(view=view), after=after, size=size)) == expected


@pytest.mark.parametrize("name", ["worklist", "dispatch", "department", "supervise"])
@pytest.mark.parametrize("who", ["worker", "staff", "supervisor", "dept"])
def test_worklist_pages_list_what_the_query_lists(mixed, actors, who, name):
    user = actors[who]
    view, statuses = WORKLISTS[name]
    expected = list(
        case_queryset(user, CaseFilters(view=view, status=statuses)).order_by("-id").values_list("id", flat=True)
    )
    assert walk(lambda after: worklist_page(user, name, after=after, size=2)) == expected
    if name == "department" and who == "dept":
        assert len(expected) == 2  # the department's own case and the one it is summoned to


def test_the_department_inbox_filters_apply_to_both_branches(mixed, actors, world):
    dept = actors["dept"]
    rows, _ = worklist_page(dept, "department", status="dispatched")
    assert [r["status"] for r in rows] == ["dispatched", "dispatched"]
    rows, _ = worklist_page(dept, "department", status="signed")
    assert rows == []


def test_status_in_writes_known_states_only(db):
    assert Case.objects.filter(status_in(["nonsense"])).count() == 0
    sql = str(Case.objects.filter(status_in(["reported", "accepted"])).query)
    assert "IN ('reported', 'accepted')" in sql


def test_the_supervision_list_reads_the_supervised_through_their_own_index(mixed, actors):
    """The supervised branch lists open supervised cases only (the index holds closed ones too), writes its
    ``supervision_count > 0`` literally (SQLite uses a partial index only when the query repeats its
    condition; bound, the branch walked every open case: 3 s at 1,000,000) and, on SQLite, is answered by
    cases_case_supervised whatever the statistics say."""
    from django.db import connection

    from linli.cases.selectors import case_querysets

    sup = actors["supervisor"]
    open_one, closed_one = mixed[5], mixed[6]  # reported back (not late), closed
    Case.objects.filter(pk__in=[open_one.pk, closed_one.pk]).update(supervision_count=1)
    ids = walk(lambda after: worklist_page(sup, "supervise", after=after, size=2))
    assert open_one.pk in ids and closed_one.pk not in ids
    branch = case_querysets(sup, CaseFilters(view="supervise"))[1].order_by("-id").values_list("id", flat=True)[:51]
    sql, params = branch.query.sql_with_params()
    assert '"supervision_count" > 0' in sql
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "cases_case_supervised" in plan, plan


def test_a_grid_workers_open_list_reads_its_ids_from_the_index_alone(mixed, actors):
    """When the worklist walks cases_case_open_id (as SQLite does with the statistics of 1,000,000 cases), the
    index holds every column its filter reads (the scope's and the overdue test's): a grid worker's list
    filters ~4,600 entries for 51 there, 8–75 ms when each entry looked up its row, 0.5 ms from the index
    (bench/cases_worklist.py). On a small database the planner may take other indexes: the walk is forced."""
    from django.db import connection

    from linli.cases.selectors import case_querysets

    worker = actors["worker"]
    ids = walk(lambda after: worklist_page(worker, "worklist", after=after, size=2))
    assert ids == list(case_queryset(worker, CaseFilters(view="all", status=["open"])).order_by("-id")
                       .values_list("id", flat=True))
    if connection.vendor == "sqlite":
        for view in ("all", "overdue"):
            [branch] = case_querysets(worker, CaseFilters(view=view, status=["open"]))
            sql, params = branch.order_by("-id").values_list("id", flat=True)[:51].query.sql_with_params()
            sql = sql.replace('FROM "cases_case"', 'FROM "cases_case" INDEXED BY cases_case_open_id', 1)
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "COVERING INDEX cases_case_open_id" in plan, plan


def test_a_page_is_one_statement_with_its_owners_names(mixed, actors, world):
    """The rows, their joins and the owner's name (user, department, else the community) in one statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sup = actors["supervisor"]
    worklist_page(sup, "supervise")  # the user's scope is read once, on first use
    with CaptureQueriesContext(connection) as sent:
        rows, _ = worklist_page(sup, "supervise")
    assert len(sent.captured_queries) == 1
    with CaptureQueriesContext(connection) as sent:
        rows, _ = case_page(sup, CaseFilters(view="all"))
    assert len(sent.captured_queries) == 1
    by_id = {c.pk: c for c in Case.objects.filter(pk__in=[r["id"] for r in rows]).select_related(
        "owner_user", "owner_department", "community")}
    for row in rows:
        case = by_id[row["id"]]
        expected = str(case.owner_user) if case.owner_user else case.owner_department.name if case.owner_department \
            else case.community.name if case.owner_kind == "community" else ""
        assert row["owner"] == expected
    assert any(r["owner"] == world.department.name for r in rows)
