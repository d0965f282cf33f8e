"""Serial numbers and the mediation agreement (人民调解协议书).

- ``sequence_draw``: the next number per community, year and kind ("dispute" for the ledger number,
  "agreement" for the agreement's serial) under a row lock: two mediators settling at once get two numbers;
- ``agreement_create``: the agreement row of a settled dispute (a written one gets its serial
  ``幸福社区人调〔2026〕第007号``; an oral one is recorded as such, without a serial);
- ``agreement_pdf``: the printable A4 document: parties, facts, terms, fulfilment, signature lines.
  reportlab (already a dependency) with the Adobe CID font STSong-Light: Chinese renders with no font file.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from linli.core.masking import mask_id_number


def sequence_draw(*, community: Any, year: int, kind: str) -> int:
    from linli.mediation.models import AgreementSequence

    with transaction.atomic():
        row = AgreementSequence.objects.select_for_update().filter(community=community, year=year, kind=kind).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = AgreementSequence.objects.create(community=community, year=year, kind=kind, last=0)
            except IntegrityError:  # created by a racing twin: lock theirs
                row = AgreementSequence.objects.select_for_update().get(community=community, year=year, kind=kind)
            row = AgreementSequence.objects.select_for_update().get(pk=row.pk)
        row.last += 1
        row.save(update_fields=["last"])
        return row.last


def serial_format(community_name: str, year: int, seq: int) -> str:
    return f"{community_name}人调〔{year}〕第{seq:03d}号"


def agreement_create(*, dispute: Any, form: str, terms: str, facts: str, performance_due: dt.date | None,
                     signed_on: dt.date):
    from linli.mediation.models import Agreement
    from linli.mediation.workflow import AgreementForm

    serial, seq, year = "", None, None
    if form == AgreementForm.WRITTEN:
        year = signed_on.year
        seq = sequence_draw(community=dispute.community, year=year, kind="agreement")
        serial = serial_format(dispute.community.name, year, seq)
    return Agreement.objects.create(
        dispute=dispute, community=dispute.community, form=form, serial=serial, year=year, seq=seq, facts=facts,
        terms=terms, performance_due=performance_due, signed_on=signed_on,
    )


FONT = "STSong-Light"


def _party_lines(dispute: Any) -> list[tuple[str, str]]:
    """(role, who) for each party, as an agreement names them: the full name (the document is handed to the
    parties themselves), the registry ID masked."""
    out = []
    for p in dispute.parties.select_related("person").order_by("role", "id"):
        who = p.full_name()
        if p.person_id is not None and p.person.id_number:
            who += f"（{_('ID')} {mask_id_number(p.person.id_number)}）"
        out.append((p.get_role_display(), who))
    return out


def agreement_pdf(dispute: Any) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    agreement = dispute.agreement
    title = ParagraphStyle("t", fontName=FONT, fontSize=20, leading=28, alignment=1, spaceAfter=4)
    serial = ParagraphStyle("s", fontName=FONT, fontSize=11, leading=16, alignment=2, spaceAfter=10)
    head = ParagraphStyle("h", fontName=FONT, fontSize=12.5, leading=20, spaceBefore=8, spaceAfter=2)
    body = ParagraphStyle("b", fontName=FONT, fontSize=11.5, leading=20, firstLineIndent=23)

    def para(text: str, style: Any = body) -> Any:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    story: list[Any] = [para(_("People's mediation agreement"), title)]
    story.append(para(agreement.serial or _("Oral agreement (recorded)"), serial))
    for role, who in _party_lines(dispute):
        story.append(para(f"{role}：{who}", ParagraphStyle("p", parent=body, firstLineIndent=0)))
    story.append(para(_("Main facts and points in dispute"), head))
    story.append(para(agreement.facts or dispute.facts))
    story.append(para(_("The parties agree after mediation"), head))
    story.append(para(agreement.terms))
    story.append(para(_("How and when it is fulfilled"), head))
    if agreement.performance_due:
        story.append(para(_("The parties fulfil the above by %(due)s.") % {"due": agreement.performance_due.isoformat()}))
    else:
        story.append(para(_("The parties fulfil the above when they sign this agreement.")))
    story.append(para(_("This agreement is made in three copies: one for each party and one for the mediation "
                        "committee. It takes effect when the parties sign it and the committee seals it.")))
    story.append(Spacer(1, 14 * mm))
    lines = [[_("Applicant (signature)"), "", _("Respondent (signature)"), ""],
             [_("Mediator (signature)"), "", _("People's mediation committee (seal)"), ""],
             [_("Date"), agreement.signed_on.isoformat(), "", ""]]
    table = Table(lines, colWidths=[42 * mm, 45 * mm, 50 * mm, 40 * mm], rowHeights=14 * mm)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 11),
                               ("LINEBELOW", (1, 0), (1, 1), 0.6, "#000000"),
                               ("LINEBELOW", (3, 0), (3, 1), 0.6, "#000000"),
                               ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story.append(table)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=agreement.serial or dispute.number, leftMargin=22 * mm,
                            rightMargin=22 * mm, topMargin=22 * mm, bottomMargin=20 * mm)
    doc.build(story)
    return out.getvalue()
