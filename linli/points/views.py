"""Points pages. Residents (phone-sized): my points, the shop (redeem with a confirm step, then the code
and its QR code). Staff: the ledger (filters, keyset paging, Excel of points and of hours), corrections
and reversals, rules, shop items, the fulfil-by-code page, rankings, selections. Public: honours.
Every write goes through ``linli.points.actions``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.core.errors import DomainError
from linli.core.masking import mask_name
from linli.core.qr import qr_svg_inline
from linli.core.replica import replica_reads
from linli.core.ui import after_cursor, first_rows, form_errors, page_rows, perm_required, raise_http
from linli.points import actions, selectors
from linli.points.access import access_redemption, access_selection
from linli.points.forms import CorrectForm, ItemForm, LedgerFilterForm, RuleForm, SelectionForm
from linli.points.models import (
    PointsEntry,
    PointsRule,
    Redemption,
    Selection,
    SelectionCandidate,
    ShopItem,
)
from linli.points.workflow import PERM_FULFIL, PERM_MANAGE, available_actions


def _person(user):
    from linli.residents.selectors import person_for_user

    return person_for_user(user)


PLACES_SHOWN = 300  # the rankings' choice of places (a select): past this many the page says so

# --- residents ------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_points(request: HttpRequest) -> HttpResponse:
    person = _person(request.user)
    ctx: dict[str, Any] = {"person": person}
    if person is not None:
        ctx.update(
            balance=selectors.balance_of(person.pk),
            entries=selectors.my_entries(person.pk, limit=30),
            hours=selectors.my_hours(person.pk, limit=30),
            redemptions=selectors.my_redemptions(person.pk, limit=20),
        )
    return render(request, "points/my_points.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def shop(request: HttpRequest) -> HttpResponse:
    person = _person(request.user)
    items = list(selectors.shop_items_for(person))
    balance = selectors.balance_of(person.pk) if person else 0
    confirm = None
    if request.method == "POST":
        try:
            r = actions.redemption_create(item_id=int(request.POST.get("item") or 0), actor=request.user)
        except DomainError as exc:
            raise_http(exc)
            messages.error(request, str(exc.message))
            return redirect("points:shop")
        return redirect("points:redemption", pk=r.pk)
    if request.GET.get("item"):
        confirm = next((i for i in items if str(i.pk) == request.GET["item"]), None)
    can_redeem = "points.redeem" in request.user.perms
    return render(
        request,
        "points/shop.html",
        {"person": person, "items": items, "balance": balance, "confirm": confirm, "can_redeem": can_redeem},
    )


@login_required
@require_GET
def redemption(request: HttpRequest, pk: int) -> HttpResponse:
    r = access_redemption(request.user, pk)
    fulfil_url = request.build_absolute_uri(reverse("points:fulfil") + "?" + urlencode({"code": r.code}))
    return render(
        request,
        "points/redemption.html",
        {
            "r": r,
            "qr": qr_svg_inline(fulfil_url, box_size=12),
            "actions": available_actions(r, request.user),
            "events": r.events.all(),
            "is_owner": r.user_id == request.user.pk,
        },
    )


@login_required
@require_POST
def redemption_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    access_redemption(request.user, pk)
    try:
        actions.redemption_transition(
            redemption=pk, name=name, actor=request.user, note=request.POST.get("note", "")
        )
        messages.success(request, _("Done."))
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    return redirect("points:redemption", pk=pk)


# --- fulfil by code (providers and staff) ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def fulfil(request: HttpRequest) -> HttpResponse:
    code = (request.POST.get("code") or request.GET.get("code") or "").strip().upper()
    found = None
    if code:
        r = Redemption.objects.filter(code=code).first()
        if r is not None and Redemption.objects.visible_to(request.user).filter(pk=r.pk).exists():
            found = Redemption.objects.select_related("item", "person").get(pk=r.pk)
    is_provider = (
        PERM_FULFIL in request.user.perms
        or ShopItem.objects.filter(provider_user_id=request.user.pk).exists()
    )
    if not is_provider:
        raise Http404
    if request.method == "POST":
        try:
            done = actions.redemption_fulfil_by_code(code=code, actor=request.user)
            messages.success(request, _("Handed over: %(item)s.") % {"item": done.item.name})
            return redirect(reverse("points:fulfil"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return render(
        request,
        "points/fulfil.html",
        {"code": code, "found": found, "masked": mask_name(found.person.name) if found else ""},
    )


# --- the ledger (staff) -------------------------------------------------------------------------------------


@perm_required(PERM_MANAGE, PERM_FULFIL)
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    after = after_cursor(request)
    size = selectors.PAGE
    rows = list(selectors.entry_list(user=request.user, filters=filters, after=after, limit=size + 1))
    next_url = None
    if len(rows) > size:
        query = request.GET.copy()
        query["after"] = str(rows[size - 1].pk)
        next_url = "?" + query.urlencode()
    rows = rows[:size]
    for e in rows:
        e.masked = mask_name(e.person.name)
    export_query = request.GET.copy()
    export_query.pop("after", None)
    return render(
        request,
        "points/ledger.html",
        {
            "form": form,
            "rows": rows,
            "next_url": next_url,
            "export_query": export_query.urlencode(),
            "can_manage": PERM_MANAGE in request.user.perms,
        },
    )


@perm_required(PERM_MANAGE, PERM_FULFIL)
@require_GET
@replica_reads
def ledger_export(request: HttpRequest, what: str) -> HttpResponseBase:
    """The ledger as filtered, as .xlsx: at once up to a few thousand rows, else written by the worker
    while a page shows the progress (``linli.points.exports``)."""
    from linli.core.export_jobs import export_response
    from linli.points.exports import KIND, WHAT, ledger_params

    if what not in WHAT:
        raise Http404
    return export_response(request, KIND, ledger_params(what, request.GET))


@perm_required(PERM_MANAGE)
@require_POST
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    if not PointsEntry.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    try:
        actions.points_reverse(entry_id=pk, note=request.POST.get("note", ""), actor=request.user)
        messages.success(request, _("The entry was reversed."))
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    return redirect("points:ledger")


@perm_required(PERM_MANAGE)
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest) -> HttpResponse:
    form = CorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.points_correct(actor=request.user, **form.cleaned_data)
            messages.success(request, _("The correction was recorded."))
            return redirect("points:ledger")
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
    return render(request, "points/form.html", {"form": form, "title": _("Correct points")})


# --- rules ----------------------------------------------------------------------------------------------------


@perm_required(PERM_MANAGE)
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "points/rules.html", {"rules": PointsRule.objects.all()})


@perm_required(PERM_MANAGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = PointsRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    form = RuleForm(request.POST or None, instance=PointsRule.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.rule_update(rule=rule, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The rule was saved."))
            return redirect("points:rules")
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
    return render(
        request, "points/form.html", {"form": form, "title": _("Edit rule %(code)s") % {"code": rule.code}}
    )


# --- shop items -------------------------------------------------------------------------------------------------


def _communities(user):
    from linli.places.selectors import communities_of

    return [p for p in communities_of(user) if user.scope.covers_path(p.path)]


@perm_required(PERM_MANAGE)
@require_GET
def items(request: HttpRequest) -> HttpResponse:
    page = page_rows(request, ShopItem.objects.visible_to(request.user).select_related("community"), ascending=True)
    recent = Redemption.objects.visible_to(request.user).select_related("item", "person").order_by("-id")[:30]
    for r in recent:
        r.masked = mask_name(r.person.name)
    return render(request, "points/items.html", {**page, "items": page["rows"], "recent": recent})


@perm_required(PERM_MANAGE)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    communities = _communities(request.user)
    obj = None
    initial: dict[str, Any] = {"active": True}
    if pk is not None:
        obj = ShopItem.objects.visible_to(request.user).filter(pk=pk).first()
        if obj is None:
            raise Http404
        initial = {
            "community": str(obj.community_id),
            "name": obj.name,
            "kind": obj.kind,
            "cost": obj.cost,
            "stock": obj.stock,
            "provider_name": obj.provider_name,
            "description": obj.description,
            "active": obj.active,
        }
    form = ItemForm(request.POST or None, initial=initial, communities=communities)
    if pk is not None:
        form.fields["community"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        community = data.pop("community")
        try:
            if obj is None:
                actions.item_create(community=int(community), actor=request.user, **data)
            else:
                data["provider_user_id"] = obj.provider_user_id
                data["provider_organisation_id"] = obj.provider_organisation_id
                actions.item_update(item=obj, actor=request.user, **data)
            messages.success(request, _("The item was saved."))
            return redirect("points:items")
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
    return render(request, "points/form.html", {"form": form, "title": _("Shop item")})


# --- rankings ------------------------------------------------------------------------------------------------------

PERIOD_LABELS = {
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
    "half": gettext_lazy("Half year"),
    "year": gettext_lazy("Year"),
}


@perm_required(PERM_MANAGE)
@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_visible_to

    scope = request.user.scope
    shown = first_rows(  # a select's options: past PLACES_SHOWN the page says so
        places_visible_to(request.user).filter(kind__in=[PlaceKind.COMMUNITY, PlaceKind.GRID]).order_by("path"),
        PLACES_SHOWN)
    places = [p for p in shown["rows"] if scope.covers_path(p.path)]
    period = request.GET.get("period") if request.GET.get("period") in selectors.PERIODS else "month"
    chosen = next((p for p in places if str(p.pk) == request.GET.get("place")), places[0] if places else None)
    rows: list[dict[str, Any]] = []
    since = until = None
    if chosen is not None:
        since, until = selectors.period_bounds(period, timezone.localdate())
        rows = selectors.ranking(place_path=chosen.path, since=since, until=until, limit=20)
        for r in rows:
            r["masked"] = mask_name(r["name"])
    return render(
        request,
        "points/rankings.html",
        {
            "places": places,
            "cut": shown["cut"],
            "chosen": chosen,
            "period": period,
            "periods": PERIOD_LABELS.items(),
            "rows": rows,
            "since": since,
            "until": until,
        },
    )


# --- selections and honours -----------------------------------------------------------------------------------------


@perm_required(PERM_MANAGE)
@require_http_methods(["GET", "POST"])
def selections(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = SelectionForm(
        request.POST or None,
        communities=_communities(request.user),
        initial={"year": today.year, "half": "H1" if today.month <= 6 else "H2"},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            sel = actions.selection_create(community=int(data.pop("community")), actor=request.user, **data)
            return redirect("points:selection", pk=sel.pk)
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
    page = page_rows(request, Selection.objects.visible_to(request.user).select_related("community"))
    return render(request, "points/selections.html", {"form": form, **page})


@perm_required(PERM_MANAGE)
@require_http_methods(["GET", "POST"])
def selection(request: HttpRequest, pk: int) -> HttpResponse:
    sel = access_selection(request.user, pk)
    if request.method == "POST":
        try:
            step = request.POST.get("step", "")
            if step == "candidate":
                actions.selection_candidate_set(
                    selection=sel,
                    candidate_id=int(request.POST.get("candidate") or 0),
                    included=request.POST.get("included") == "on",
                    rank=request.POST.get("rank") or 0,
                    actor=request.user,
                )
            elif step == "recompute":
                actions.selection_shortlist(selection=sel, actor=request.user)
            else:
                actions.selection_transition(selection=sel, name=step, actor=request.user)
            messages.success(request, _("Saved."))
        except (DomainError, ValueError) as exc:
            if isinstance(exc, DomainError):
                raise_http(exc)
                messages.error(request, str(exc.message))
        return redirect("points:selection", pk=pk)
    candidates = SelectionCandidate.objects.filter(selection=sel).select_related("person")
    for c in candidates:
        c.masked = mask_name(c.person.name)
    return render(request, "points/selection.html", {"sel": sel, "candidates": candidates})


@require_GET
def honours(request: HttpRequest) -> HttpResponse:
    """Public: the published selections (names masked as on every public page)."""
    rows = []
    for sel in selectors.honours_published():
        people = [
            {"rank": c.rank, "name": mask_name(c.person.name)}
            for c in sorted(sel.candidates.all(), key=lambda c: (c.rank, -c.score))
            if c.included
        ]
        rows.append({"sel": sel, "people": people})
    return render(request, "points/honours.html", {"rows": rows})
