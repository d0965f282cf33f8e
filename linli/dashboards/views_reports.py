"""Monthly reports: the list of the user's streets and communities with the reports kept, downloads
(Excel, PDF) and regeneration for any past month. For holders of ``reports.view`` over the place."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.core.errors import DomainError
from linli.core.excel import XLSX, download
from linli.dashboards.access import access_report
from linli.dashboards.actions import report_generate
from linli.dashboards.selectors import report_grid
from linli.dashboards.views_screen import access_screen_place, reports_viewer_required, screen_places


@reports_viewer_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/reports.html", report_grid(request.user, list(screen_places(request.user))))


@reports_viewer_required
@require_GET
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "pdf"):
        raise Http404("not found")
    report = access_report(request.user, pk)
    name = f"{report.place.name}-{report.month // 100}-{report.month % 100:02d}.{fmt}"
    return download(bytes(getattr(report, fmt)), name, content_type="application/pdf" if fmt == "pdf" else XLSX)


@reports_viewer_required
@require_POST
def report_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    place = access_screen_place(request.user, pk)
    raw = request.POST.get("month", "").replace("-", "")
    try:
        report_generate(place=place, month=int(raw) if raw.isdigit() else 0, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The report of %(place)s for %(month)s is ready.") % {
            "place": place.name, "month": request.POST.get("month", "")})
    return redirect("dashboards:reports")
