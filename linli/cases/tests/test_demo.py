"""The demo street has lived a year (``linli demo``, the size the tests build): cases in every month of
the last 12 in every community and grid, in every state, by more than ten categories and three
departments, with every detour of the loop; the rollups equal the recompute; the street's KPI page
shows the five rates for each community."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, built once; every test runs in a savepoint inside this module's transaction."""
    from django.core.cache import cache

    from conftest import TEST_DATA_KEY
    from linli.accounts.demo import demo_build
    from linli.core import crypto
    from linli.places import geo

    with django_db_blocker.unblock(), override_settings(LINLI_DATA_KEY=TEST_DATA_KEY):
        cache.clear()
        crypto.reset_key_ring()
        geo.reset_index()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()
            crypto.reset_key_ring()
            geo.reset_index()


def _local_month(at):
    local = timezone.localtime(at)
    return local.year * 100 + local.month


def test_every_community_and_grid_has_cases_in_each_of_the_last_12_months(demo):
    from linli.cases.models import Case

    today = timezone.localdate()
    months = set()
    y, m = today.year, today.month
    for _ in range(12):
        months.add(y * 100 + m)
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    for community in demo.communities:
        filed = {_local_month(at) for at in Case.objects.filter(community=community).values_list("reported_at", flat=True)}
        assert months <= filed, (community.name, sorted(months - filed))
    per_grid = Counter(Case.objects.values_list("grid_id", flat=True))
    assert all(per_grid[g.pk] >= 12 for g in demo.grids)


def test_cases_are_in_every_state_and_take_every_detour(demo):
    from linli.cases.models import Case, CaseEvent
    from linli.cases.workflow import CaseStatus

    states = set(Case.objects.values_list("status", flat=True))
    assert states == set(CaseStatus.values)
    kinds = set(CaseEvent.objects.values_list("kind", flat=True))
    assert {"return", "extend", "extend_approve", "supervise", "summon", "summon_sign", "summon_answer", "park",
            "unpark", "rework", "reopen", "merge", "refuse", "support", "rate", "close"} <= kinds
    ratings = set(CaseEvent.objects.filter(kind="rate").values_list("data__satisfaction", flat=True))
    assert ratings == {"satisfied", "basically", "unsatisfied"}
    # A closed case reopened (not only a rating that reopened it).
    assert CaseEvent.objects.filter(kind="reopen", data__was="closed").exists()
    assert Case.objects.filter(status="merged", merged_into__isnull=False).exists()
    assert Case.objects.filter(support_count__gt=0).exists()
    assert Case.objects.values("category").distinct().count() >= 10
    assert Case.objects.exclude(owner_department=None).values("owner_department").distinct().count() >= 3
    channels = set(Case.objects.values_list("channel", flat=True))
    assert {"qr", "snapshot", "patrol", "visit", "hotline", "proxy"} <= channels


def test_the_street_has_overdue_supervised_and_summoned_cases_open_now(demo):
    from linli.accounts.models import User
    from linli.cases.selectors import CaseFilters, case_queryset

    street = User.objects.get(username="street")
    assert case_queryset(street, CaseFilters(view="overdue")).exists()
    assert case_queryset(street, CaseFilters(view="all", status=["parked"])).exists()
    supervised = case_queryset(street, CaseFilters(view="supervise")).filter(supervision_count__gt=0)
    assert supervised.exists()
    dept = User.objects.get(username="dept")
    assert case_queryset(dept, CaseFilters(view="department")).exists()


def test_history_is_spread_over_the_year_and_events_follow_in_time(demo):
    from linli.cases.models import Case, CaseEvent

    now = timezone.now()
    oldest = Case.objects.order_by("reported_at").values_list("reported_at", flat=True).first()
    assert now - oldest > timedelta(days=300)
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    # Every event of a case comes at or after its report, and a case's events keep their order in time.
    for case in Case.objects.annotate(n=Count("events")).filter(n__gt=5).order_by("id")[:40]:
        times = list(case.events.order_by("id").values_list("at", flat=True))
        assert times == sorted(times) and times[0] >= case.reported_at


def test_rollups_equal_the_recompute(demo):
    from linli.cases.kpi import kpi_diff

    assert kpi_diff() == []


def test_every_case_event_has_its_audit_row(demo):
    from linli.cases.models import CaseEvent
    from linli.core.models import AuditEntry

    transitions = CaseEvent.objects.exclude(kind__in=["created", "support", "merged_in"])
    audited = AuditEntry.objects.filter(action__startswith="cases.case_").exclude(
        action__in=["cases.case_create", "cases.case_support"])
    assert transitions.count() == audited.count()


def test_street_kpi_page_shows_every_rate_for_each_community(demo, client):
    from linli.accounts.models import User

    client.force_login(User.objects.get(username="street"))
    html = client.get("/cases/kpi/", {"by": "community"}).content.decode()
    body = html.split('id="kpi-ranking"', 1)[1].split("</tbody>", 1)[0]
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', body, re.S)}
    assert set(rows) == {c.name for c in demo.communities}
    for name, cells in rows.items():
        values = re.findall(r'<td class="text-end">([^<]*)</td>', cells)
        rates = values[3:8]  # counted, due, closed, then 响应率, 解决率, 满意率, 结案率, 按期结案率
        assert len(rates) == 5 and all(v.endswith("%") and float(v[:-1]) > 0 for v in rates), (name, values)


def test_communities_keep_their_own_levels(demo):
    """幸福社区 三区五级; 和睦社区 社区—居民小组—小区楼院—楼栋 with twenty courtyards (like 泥营社区); 平安社区
    片—物业小区/居民小组—楼长 (like 城南社区)."""
    from linli.accounts.models import RoleAssignment
    from linli.places.models import Place

    def chain(grid):
        ids = [int(p) for p in grid.path.strip("/").split("/")]
        kinds = dict(Place.objects.filter(pk__in=ids).values_list("pk", "kind"))
        return [kinds[i] for i in ids]

    happy, harmony, peace = demo.communities
    grids = {g.code: g for g in Place.objects.filter(kind="grid")}
    assert chain(grids["330102900001-01"]) == ["street", "community", "grid"]
    assert {tuple(chain(g)) for c, g in grids.items() if c.startswith("330102900002")} == {
        ("street", "community", "residents_group", "grid")}
    assert Place.objects.filter(kind="compound", path__startswith=harmony.path).count() == 20
    assert chain(grids["330102900003-01"]) == ["street", "community", "area", "grid"]
    assert chain(grids["330102900003-02"]) == ["street", "community", "area", "residents_group", "grid"]
    heads = RoleAssignment.objects.filter(role="building_head", place__path__startswith=peace.path)
    assert heads.count() == 2 and all(h.place.kind == "building" for h in heads)
    kinds = set(Place.objects.filter(kind="compound", path__startswith=happy.path).values_list("compound_kind", flat=True))
    assert kinds == {"rented", "relocation", "commercial", "old", "work_unit"}


def test_open_case_counters_equal_the_cases(demo):
    from linli.cases.open_counts import state_counts_diff

    assert state_counts_diff() == []


def test_open_cases_written_in_bulk_have_the_notices_and_audit_rows_of_the_actions(demo):
    """The recent cases the bulk path writes (not the ones a summons, a supervision, a merge or a "me too"
    keeps on the actions) told the desk of their intake and their owner of the dispatch, as the actions tell
    them; the intake's audit row says what the intake's says."""
    from linli.cases.models import Case
    from linli.core.models import AuditEntry
    from linli.notifications.models import Notice

    # (a sensor's case is the iot demo's, filed through the intake with the reading's time)
    recent = Case.objects.filter(reported_at__gte=timezone.now() - timedelta(days=10)).exclude(
        channel="sensor").order_by("id")
    assert recent.filter(status="reported").exists() and recent.filter(status="dispatched").exists()
    for case in recent:
        kinds = set(Notice.objects.filter(ref=f"cases.case:{case.pk}").values_list("kind", flat=True))
        assert "created" in kinds, case.number
        if case.status in ("dispatched", "signed", "handling") and case.owner_user_id:
            assert Notice.objects.filter(ref=f"cases.case:{case.pk}", kind="dispatch", user_id=case.owner_user_id).exists()
        entry = AuditEntry.objects.get(action="cases.case_create", target_type="cases.case", target_id=str(case.pk))
        assert entry.detail["category"] == case.category.code and entry.detail["place_path"] == case.place_path
        assert timedelta(0) <= entry.at - case.reported_at < timedelta(minutes=1)  # at its intake
    # The year's old notices were read and sent.
    old = Notice.objects.filter(created_at__lt=timezone.now() - timedelta(days=3), user__isnull=False)
    assert old.exists() and not old.filter(read_at__isnull=True).exists()
