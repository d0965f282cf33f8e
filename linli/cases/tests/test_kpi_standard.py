"""The KPI formulas of GB/T 30428.4 against a month a city published.

天门 (Hubei), December 2016 (天门日报, 2017-01-03; http://www.hbcic.net.cn/info/wcm/74587.htm): 996 cases
filed, 972 due, 911 closed (结案率 93.72%), 737 closed on time (按期结案率 75.82%). The fixture has the
same counts: 996 cases reported in December 2016, of which 911 closed (737 of them on time), 61 still open
past their handling deadline and 24 open within it. The rates come out as published only when both
divide by the cases due (结案数 ÷ 应结案数, 按期结案数 ÷ 应结案数), not by the cases filed or closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from linli.cases.kpi import kpi_diff, kpi_fix, kpi_table
from linli.cases.models import Case, CaseEvent
from linli.cases.open_counts import state_counts_rebuild

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
FILED, CLOSED, ONTIME, OPEN_LATE, OPEN_IN_TIME = 996, 911, 737, 61, 24


@pytest.fixture
def tianmen_december(world, category):
    """996 cases of December 2016 with their events (written in bulk; the rollups come from the events)."""
    start = datetime(2016, 12, 1, 9, 0, tzinfo=TZ)
    cases = []
    for i in range(FILED):
        reported = start + timedelta(minutes=43 * i)  # spread over the month
        due = reported + timedelta(days=3)
        if i < CLOSED:
            status, closed = "closed", reported + timedelta(days=2 if i < ONTIME else 5)
        else:
            status, closed = "handling", None
            due = datetime(2016, 12, 20, tzinfo=TZ) if i < CLOSED + OPEN_LATE else datetime(2099, 1, 1, tzinfo=TZ)
        cases.append(Case(
            number=f"2016-{i + 1:06d}", channel="patrol", category=category, title=f"案件{i}",
            grid=world.grid_a, community=world.community, place_path=world.grid_a.path, status=status,
            reported_at=reported, handle_due=due, closed_at=closed, closed_reason="resolved" if closed else "",
        ))
    Case.objects.bulk_create(cases)
    events = []
    for i, case in enumerate(cases):
        events.append(CaseEvent(case=case, kind="created", at=case.reported_at, to_status="reported"))
        if case.closed_at:
            events.append(CaseEvent(case=case, kind="close", at=case.closed_at, from_status="rated",
                                    to_status="closed", data={"ontime": i < ONTIME}))
    CaseEvent.objects.bulk_create(events)
    kpi_fix()
    state_counts_rebuild()  # written in bulk past the actions: the open cases' counters rebuilt, as kpi-recompute --fix does
    return cases


def test_kpi_reproduces_the_published_month(tianmen_december):
    [row] = kpi_table(user=None, by="all", month_from=201612, month_to=201612)
    assert row["valid"] == FILED
    assert row["open_overdue"] == OPEN_LATE
    assert row["due"] == 972
    assert row["closed"] == 911 and row["closed_ontime"] == 737
    assert f"{row['close_rate'] * 100:.2f}%" == "93.72%"
    assert f"{row['ontime_close_rate'] * 100:.2f}%" == "75.82%"
    assert kpi_diff() == []


def test_kpi_page_shows_the_published_rates(tianmen_december, client, community_staff):
    client.force_login(community_staff)
    html = client.get("/cases/kpi/", {"from": "2016-12", "to": "2016-12", "by": "grid"}).content.decode()
    assert "93.72%" in html and "75.82%" in html
    assert ">972<" in html  # the cases due, shown beside the rates


def test_a_parked_case_is_not_due_while_parked(tianmen_december):
    late = Case.objects.filter(status="handling", handle_due__year=2016).first()
    Case.objects.filter(pk=late.pk).update(status="parked")
    state_counts_rebuild()  # parked past the actions (the counters follow a transition; here, the rebuild)
    [row] = kpi_table(user=None, by="all", month_from=201612, month_to=201612)
    assert row["due"] == 971
