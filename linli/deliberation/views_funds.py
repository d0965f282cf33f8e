"""Pages of the community funds (党员扶助基金): the balance and the money by kind for the community; the
entries, donations, payments and payment runs for its staff (paid people's names masked)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.ui import error_message, page_rows
from linli.deliberation import actions, selectors
from linli.deliberation.access import access_fund, can_manage, can_manage_path
from linli.deliberation.models import Fund
from linli.deliberation.workflow import MONEY_IN, EntryKind, FundProgramme


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    page = page_rows(request, Fund.objects.visible_to(request.user).select_related("community", "ledger"),
                     size=selectors.PAGE_SIZE)
    communities = []
    if can_manage(request.user):
        from linli.core.access import scope_of
        from linli.places.kinds import PlaceKind
        from linli.places.selectors import places_of_kind

        paths = scope_of(request.user).place_paths
        communities = [p for p in places_of_kind(PlaceKind.COMMUNITY).order_by("path")[:300]
                       if any(p.path.startswith(s) for s in paths)]
    return render(request, "deliberation/fund_list.html", {**page, "funds": page["rows"],
                                                           "communities": communities, "tab": "funds"})


@require_POST
@login_required
def fund_new(request: HttpRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise Http404
    try:
        fund = actions.fund_create(actor=request.user, community=request.POST.get("community", ""),
                                   name=request.POST.get("name", ""), description=request.POST.get("description", ""))
    except DomainError as exc:
        error_message(request, exc)
        return redirect("deliberation:funds")
    return redirect("deliberation:fund_detail", fund.pk)


@login_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk)
    manage = can_manage_path(request.user, fund.community_path)
    return render(request, "deliberation/fund_detail.html", {
        "fund": fund,
        "manage": manage,
        "totals": actions.ledger_totals(fund.ledger_id),
        **(page_rows(request, fund.ledger.entries.all()) if manage else {}),
        "runs": list(fund.runs.order_by("-id")[:50]),
        "in_kinds": [(k, v) for k, v in EntryKind.choices if k in MONEY_IN],
        "programmes": FundProgramme.choices,
        "year": timezone.localdate().year,
        "tab": "funds",
    })


@require_POST
@login_required
def fund_money(request: HttpRequest, pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk)
    kind, post = request.POST.get("kind", ""), request.POST
    try:
        if kind == EntryKind.PAYMENT:
            actions.fund_pay(actor=request.user, fund=fund, amount=post.get("amount", ""),
                             counterparty=post.get("counterparty", ""), note=post.get("note", ""))
        else:
            actions.fund_money_in(actor=request.user, fund=fund, kind=kind, amount=post.get("amount", ""),
                                  counterparty=post.get("counterparty", ""), note=post.get("note", ""))
        messages.success(request, _("The entry is in the ledger."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:fund_detail", fund.pk)


@require_POST
@login_required
def fund_run(request: HttpRequest, pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk)
    try:
        run = actions.fund_payment_run(actor=request.user, fund=fund, year=request.POST.get("year", ""),
                                       amount=request.POST.get("amount", ""),
                                       programme=request.POST.get("programme", FundProgramme.MEDICAL_INSURANCE_70))
        messages.success(request, _("%(paid)d of %(eligible)d people paid (the others were paid this year already).")
                         % {"paid": run.paid, "eligible": run.eligible})
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:fund_detail", fund.pk)
