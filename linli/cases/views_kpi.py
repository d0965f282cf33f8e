"""Staff pages of the KPIs (trend by month, ranking by grid/community/department/category, Excel export)
and of the 12345 hotline import. Data from ``linli.cases.kpi`` over the rollups the user may see."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases.kpi import BASE, MEANS, RATES, kpi_table
from linli.cases.workflow import PERM_DISPATCH, PERM_VIEW
from linli.core.excel import Workbook, download
from linli.core.replica import replica_reads

RANKINGS = ("community", "grid", "district", "street", "department", "category", "compound_kind")
MAX_UPLOAD = 10 * 1024 * 1024


def _month(value: str, default: int) -> int:
    try:
        y, m = (int(p) for p in value.split("-")[:2])
        date(y, m, 1)
    except (ValueError, TypeError):
        return default
    return y * 100 + m


def _default_ranking(user: Any) -> str:
    """A city sees its districts first, a district its streets, a street its communities; a community (or
    a grid) its grids."""
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_by_paths

    paths = getattr(getattr(user, "scope", None), "place_paths", ()) or ()
    kinds = set(places_by_paths(paths).values_list("kind", flat=True))
    if PlaceKind.CITY in kinds:
        return "district"
    if PlaceKind.DISTRICT in kinds:
        return "street"
    return "community" if any(p.count("/") <= 2 for p in paths) else "grid"


def _params(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    this = today.year * 100 + today.month
    first = (today.year - 1) * 100 + today.month
    first = first + 1 if today.month < 12 else today.year * 100 + 1  # the last 12 months
    by = request.GET.get("by", "") or _default_ranking(request.user)
    return {
        "month_from": _month(request.GET.get("from", ""), first),
        "month_to": _month(request.GET.get("to", ""), this),
        "by": by if by in RANKINGS else "grid",
    }


def _staff(request: HttpRequest) -> None:
    if PERM_VIEW not in getattr(request.user, "perms", ()):
        raise PermissionDenied


def _fmt_month(m: int) -> str:
    return f"{m // 100}-{m % 100:02d}"


def _pct(value: float | None) -> str:
    """A rate as the published reports write it: 93.72%; "—" where there is nothing to divide by."""
    return f"{value * 100:.2f}%" if value is not None else "—"


@login_required
@replica_reads
def kpi_page(request: HttpRequest) -> HttpResponse:
    _staff(request)
    p = _params(request)
    window = {"month_from": p["month_from"], "month_to": p["month_to"]}
    trend = kpi_table(user=request.user, by="month", **window)
    ranking = kpi_table(user=request.user, by=p["by"], every_place=True, **window)
    [total] = kpi_table(user=request.user, by="all", **window)
    for row in ranking:
        row["cells"] = _cells(row)
    rates = [(r.name, str(r.label)) for r in RATES]
    means = [(name, str(label)) for name, label, *_rest in MEANS]
    chart = {
        "months": [r["label"] for r in trend],
        "series": {name: [r[name] for r in trend] for name, _l in rates},
        "reported": [r["reported"] for r in trend],
        "labels": dict(rates, reported=_("Cases reported")),
        "ranking": {"names": [r["label"] for r in ranking], "close_rate": [r["close_rate"] for r in ranking],
                    "satisfaction_rate": [r["satisfaction_rate"] for r in ranking]},
    }
    return render(request, "cases/kpi.html", {
        "total": total, "by_label": _dimension_label(p["by"]),
        "total_rates": [(r, _pct(total[r.name])) for r in RATES],
        "total_means": [(str(label), f"{total[name]:.1f}" if total[name] is not None else "—")
                        for name, label, *_r in MEANS],
        "base": [(str(label), total[name]) for name, label in BASE],
        "trend": trend, "ranking": ranking, "rates": rates, "means": means, "chart": chart,
        "by": p["by"], "rankings": [(k, _dimension_label(k)) for k in RANKINGS],
        "month_from": _fmt_month(p["month_from"]), "month_to": _fmt_month(p["month_to"]),
    })


def _cells(row: dict[str, Any]) -> list[str]:
    """Rates as percentages with two decimals and means with one; "—" where there is nothing to divide by."""
    out = [_pct(row[r.name]) for r in RATES]
    out += [f"{row[name]:.1f}" if row[name] is not None else "—" for name, *_r in MEANS]
    return out


def _dimension_label(by: str) -> str:
    return {
        "grid": _("Grid"), "community": _("Community"), "district": _("District"), "street": _("Street"),
        "department": _("Department"),
        "category": _("Category"), "month": _("Month"), "compound_kind": _("Compound kind"),
    }[by]


def kpi_workbook(tables: list[tuple[str, str, list[dict[str, Any]]]]) -> bytes:
    """An .xlsx with one sheet per (title, dimension, rows); rates as percentages."""
    book = Workbook()
    counters = [(name, label) for name, label in BASE]
    rates = {col: "0.00%" for col in range(len(counters) + 1, len(counters) + 1 + len(RATES))}
    for title, by, rows in tables:
        ws = book.sheet(title, [_dimension_label(by)] + [label for _n, label in counters]
                        + [r.label for r in RATES] + [label for _n, label, *_r in MEANS], widths={0: 20}, formats=rates)
        ws.rows([row["label"]] + [row[n] for n, _l in counters] + [row[r.name] for r in RATES]
                + [row[name] for name, *_r in MEANS] for row in rows)
    return book.getvalue()


@login_required
@replica_reads
def kpi_export(request: HttpRequest) -> HttpResponse:
    _staff(request)
    p = _params(request)
    window = {"month_from": p["month_from"], "month_to": p["month_to"]}
    tables = [(_("By month"), "month", kpi_table(user=request.user, by="month", **window))]
    for by in RANKINGS:
        tables.append((_dimension_label(by), by, kpi_table(user=request.user, by=by, every_place=True, **window)))
    return download(kpi_workbook(tables), f"kpi-{p['month_from']}-{p['month_to']}.xlsx")


@login_required
def hotline_upload(request: HttpRequest) -> HttpResponse:
    """Upload a 12345 export (CSV, .xlsx, JSON) for a community the user works in."""
    from linli.cases.hotline import hotline_import
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_visible_to

    if PERM_DISPATCH not in getattr(request.user, "perms", ()):
        raise PermissionDenied
    communities = list(places_visible_to(request.user).filter(kind=PlaceKind.COMMUNITY).order_by("code"))
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        community = next((c for c in communities if str(c.pk) == request.POST.get("community")), None)
        if upload is None or community is None:
            error = _("Choose the community and the file.")
        elif (upload.size or 0) > MAX_UPLOAD:
            error = _("The file is too large (at most 10 MB).")
        else:
            result = hotline_import(content=upload.read(), filename=upload.name or "", community=community,
                                    actor=request.user)
    return render(request, "cases/hotline_import.html", {"communities": communities, "result": result,
                                                         "error": error})
