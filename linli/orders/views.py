"""Pages of the 三单制 orders and 微心愿 wishes.

Residents (phone-sized pages): order a service, my orders (timeline, rate, cancel), post a wish, my
wishes (confirm). Members: the order pool of their branch (take), orders dispatched to or taken by them
(accept, decline, done with a photo), wishes to adopt. The desk (branch secretary, staff): the order
list with filters, an order's page with its timeline and the buttons of the table, wish moderation.
The public wish wall needs no login. Every button posts to ``order_act``/``wish_act``, which run the
same actions as the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from linli.core.errors import DomainError
from linli.core.people import name_actors
from linli.core.ui import form_errors, page_rows, raise_http, upload_error_status
from linli.orders import actions, selectors
from linli.orders.access import (
    access_order,
    access_wish,
    can_place_order,
    can_post_wish,
    is_order_staff,
)
from linli.orders.forms import ActionForm, OrderForm, RateForm, StaffOrderForm, StaffWishForm, WishForm
from linli.orders.workflow import (
    ORDER_TRANSITIONS,
    PERM_MANAGE_WISHES,
    WISH_TRANSITIONS,
    OrderCategory,
    OrderStatus,
    Satisfaction,
    WishStatus,
    available_order_actions,
    available_wish_actions,
)
from linli.party.selectors import login_member


def _error_text(exc: DomainError) -> str:
    parts = [str(exc.message)]
    for msgs in (exc.fields or {}).values():
        parts += [str(m) for m in msgs if str(m) not in parts]
    return " ".join(parts)


def _back(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def _places_for(user: Any) -> list[Any]:
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_in_scope

    scope = getattr(user, "scope", None)
    if scope is None:
        return []
    kinds = [PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND]
    return list(places_in_scope(scope, *kinds).only("id", "name").order_by("path")[:300])


def _staff_places(user: Any) -> bool:
    perms: frozenset[str] = getattr(user, "perms", frozenset())
    return "orders.dispatch" in perms or "wishes.manage" in perms


# --- resident: orders -------------------------------------------------------------------------------------


def _new(request: HttpRequest, *, may: bool, staff: bool, name_field: str, forms: tuple[Any, Any], template: str,
         ask: Callable[[dict[str, Any]], Any], done: Callable[[Any, bool], HttpResponse]) -> HttpResponse:
    """A resident orders or posts for themself; staff (``staff``) may enter it for a resident (``?for=resident``:
    the staff form, with the asker's name in ``name_field`` and the place)."""
    if not may:
        raise DjangoPermissionDenied
    user = request.user
    for_resident = staff and (request.GET.get("for") == "resident" or name_field in request.POST)
    kwargs: dict[str, Any] = {"places": _places_for(user)} if for_resident else {}
    form = forms[for_resident](request.POST or None, request.FILES or None, **kwargs)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            made = ask({**d, "place": int(d["place"]) if d.get("place") else None, "photo": d.get("photo"),
                        name_field: d.get(name_field, "")})
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
            status = upload_error_status(exc)
        else:
            return done(made, for_resident)
    return render(request, template, {"form": form, "for_resident": for_resident, "can_for_resident": staff},
                  status=status)


@login_required
def order_new(request: HttpRequest) -> HttpResponse:
    user = request.user

    def done(order: Any, for_resident: bool) -> HttpResponse:
        messages.success(
            request, _("Your order #%(id)s was received; the party branch will arrange it.") % {"id": order.pk}
        )
        return redirect("orders:order_detail", pk=order.pk) if for_resident else redirect("orders:my_orders")

    return _new(
        request,
        may=can_place_order(user) or is_order_staff(user),
        staff=_staff_places(user),
        name_field="requester_name",
        forms=(OrderForm, StaffOrderForm),
        template="orders/order_new.html",
        ask=lambda d: actions.order_place(
            actor=user, category=d["category"], description=d["description"], address=d["address"],
            wanted_at=d.get("wanted_at"), photo=d["photo"], requester_name=d["requester_name"], place=d["place"],
        ),
        done=done,
    )


@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    page = page_rows(request, selectors.my_orders(user=request.user))
    items = []
    for order in page["rows"]:
        buttons = available_order_actions(order, request.user)
        items.append(
            {
                "order": order,
                "events": list(order.events.all()),
                "can_rate": any(t.name == "rate" for t in buttons),
                "can_cancel": any(t.name == "cancel" for t in buttons),
            }
        )
    return render(request, "orders/my_orders.html", {**page, "items": items, "rate_form": RateForm()})


# --- members ----------------------------------------------------------------------------------------------


@login_required
def order_pool(request: HttpRequest) -> HttpResponse:
    user = request.user
    if login_member(user) is None:
        if is_order_staff(user):  # a secretary without a member record of their own: the desk
            return redirect("orders:order_list")
        if "orders.take" not in getattr(user, "perms", frozenset()):
            raise DjangoPermissionDenied
        # A party-member login not yet linked to a member record: say so (the home tile led here).
        return render(request, "orders/order_pool.html", {"pool": [], "mine": [], "not_member": True})
    page = page_rows(request, selectors.order_pool(user=user), ascending=True)
    mine_page = page_rows(request, selectors.member_orders(user=user), key="mine")  # newest first, its own "More"
    mine = [{"order": order, "buttons": available_order_actions(order, user)} for order in mine_page["rows"]]
    return render(
        request,
        "orders/order_pool.html",
        {**page, "pool": page["rows"], "mine": mine, "mine_page": mine_page,
         "is_desk": is_order_staff(user)},  # a secretary: a way to the desk
    )


# --- the desk ---------------------------------------------------------------------------------------------


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_order_staff(user):
        # "Service orders" in the menu: members go to their branch's pool, others to their own orders.
        if login_member(user) is not None:
            return redirect("orders:order_pool")
        if can_place_order(user):
            return redirect("orders:my_orders")
        raise DjangoPermissionDenied
    filters: dict[str, Any] = {
        "status": request.GET.get("status") if request.GET.get("status") in OrderStatus.values else "",
        "category": request.GET.get("category")
        if request.GET.get("category") in OrderCategory.values
        else "",
        "overdue": request.GET.get("overdue") == "1",
        "flagged": request.GET.get("flagged") == "1",
        "open": request.GET.get("status", "open") == "open",
    }
    page = page_rows(request, selectors.order_list(user=user, filters=filters))
    items = [{"order": o, "overdue": selectors.order_is_overdue(o)} for o in page["rows"]]
    return render(
        request,
        "orders/order_list.html",
        {
            **page,
            "items": items,
            "filters": filters,
            "statuses": OrderStatus.choices,
            "categories": OrderCategory.choices,
            "counts": selectors.order_counts(user=user),
        },
    )


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order(request.user, pk)
    buttons = available_order_actions(order, request.user)
    candidates = (
        list(selectors.dispatch_candidates(order))
        if any(t.name == "dispatch" for t in buttons)
        else []
    )
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "buttons": buttons,
            "timeline": name_actors(selectors.order_timeline(order), masked=not is_order_staff(request.user)),
            "candidates": candidates,
            "overdue": selectors.order_is_overdue(order),
            "staff": is_order_staff(request.user) or order.requester_id == request.user.pk,
            "satisfactions": Satisfaction.choices,
        },
    )


def _act_data(form: ActionForm, request: HttpRequest, fields: tuple[str, ...]) -> dict[str, Any]:
    d = form.cleaned_data
    data = {k: d.get(k) for k in fields if k in d and d.get(k) not in (None, "")}
    if "photo" in fields and request.FILES.get("photo"):
        data["photo"] = request.FILES["photo"]
    return data


def _act(
    request: HttpRequest, obj: Any, name: str, table: dict, detail: str, transition: Callable[..., Any]
) -> HttpResponse:
    """One press of a table's button on an order or a wish: the action, then back with a message."""
    form = ActionForm(request.POST, request.FILES)
    back = _back(request, reverse(detail, args=[obj.pk]))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(back)
    try:
        transition(obj, name=name, actor=request.user, data=_act_data(form, request, table[name].form_fields))
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, _error_text(exc))
    else:  # "Done." after "Accept" read as the status 已完成: name what was done
        if name == "rate":
            messages.success(request, _("Thank you for your rating."))
        else:
            messages.success(request, _("Saved: %(action)s.") % {"action": table[name].label})
    return redirect(back)


@login_required
def order_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("orders:order_detail", pk=pk)
    if name not in ORDER_TRANSITIONS:
        raise Http404
    order = access_order(request.user, pk)
    return _act(
        request,
        order,
        name,
        ORDER_TRANSITIONS,
        "orders:order_detail",
        lambda obj, **kw: actions.order_transition(order=obj, **kw),
    )


# --- wishes -----------------------------------------------------------------------------------------------


@login_required
def wish_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    staff = "wishes.manage" in getattr(user, "perms", frozenset())

    def done(wish: Any, for_resident: bool) -> HttpResponse:
        messages.success(
            request, _("Your wish was received; it appears on the wall once the community has reviewed it.")
        )
        return redirect("orders:wish_manage") if for_resident else redirect("orders:my_wishes")

    return _new(
        request,
        may=can_post_wish(user) or staff,
        staff=staff,
        name_field="poster_name",
        forms=(WishForm, StaffWishForm),
        template="orders/wish_new.html",
        ask=lambda d: actions.wish_post(
            actor=user, title=d["title"], description=d.get("description", ""), photo=d["photo"],
            poster_name=d["poster_name"], place=d["place"],
        ),
        done=done,
    )


@login_required
def my_wishes(request: HttpRequest) -> HttpResponse:
    page = page_rows(request, selectors.my_wishes(user=request.user))
    items = [{"wish": w, "buttons": available_wish_actions(w, request.user)} for w in page["rows"]]
    return render(request, "orders/my_wishes.html", {**page, "items": items})


@login_required
def wishes_to_adopt(request: HttpRequest) -> HttpResponse:
    if "wishes.adopt" not in getattr(request.user, "perms", frozenset()):
        raise DjangoPermissionDenied
    page = page_rows(request, selectors.wishes_to_adopt(user=request.user))
    items = [{"wish": w, "buttons": available_wish_actions(w, request.user)} for w in page["rows"]]
    return render(request, "orders/wish_adopt.html", {**page, "items": items})


@login_required
def wish_manage(request: HttpRequest) -> HttpResponse:
    if "wishes.manage" not in getattr(request.user, "perms", frozenset()):
        raise DjangoPermissionDenied
    status = request.GET.get("status", WishStatus.POSTED)
    status = status if status in WishStatus.values else ""
    page = page_rows(request, selectors.wish_list(user=request.user, filters={"status": status}))
    return render(
        request,
        "orders/wish_manage.html",
        {
            **page,
            "wishes": page["rows"],
            "status": status,
            "statuses": WishStatus.choices,
        },
    )


@login_required
def wish_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.party.selectors import community_partners

    wish = access_wish(request.user, pk)
    buttons = available_wish_actions(wish, request.user)
    partners = []
    if any(t.name == "adopt" for t in buttons) and "wishes.manage" in getattr(
        request.user, "perms", frozenset()
    ):
        partners = community_partners(wish.community_id)
    return render(
        request,
        "orders/wish_detail.html",
        {
            "wish": wish,
            "buttons": buttons,
            "timeline": name_actors(selectors.wish_timeline(wish),
                                    masked=PERM_MANAGE_WISHES not in getattr(request.user, "perms", frozenset())),
            "partners": partners,
        },
    )


@login_required
def wish_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("orders:wish_detail", pk=pk)
    if name not in WISH_TRANSITIONS:
        raise Http404
    wish = access_wish(request.user, pk)
    return _act(
        request,
        wish,
        name,
        WISH_TRANSITIONS,
        "orders:wish_detail",
        lambda obj, **kw: actions.wish_transition(wish=obj, **kw),
    )


def wish_wall(request: HttpRequest) -> HttpResponse:
    """The public wall (no login): per community, open wishes with masked posters and the year's count."""
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import place_get

    communities = selectors.wall_communities()
    chosen = request.GET.get("community", "")
    if chosen.isdigit():
        community = place_get(int(chosen), kinds=[PlaceKind.COMMUNITY])
        if community is None:
            raise Http404
    elif communities:
        # The visitor's own community first (a resident of 幸福社区 opened another community's wall).
        paths = getattr(getattr(request.user, "scope", None), "place_paths", ()) or ()
        own = [c for c in communities if any(p.startswith(c.path) or c.path.startswith(p) for p in paths)]
        community = own[0] if own else communities[0]
    else:
        community = None
    wall = selectors.wish_wall(community=community) if community is not None else None
    perms: frozenset[str] = getattr(request.user, "perms", frozenset())
    return render(
        request,
        "orders/wish_wall.html",
        {
            "wall": wall,
            "communities": communities,
            "community": community,
            "can_post": "wishes.post" in perms,
            "can_adopt": "wishes.adopt" in perms,
            "can_manage": "wishes.manage" in perms,
        },
    )
