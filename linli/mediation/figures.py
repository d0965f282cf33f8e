"""The mediation figures (docs/mediation.md): 调解成功率 and 协议履行率, by grid, community, street or kind,
over a period, within the reader's scope.

- 调解总数 (mediated): disputes whose mediation ended in the period (an outcome: agreement reached or
  mediation failed; referred, withdrawn and refused ones were not mediated to an end);
- 调解成功数 (settled): those of them that reached an agreement (written or oral);
- 调解成功率 = 调解成功数 / 调解总数 (target ≥ 98%);
- 回访数 (followed up): agreements of the period whose fulfilment was checked at the follow-up;
- 履行数 (fulfilled): those found fulfilled; 协议履行率 = 履行数 / 回访数.

Rates are percentages rounded half up to one decimal (25,200 mediated, 24,732 settled: 98.1%); a rate
over nothing is None (shown as "—"), never 0 or 100.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GROUPS = {
    "grid": ("grid_id", "grid__name", _("Grid")),
    "community": ("community_id", "community__name", _("Community")),
    "street": ("community__parent_id", "community__parent__name", _("Street")),
    "kind": ("kind", None, _("Kind")),
}
TARGET = Decimal("98.0")


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage rounded half up to one decimal; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Row:
    key: Any
    label: str
    registered: int = 0
    mediated: int = 0
    settled: int = 0
    followed_up: int = 0
    fulfilled: int = 0

    @property
    def success_rate(self) -> Decimal | None:
        return rate(self.settled, self.mediated)

    @property
    def fulfilment_rate(self) -> Decimal | None:
        return rate(self.fulfilled, self.followed_up)

    @property
    def below_target(self) -> bool:
        r = self.success_rate
        return r is not None and r < TARGET


@dataclass
class Figures:
    by: str
    since: dt.date
    until: dt.date
    rows: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row(None, ""))


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(since, dt.time(), tzinfo=tz),
            dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=tz))


def mediation_figures(user: Any, *, by: str = "community", since: dt.date, until: dt.date,
                      kind: str = "") -> Figures:
    """The figures of the disputes ``user`` may see, grouped ``by`` grid, community, street or kind."""
    from linli.mediation.models import Dispute
    from linli.mediation.workflow import DisputeKind

    if by not in GROUPS:
        by = "community"
    key, name, _label = GROUPS[by]
    start, end = _bounds(since, until)
    qs = Dispute.objects.visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    ended = Q(outcome_at__gte=start, outcome_at__lt=end)
    values = [key] + ([name] if name else [])
    rows = (
        qs.filter(Q(reported_at__gte=start, reported_at__lt=end) | ended)
        .values(*values)
        .annotate(
            registered=Count("id", filter=Q(reported_at__gte=start, reported_at__lt=end)),
            mediated=Count("id", filter=ended & ~Q(outcome="")),
            settled=Count("id", filter=ended & Q(outcome="settled")),
            followed_up=Count("id", filter=ended & Q(outcome="settled", fulfilled__isnull=False)),
            fulfilled=Count("id", filter=ended & Q(outcome="settled", fulfilled=True)),
        )
        .order_by(name or key)
    )
    kinds = dict(DisputeKind.choices)
    out = Figures(by=by, since=since, until=until)
    total = Row(None, str(_("Total")))
    for r in rows:
        label = str(kinds.get(r[key], r[key])) if by == "kind" else (r.get(name) or "—")
        row = Row(r[key], label, r["registered"], r["mediated"], r["settled"], r["followed_up"], r["fulfilled"])
        out.rows.append(row)
        for f in ("registered", "mediated", "settled", "followed_up", "fulfilled"):
            setattr(total, f, getattr(total, f) + getattr(row, f))
    out.total = total
    return out


def figures_xlsx(fig: Figures) -> bytes:
    from linli.core.excel import Workbook

    book = Workbook()
    sheet = book.sheet(_("Mediation figures"), widths=[24, 10, 10, 12, 14, 14, 14, 14])
    sheet.row([_("Mediation figures"), f"{fig.since.isoformat()} – {fig.until.isoformat()}"], style="bold")
    sheet.header([GROUPS[fig.by][2], _("Disputes registered"), _("Disputes mediated"), _("Agreements reached"),
                  _("Success rate (%)"), _("Agreements followed up"), _("Agreements fulfilled"),
                  _("Fulfilment rate (%)")])
    sheet.rows([r.label, r.registered, r.mediated, r.settled, r.success_rate, r.followed_up, r.fulfilled,
                r.fulfilment_rate] for r in [*fig.rows, fig.total])
    sheet.skip()
    sheet.row([_("Success rate = settled / mediated; fulfilment rate = fulfilled / followed up (docs/mediation.md).")])
    return book.getvalue()
