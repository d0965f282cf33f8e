"""Half-year reports to employer units: hours summed over the half year only; Excel and PDF open."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest

from linli.core.errors import Invalid
from linli.party.actions import member_create
from linli.party.actions.registrations import unit_org_for
from linli.party.reports import half_year, report_pdf, report_xlsx, service_report


@pytest.fixture
def registered(world, make_person):
    tax = unit_org_for("区税务局", world.community)
    school = unit_org_for("实验小学", world.community)
    a = member_create(
        person=make_person("李明"), kind="registered", employer=tax, grid=world.grid_a, actor=None
    )
    b = member_create(
        person=make_person("王强"), kind="registered", employer=tax, grid=world.grid_b, actor=None
    )
    c = member_create(
        person=make_person("赵丽"), kind="registered", employer=school, grid=world.grid_a, actor=None
    )
    return tax, school, a, b, c


def _hours(person_id, hours, day, n=[0]):  # noqa: B006 (a counter for unique sources)
    from linli.points import actions as points_actions

    n[0] += 1
    points_actions.hours_record(
        person_id=person_id,
        hours=Decimal(hours),
        source=f"test:{n[0]}",
        kind="other",
        actor=None,
        occurred_on=day,
    )


def test_half_year_bounds():
    assert half_year(2026, 1) == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert half_year(2026, 2) == (datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))
    with pytest.raises(Invalid):
        half_year(2026, 3)


def test_hours_are_summed_over_the_half_year_only(registered, community_staff):
    tax, school, a, b, c = registered
    _hours(a.person_id, "2.5", datetime.date(2026, 1, 1))  # first day of H1
    _hours(a.person_id, "1.5", datetime.date(2026, 6, 30))  # last day of H1
    _hours(a.person_id, "7", datetime.date(2026, 7, 1))  # H2: not in the H1 report
    _hours(a.person_id, "9", datetime.date(2025, 12, 31))  # last year
    _hours(c.person_id, "3", datetime.date(2026, 3, 3))
    report = service_report(community_staff, year=2026, half=1)
    units = {u.employer: u for u in report.units}
    assert units["区税务局"].hours == Decimal("4.0") and units["区税务局"].members == 2
    assert units["区税务局"].serving == 1
    assert units["实验小学"].hours == Decimal("3")
    lines = {ln.member_id: ln for ln in units["区税务局"].lines}
    assert lines[a.pk].hours == Decimal("4.0") and lines[b.pk].hours == 0
    assert lines[a.pk].name != "李明"  # masked
    h2 = service_report(community_staff, year=2026, half=2)
    assert {u.employer: u.hours for u in h2.units}["区税务局"] == Decimal("7")
    only_school = service_report(community_staff, year=2026, half=1, employer_id=school.pk)
    assert [u.employer for u in only_school.units] == ["实验小学"]


def test_points_are_reported(registered, community_staff):
    from linli.points import actions as points_actions

    tax, school, a, b, c = registered
    points_actions.points_award(person_id=b.person_id, rule_code="service", source="test:p1", actor=None)
    report = service_report(
        community_staff, year=datetime.date.today().year, half=1 if datetime.date.today().month <= 6 else 2
    )
    assert {u.employer: u.points for u in report.units}["区税务局"] >= 1


def test_outsider_sees_no_members(registered, outsider):
    assert service_report(outsider, year=2026, half=1).units == []


def test_excel_and_pdf_open(registered, community_staff):
    from openpyxl import load_workbook

    tax, school, a, b, c = registered
    _hours(a.person_id, "2", datetime.date(2026, 2, 2))
    report = service_report(community_staff, year=2026, half=1)
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    assert len(book.sheetnames) == 2
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "区税务局" in values and 2.0 in values
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf
