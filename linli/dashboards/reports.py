"""Monthly reports (月度报表) of a street or a community: cases and KPIs (by community or grid, by
category), disputes, visits, activities, alarms and evaluations, as Excel (``core.excel``) and PDF
(reportlab, the built-in CID font STSong-Light). Generated on the 1st for the month before by a periodic
task (``dashboards_monthly_reports``), kept (``MonthlyReport``, written by ``actions.report_generate``), downloadable, and regenerable for any past
month. Figures from the owning apps' selectors and rollups (disputes: mediation.selectors.dispute_stats;
door-knocking visits: care.selectors.visit_stats; evaluations: evaluation.selectors.evaluation_stats)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.excel import Workbook
from linli.dashboards.screen import RATE_NAMES, month_add, month_start

REPORT_KINDS = ("street", "community")
FONT = "STSong-Light"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def report_figures(place: Any, month: int) -> dict[str, Any]:
    from linli.care.selectors import visit_stats
    from linli.cases.selectors import kpi_rows as kpi_table
    from linli.evaluation.selectors import evaluation_stats
    from linli.iot.selectors import alarms_by_month
    from linli.mediation.selectors import dispute_stats
    from linli.points.selectors import points_stats
    from linli.volunteers.selectors import volunteer_stats

    start, end = month_start(month), month_start(month_add(month, 1))
    total = kpi_table(user=None, by="all", month_from=month, month_to=month, place_path=place.path)
    unit_by = "community" if place.kind == "street" else "grid"
    units = kpi_table(user=None, by=unit_by, month_from=month, month_to=month, place_path=place.path, every_place=True)
    categories = [r for r in kpi_table(user=None, by="category", month_from=month, month_to=month,
                                       place_path=place.path) if r["reported"]]
    alarms = alarms_by_month(place_path=place.path, start=start, end=end)
    return {
        "place": place.name, "kind": place.kind, "month": month, "title": _("%(place)s monthly report %(year)s-%(month)02d") % {
            "place": place.name, "year": month // 100, "month": month % 100},
        "total": total[0] if total else {},
        "units": [u for u in units if u["key"]], "unit_by": unit_by,
        "categories": sorted(categories, key=lambda r: -r["reported"]),
        "alarms": alarms,
        "volunteers": volunteer_stats(place_path=place.path, since=start, until=end),
        "points": points_stats(place_path=place.path, since=start, until=end),
        "disputes": dispute_stats(place_path=place.path, since=start, until=end),
        "visits": visit_stats(place_path=place.path, since=start, until=end),
        "evaluations": evaluation_stats(place_path=place.path, since=start, until=end),
    }


def _kpi_headers() -> list[str]:
    return [_("Cases received"), _("Cases due"), _("Closed"), _("Closed on time"), _("Response rate"),
            _("Solved rate"), _("Satisfaction rate"), _("Close rate"), _("On-time close rate")]


def _kpi_cells(r: dict[str, Any]) -> list[Any]:
    return [r.get("reported", 0), r.get("due", 0), r.get("closed", 0), r.get("closed_ontime", 0),
            *[_pct(r.get(n)) for n in (*RATE_NAMES, "close_rate", "ontime_close_rate")]]


def _sections(f: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report as (title, header, rows) tables: the same content in Excel and PDF."""
    unit_label = _("Community") if f["unit_by"] == "community" else _("Grid")
    sections = [
        (_("Cases and KPIs"), [_("Scope"), *_kpi_headers()], [[f["place"], *_kpi_cells(f["total"])]]),
        (_("By %(unit)s") % {"unit": unit_label}, [unit_label, *_kpi_headers()],
         [[u["label"], *_kpi_cells(u)] for u in f["units"]]),
        (_("By category"), [_("Category"), _("Cases received"), _("Closed")],
         [[c["label"], c["reported"], c["closed"]] for c in f["categories"]]),
        (_("Alarms"), [_("Raised"), _("Alarm"), _("Device"), _("Kind"), _("Status"), _("Case"), _("Cleared")],
         [[a["raised_at"].strftime("%m-%d %H:%M"), a["rule"], f"{a['device']} {a['device_name']}", str(a["kind"]),
           str(a["status"]), a["case"], a["cleared_at"].strftime("%m-%d %H:%M") if a["cleared_at"] else ""]
          for a in f["alarms"]]),
        (_("Activities, volunteers and points"), [_("Item"), _("Value")], [
            [_("Volunteers registered"), f["volunteers"]["volunteers"]],
            [_("Volunteer activities"), f["volunteers"]["activities"]],
            [_("Service hours"), f["points"]["hours"]],
            [_("Points awarded"), f["points"]["points"]],
        ]),
    ]
    labels = {
        "received": _("Disputes registered"), "settled": _("Mediated to an agreement"),
        "failed": _("Mediation failed"), "open": _("Open now"),
        "visits": _("Door-knocking visits"), "persons": _("Persons visited"),
        "needing_help": _("Found needing help"), "overdue_plans": _("Visit plans overdue now"),
        "rounds": _("Building evaluation rounds of the month"), "rounds_published": _("Rounds published"),
        "sheets": _("Score sheets handed in"), "red_flags": _("Red-flag buildings"),
        "inspections": _("Campaign inspections made"), "problems": _("Problems found by the inspections"),
        "fixed": _("Of them fixed by the month's end"), "members": _("Party members' evaluations confirmed"),
        "excellent": _("Graded excellent"), "good": _("Graded good"), "fair": _("Graded fair"),
        "poor": _("Graded poor"), "survey_answers": _("Satisfaction survey answers"),
        "survey_satisfied": _("Of them satisfied"),
    }
    for key, title in (("disputes", _("Disputes")), ("visits", _("Visits")), ("evaluations", _("Evaluations"))):
        sections.append((title, [_("Item"), _("Value")], [[labels[k], v] for k, v in f[key].items()]))
    return sections


def report_xlsx(f: dict[str, Any]) -> bytes:
    book = Workbook()
    for n, (name, header, rows) in enumerate(_sections(f)):
        sheet = book.sheet(f"{n + 1} {name}", widths=[22] + [14] * len(header))
        sheet.row([f"{f['title']} · {name}"], style="title")
        sheet.skip()
        sheet.header(header)
        sheet.rows(rows)
    return book.getvalue()


def report_pdf(f: dict[str, Any]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=8)
    heading = ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    small = ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=11)
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2dede")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ])
    story: list[Any] = [Paragraph(f["title"], title_style),
                        Paragraph(_("Generated %(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, small)]
    for name, header, rows in _sections(f):
        story.append(Paragraph(name, heading))
        body = [[Paragraph(str(c), small) if isinstance(c, str) and len(c) > 18 else c for c in r] for r in rows[:500]]
        table = Table([header, *body] if body else [header, ["—"] + [""] * (len(header) - 1)], repeatRows=1)
        table.setStyle(style)
        story.append(table)
        story.append(Spacer(1, 4))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=f["title"], leftMargin=30, rightMargin=30,
                            topMargin=30, bottomMargin=30)
    doc.build(story)
    return out.getvalue()
