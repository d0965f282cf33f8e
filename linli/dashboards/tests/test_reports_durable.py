"""The monthly reports' task killed mid-way (linli.core.jobs.durable_periodic_task): the reaper sends
its run again and every street and community ends with exactly one report of the month, the ones made
before the kill not made again."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_monthly_reports_killed_mid_way_end_with_one_report_per_place(world):
    from linli.core.jobs import task_runs_reap
    from linli.core.models import AuditEntry, TaskRunStatus
    from linli.core.testing.jobs import killed_run
    from linli.dashboards.actions import report_generate
    from linli.dashboards.models import MonthlyReport
    from linli.dashboards.reports import REPORT_KINDS
    from linli.dashboards.screen import month_add, this_month
    from linli.dashboards.tasks import dashboards_monthly_reports
    from linli.places.models import Place

    month = month_add(this_month(), -1)
    places = set(Place.objects.filter(kind__in=REPORT_KINDS).values_list("pk", flat=True))
    assert len(places) == 3
    report_generate(place=world.street, month=month)  # made before the worker was killed
    run = killed_run(dashboards_monthly_reports.task_name, key=dashboards_monthly_reports.task_name)
    dashboards_monthly_reports.periodic.call_local()  # a tick meanwhile: no second run beside it
    assert task_runs_reap() == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == (TaskRunStatus.DONE, 2)
    made = list(MonthlyReport.objects.filter(month=month).values_list("place_id", flat=True))
    assert sorted(made) == sorted(places)  # one each
    assert AuditEntry.objects.filter(action="dashboards.report_generate").count() == 3  # each made once


def test_the_report_has_the_months_visits_disputes_and_evaluations(world):
    """Disputes, door-knocking visits and evaluations (评议) are counted by their apps' selectors (they read
    "not installed" before care, mediation and evaluation had them), each figure named in Chinese."""
    from django.utils import timezone, translation

    from linli.dashboards.reports import _sections, report_figures

    now = timezone.localtime()
    with translation.override("zh-hans"):
        f = report_figures(world.community, now.year * 100 + now.month)
        sections = {title: rows for title, _header, rows in _sections(f)}
    assert f["disputes"] == {"received": 0, "settled": 0, "failed": 0, "open": 0}
    assert f["visits"] == {"visits": 0, "persons": 0, "needing_help": 0, "overdue_plans": 0}
    assert sections["矛盾纠纷"][0] == ["登记数", 0] and ["调解成功（达成协议）", 0] in sections["矛盾纠纷"]
    assert ["走访人数", 0] in sections["走访关爱"]
    assert f["evaluations"]["rounds"] == 0 and f["evaluations"]["problems"] == 0
    assert sections["评价"][:2] == [["本月楼栋互评轮次", 0], ["已公布排名的轮次", 0]]
    assert ["其中月底前已整改", 0] in sections["评价"] and ["评为优秀", 0] in sections["评价"]
    assert len(sections["评价"]) == 14
