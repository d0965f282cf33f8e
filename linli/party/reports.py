"""Half-yearly reports to the employer units of registered (双报到) members: per member and per unit,
the service hours and points of the half year (H1: January–June, H2: July–December) and the counts.
Hours and points come from the points contract (``points_selectors.hours_by_person`` /
``points_by_person``). Output as rows (page, API), Excel (``core.excel``) and PDF (reportlab, Chinese through
the built-in CID font ``STSong-Light``: no font file is shipped)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from linli.core.errors import Invalid
from linli.core.excel import Workbook
from linli.core.masking import mask_name
from linli.party.models import PartyMember, PartyMemberKind


def half_year(year: int, half: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of half ``half`` (1 or 2) of ``year``."""
    if half not in (1, 2) or not (2000 <= int(year) <= 2100):
        raise Invalid(_("Choose a year and a half year."), fields={"half": [_("1 or 2.")]})
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    return datetime.date(year, 7, 1), datetime.date(year, 12, 31)


def current_half(today: datetime.date) -> tuple[int, int]:
    return today.year, 1 if today.month <= 6 else 2


@dataclass
class MemberLine:
    member_id: int
    name: str  # masked
    employer: str
    grid: str
    hours: Decimal
    points: int
    evaluation: str = ""  # the community's half-year grade and comment (evaluation), when confirmed


# Other apps add the community's evaluation of each member to the report (evaluation's half-year grade and
# comment), registered at start-up: ``provider(member_ids, year, half) -> {member_id: text}``. Party imports
# no app that evaluates.
MemberNoteProvider = Callable[[list[int], int, int], dict[int, str]]
MEMBER_NOTES: list[MemberNoteProvider] = []


def member_note_register(provider: MemberNoteProvider) -> None:
    if provider not in MEMBER_NOTES:
        MEMBER_NOTES.append(provider)


@dataclass
class UnitLine:
    employer_id: int
    employer: str
    members: int
    serving: int  # members with any hours in the half year
    hours: Decimal
    points: int
    lines: list[MemberLine] = field(default_factory=list)


@dataclass
class Report:
    year: int
    half: int
    since: datetime.date
    until: datetime.date
    units: list[UnitLine]

    @property
    def title(self) -> str:
        return _("Service report of registered party members, %(year)s H%(half)s") % {
            "year": self.year,
            "half": self.half,
        }

    @property
    def period(self) -> str:
        return _("%(since)s to %(until)s") % {
            "since": f"{self.since:%Y-%m-%d}",
            "until": f"{self.until:%Y-%m-%d}",
        }

    @property
    def members(self) -> int:
        return sum(u.members for u in self.units)

    @property
    def hours(self) -> Decimal:
        return sum((u.hours for u in self.units), Decimal(0))

    @property
    def points(self) -> int:
        return sum(u.points for u in self.units)


def report_members(user: Any, *, since: datetime.date, until: datetime.date, employer_id: int | None = None):
    """Registered members visible to ``user`` who were members during the period."""
    qs = (
        PartyMember.objects.visible_to(user)
        .filter(kind=PartyMemberKind.REGISTERED, employer__isnull=False)
        .filter(Q(active=True) | Q(left_on__gte=since))
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=until))
        .select_related("person", "employer", "grid")
    )
    if employer_id is not None:
        qs = qs.filter(employer_id=employer_id)
    return list(qs.order_by("employer__name", "employer_id", "id"))


def service_report(user: Any, *, year: int, half: int, employer_id: int | None = None) -> Report:
    from linli.points import selectors as points_selectors

    since, until = half_year(year, half)
    members = report_members(user, since=since, until=until, employer_id=employer_id)
    ids = [m.person_id for m in members]
    hours = points_selectors.hours_by_person(ids, since=since, until=until) if ids else {}
    points = points_selectors.points_by_person(ids, since=since, until=until) if ids else {}
    units: dict[int, UnitLine] = {}
    for m in members:
        assert m.employer is not None
        unit = units.get(m.employer_id)  # type: ignore[arg-type]
        if unit is None:
            unit = units[m.employer.pk] = UnitLine(m.employer.pk, m.employer.name, 0, 0, Decimal(0), 0)
        h, p = Decimal(hours.get(m.person_id, 0) or 0), int(points.get(m.person_id, 0) or 0)
        unit.lines.append(
            MemberLine(m.pk, mask_name(m.person.name), m.employer.name, m.grid.name if m.grid else "", h, p)
        )
        unit.members += 1
        unit.serving += 1 if h > 0 else 0
        unit.hours += h
        unit.points += p
    notes: dict[int, str] = {}
    for provider in MEMBER_NOTES:
        for pk, text in provider([m.pk for m in members], year, half).items():
            notes[pk] = f"{notes[pk]}; {text}" if pk in notes else text
    for unit in units.values():
        for line in unit.lines:
            line.evaluation = notes.get(line.member_id, "")
    return Report(year, half, since, until, list(units.values()))


# --- files -------------------------------------------------------------------------------------------------


def _unit_headers() -> list[str]:
    return [_("Unit"), _("Members"), _("Members who served"), _("Service hours"), _("Points")]


def _member_headers() -> list[str]:
    return [_("Unit"), _("Name"), _("Grid"), _("Service hours"), _("Points"), _("Community's evaluation")]


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    widths = [28, 14, 16, 12, 10, 48]
    units = book.sheet(_("Units"), widths=widths)
    units.row([report.title], style="title")
    units.row([_("Period"), report.period])
    units.header(_unit_headers())
    units.rows([u.employer, u.members, u.serving, u.hours, u.points] for u in report.units)
    units.row([_("Total"), report.members, sum(u.serving for u in report.units), report.hours, report.points])
    detail = book.sheet(_("Members"), _member_headers(), widths=widths)
    detail.rows([u.employer, line.name, line.grid, line.hours, line.points, line.evaluation]
                for u in report.units for line in u.lines)
    return book.getvalue()


FONT = "STSong-Light"


def report_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=15, leading=20, spaceAfter=6)
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14)
    heading = ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 9.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2dede")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    story: list[Any] = [
        Paragraph(report.title, title_style),
        Paragraph(f"{_('Period')}: {report.period}", body),
        Spacer(1, 6),
        Paragraph(_("Units"), heading),
    ]
    rows: list[list[Any]] = [_unit_headers()]
    rows += [[u.employer, u.members, u.serving, f"{u.hours:.1f}", u.points] for u in report.units]
    rows.append(
        [
            _("Total"),
            report.members,
            sum(u.serving for u in report.units),
            f"{report.hours:.1f}",
            report.points,
        ]
    )
    table = Table(rows, colWidths=[200, 60, 80, 80, 60], repeatRows=1)
    table.setStyle(style)
    table.setStyle(TableStyle([("ALIGN", (1, 1), (-1, -1), "RIGHT")]))
    story.append(table)
    for u in report.units:
        story.append(Paragraph(u.employer, heading))
        lines = [_member_headers()[1:]] + [
            [ln.name, ln.grid, f"{ln.hours:.1f}", ln.points, Paragraph(ln.evaluation, body)] for ln in u.lines
        ]
        t = Table(lines, colWidths=[60, 90, 60, 40, 265], repeatRows=1)
        t.setStyle(style)
        t.setStyle(TableStyle([("ALIGN", (2, 1), (-1, -1), "RIGHT")]))
        story.append(t)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=report.title, leftMargin=40, rightMargin=40)
    doc.build(story)
    return out.getvalue()
