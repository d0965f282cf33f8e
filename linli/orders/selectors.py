"""Reads of the service orders and wishes: the dispatch desk, the members' pool, a resident's own,
timelines, and the public wish wall. Every list starts from ``visible_to(user)``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from linli.core.masking import mask_name
from linli.orders.models import OrderEvent, ServiceOrder, Wish, WishEvent
from linli.orders.workflow import WISH_WALL, AdopterKind, OrderCategory, OrderStatus, WishStatus
from linli.party.selectors import (
    login_member,
    member_org_ids,
    member_person_ids,
    members_with_login,
    org_subtree_ids,
)

OS = OrderStatus


def order_is_overdue(order: Any, now: datetime | None = None) -> bool:
    """Not dispatched within a working day of ordering, or not taken within one of publishing/dispatching."""
    now = now or timezone.now()
    if order.status == OS.PLACED and order.dispatch_due is not None:
        return now > order.dispatch_due
    if order.status in (OS.PUBLISHED, OS.DISPATCHED) and order.take_due is not None:
        return now > order.take_due
    return False


def overdue_q(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(status=OS.PLACED, dispatch_due__lt=now) | Q(
        status__in=[OS.PUBLISHED, OS.DISPATCHED], take_due__lt=now
    )


def _orders(qs: QuerySet) -> QuerySet:
    return qs.select_related("org", "member__person", "place")


def order_categories(q: str = "") -> list[dict[str, str]]:
    """The services one can order, filtered by ``q``: a part of the Chinese name, its pinyin initials
    (``jdwx`` finds 家电维修) or the code."""
    from django.utils import translation

    from linli.core.text import pinyin_initials

    q = (q or "").strip().lower()
    out = []
    for value, label in OrderCategory.choices:
        with translation.override("zh-hans"):
            chinese = str(label)
        initials = pinyin_initials(chinese)
        if not q or q in chinese or q in str(label).lower() or q in value or initials.startswith(q):
            out.append({"value": value, "label": str(label)})
    return out


def order_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet:
    """The dispatch desk: orders the user may see, newest first, with the desk's filters (status,
    category, overdue, flagged, open)."""
    filters = filters or {}
    qs = ServiceOrder.objects.visible_to(user)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    elif filters.get("open"):
        qs = qs.filter(status__in=[OS.PLACED, OS.DISPATCHED, OS.PUBLISHED, OS.TAKEN, OS.DONE])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("overdue"):
        qs = qs.filter(overdue_q())
    if filters.get("flagged"):
        qs = qs.filter(flagged=True)
    return _orders(qs).order_by("-id")


def order_pool(*, user: Any) -> QuerySet:
    """Published orders of the member's branch (and of the organisations above their group)."""
    orgs = member_org_ids(user)
    if not orgs or "orders.take" not in getattr(user, "perms", ()):
        return ServiceOrder.objects.none()
    return _orders(ServiceOrder.objects.filter(status=OS.PUBLISHED, org_id__in=sorted(orgs))).order_by(
        "take_due", "id"
    )


def member_orders(*, user: Any) -> QuerySet:
    """Orders dispatched to the member or taken by them, open first."""
    return _orders(ServiceOrder.objects.filter(member__user_id=user.pk)).order_by("done_at", "-id")


def my_orders(*, user: Any) -> QuerySet:
    return (
        _orders(ServiceOrder.objects.filter(requester_id=user.pk)).prefetch_related("events").order_by("-id")
    )


def order_timeline(order: Any) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order=order).select_related("actor").order_by("at", "id"))


def dispatch_candidates(order: Any) -> QuerySet:
    """Active members with a login in the order's branch (or, without a branch, over its place)."""
    if order.org_id is not None:
        return members_with_login(org_ids=org_subtree_ids([order.org_id]))
    return members_with_login(path_prefix=order.place_path.rsplit("/", 2)[0] + "/")


def order_counts(*, user: Any) -> dict[str, int]:
    qs = ServiceOrder.objects.visible_to(user)
    return {
        "placed": qs.filter(status=OS.PLACED).count(),
        "overdue": qs.filter(overdue_q()).count(),
        "flagged": qs.filter(flagged=True).count(),
    }


# --- wishes -----------------------------------------------------------------------------------------------


def wish_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet:
    filters = filters or {}
    qs = Wish.objects.visible_to(user)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.select_related("community", "adopter_partner").order_by("-id")


def my_wishes(*, user: Any) -> QuerySet:
    return Wish.objects.filter(Q(poster_id=user.pk)).select_related("community").order_by("-id")


def wishes_to_adopt(*, user: Any) -> QuerySet:
    """Open wishes the member or volunteer may adopt, and those they adopted."""
    if "wishes.adopt" not in getattr(user, "perms", ()):
        return Wish.objects.none()
    visible = Wish.objects.visible_to(user)
    return (
        visible.filter(Q(status=WishStatus.OPEN) | Q(adopter_user_id=user.pk, status=WishStatus.ADOPTED))
        .select_related("community")
        .order_by("status", "-id")
    )


def wish_timeline(wish: Any) -> list[WishEvent]:
    return list(WishEvent.objects.filter(wish=wish).select_related("actor").order_by("at", "id"))


@dataclass
class WallWish:
    pk: int
    title: str
    description: str
    status: str
    status_label: str
    poster: str  # masked: 王**
    adopter: str
    at: datetime | None


@dataclass
class Wall:
    community: Any
    open: list[WallWish]
    done: list[WallWish]  # adopted, fulfilled, confirmed
    fulfilled_this_year: int


def _wall_item(w: Wish) -> WallWish:
    return WallWish(
        pk=w.pk,
        title=w.title,
        description=w.description,
        status=w.status,
        status_label=w.get_status_display(),
        poster=mask_name(w.poster_name) or "—",
        at=w.published_at,
        adopter=w.adopter_name if w.adopter_kind == AdopterKind.PARTNER else mask_name(w.adopter_name),
    )


def wish_wall(*, community: Any, limit: int = 60) -> Wall:
    """The public wall of one community: open wishes, the adopted and fulfilled ones, and how many were
    fulfilled this year. Names of posters are masked; no other personal data leaves."""
    qs = Wish.objects.filter(community=community, status__in=sorted(WISH_WALL)).only(
        "id", "title", "description", "status", "poster_name", "adopter_name", "adopter_kind", "published_at"
    )
    open_ = [
        _wall_item(w) for w in qs.filter(status=WishStatus.OPEN).order_by("-published_at", "-id")[:limit]
    ]
    done = [
        _wall_item(w) for w in qs.exclude(status=WishStatus.OPEN).order_by("-published_at", "-id")[:limit]
    ]
    year_start = timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    count = Wish.objects.filter(
        community=community,
        status__in=[WishStatus.FULFILLED, WishStatus.CONFIRMED],
        fulfilled_at__gte=year_start,
    ).count()
    return Wall(community, open_, done, count)


def wall_communities() -> list[Any]:
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_of_kind

    return list(places_of_kind(PlaceKind.COMMUNITY).only("id", "name", "path").order_by("path"))


def adopter_member(user: Any):
    return login_member(user)


def service_record(member_ids: list[int], *, since: Any, until: Any) -> dict[int, dict[str, int]]:
    """For the half-year evaluation of members (evaluation): per member, the orders they finished in the
    period (done, rated or closed), how many of those residents rated and how many as satisfied or basically
    satisfied, and the wishes they fulfilled as adopters. Two queries."""
    import datetime as dt

    from django.db.models import Count

    from linli.orders.workflow import Satisfaction

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    ids = list(member_ids)
    out = {pk: {"orders_done": 0, "orders_rated": 0, "orders_satisfied": 0, "wishes_done": 0} for pk in ids}
    good = [Satisfaction.SATISFIED, Satisfaction.BASICALLY]
    for row in (ServiceOrder.objects.filter(member_id__in=ids, done_at__gte=start, done_at__lt=end)
                .values("member_id").annotate(done=Count("id"), rated=Count("id", filter=~Q(satisfaction="")),
                                              satisfied=Count("id", filter=Q(satisfaction__in=good))).order_by()):
        out[row["member_id"]].update(orders_done=row["done"], orders_rated=row["rated"],
                                     orders_satisfied=row["satisfied"])
    person_to_member = member_person_ids(ids)
    for person_id, n in (Wish.objects.filter(adopter_person_id__in=list(person_to_member), fulfilled_at__gte=start,
                                             fulfilled_at__lt=end).values("adopter_person_id").annotate(n=Count("id"))
                         .values_list("adopter_person_id", "n").order_by()):
        out[person_to_member[person_id]]["wishes_done"] = n
    return out
