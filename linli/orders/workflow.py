"""The states and the two transition tables of the 三单制 service orders and the 微心愿 wishes.

Orders (三单制)::

    placed (居民点单) → dispatch (支部下单, to a member) → accept | decline (back to placed)
                      → publish (to the branch's members)  → take (党员接单: the first taker wins)
    taken → done (note, photo, hours) → rate (群众评单) | close (not rated after 7 days, a task)
    side paths: cancel (the requester, before it is taken), return (staff send it back: terminal),
    recall (staff take a published/dispatched/taken order back to the branch).

Wishes (微心愿)::

    posted → publish (on the wall) | reject → adopt (the first adopter wins) → fulfil → confirm
    side paths: withdraw (the poster, before adoption), release (the adopter gives it back).

``ORDER_TRANSITIONS`` / ``WISH_TRANSITIONS`` are the only place that says what may happen: the actions
consult them, the UI renders buttons from ``available_*_actions`` and the tests iterate over them.
``who`` predicates take (object, user); ``actor=None`` is the system and passes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import Transition, available, transition

# --- states and choices --------------------------------------------------------------------------------


class OrderCategory(models.TextChoices):
    CLEANING = "cleaning", _("Housekeeping and cleaning")  # 家政保洁
    APPLIANCE = "appliance", _("Appliance repair")  # 家电维修
    PLUMBING = "plumbing", _("Plumbing and electrics")  # 水电维修
    MEALS = "meals", _("Meal delivery")  # 助餐送餐
    ESCORT = "escort", _("Hospital escort and care")  # 陪诊陪护
    ERRANDS = "errands", _("Shopping and errands")  # 代购代办
    HAIRCUT = "haircut", _("Haircut")  # 理发
    LEGAL = "legal", _("Legal advice")  # 法律咨询
    COUNSEL = "counsel", _("Counselling")  # 心理疏导
    OTHER = "other", _("Other")  # 其他


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Ordered")
    DISPATCHED = "dispatched", _("Dispatched to a member")
    PUBLISHED = "published", _("Open for members to take")
    TAKEN = "taken", _("Taken")
    DONE = "done", _("Done")
    RATED = "rated", _("Rated")
    CLOSED = "closed", _("Closed without rating")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


class OrderClosedReason(models.TextChoices):
    RATED = "rated", _("Rated")
    NOT_RATED = "not_rated", _("Not rated in time")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class WishStatus(models.TextChoices):
    POSTED = "posted", _("Awaiting review")
    OPEN = "open", _("Waiting for adoption")
    ADOPTED = "adopted", _("Adopted")
    FULFILLED = "fulfilled", _("Fulfilled")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AdopterKind(models.TextChoices):
    MEMBER = "member", _("Party member")
    VOLUNTEER = "volunteer", _("Volunteer")
    PARTNER = "partner", _("Partner unit")


OS = OrderStatus
W = WishStatus
ORDER_OPEN = frozenset({OS.PLACED, OS.DISPATCHED, OS.PUBLISHED, OS.TAKEN, OS.DONE})
ORDER_FINAL = frozenset(set(OS) - ORDER_OPEN)
WISH_WALL = frozenset({W.OPEN, W.ADOPTED, W.FULFILLED, W.CONFIRMED})
WISH_FINAL = frozenset({W.CONFIRMED, W.REJECTED, W.WITHDRAWN})

PERM_PLACE = "orders.place"
PERM_TAKE = "orders.take"
PERM_DISPATCH = "orders.dispatch"
PERM_POST = "wishes.post"
PERM_ADOPT = "wishes.adopt"
PERM_MANAGE_WISHES = "wishes.manage"
PERM_VIEW = "party.view"


def rating_days() -> int:
    return int(getattr(settings, "LINLI_ORDER_RATING_DAYS", 7))


def wish_confirm_days() -> int:
    return int(getattr(settings, "LINLI_WISH_CONFIRM_DAYS", 7))


# --- who ------------------------------------------------------------------------------------------------


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def is_order_dispatcher(order: Any, user: Any) -> bool:
    """The branch's secretary (or an ancestor's), or staff with ``orders.dispatch`` over the place."""
    from linli.orders.access import can_dispatch_order

    return can_dispatch_order(user, order)


def is_requester(order: Any, user: Any) -> bool:
    return order.requester_id is not None and order.requester_id == user.pk


def is_placer(order: Any, user: Any) -> bool:
    return order.placed_by_id is not None and order.placed_by_id == user.pk


def is_order_member(order: Any, user: Any) -> bool:
    """The member the order is dispatched to, or who took it."""
    member = order.member
    return member is not None and member.user_id is not None and member.user_id == user.pk


def is_pool_member(order: Any, user: Any) -> bool:
    """A member (``orders.take``) of the order's branch or of a group under it."""
    from linli.party.selectors import member_org_ids

    return PERM_TAKE in _perms(user) and order.org_id is not None and order.org_id in member_org_ids(user)


def is_poster(wish: Any, user: Any) -> bool:
    return (wish.poster_id is not None and wish.poster_id == user.pk) or (
        wish.posted_by_id is not None and wish.posted_by_id == user.pk
    )


def is_wish_staff(wish: Any, user: Any) -> bool:
    scope = getattr(user, "scope", None)
    return PERM_MANAGE_WISHES in _perms(user) and scope is not None and scope.covers_path(wish.place_path)


def is_adopter_candidate(wish: Any, user: Any) -> bool:
    """A member or volunteer (``wishes.adopt``) of the wish's community."""
    from linli.orders.access import in_community

    return PERM_ADOPT in _perms(user) and in_community(user, wish)


def is_adopter(wish: Any, user: Any) -> bool:
    if wish.adopter_kind == AdopterKind.PARTNER:
        return is_wish_staff(wish, user)
    return wish.adopter_user_id is not None and wish.adopter_user_id == user.pk


# --- guards ---------------------------------------------------------------------------------------------


def guard_rating_window_over(order: Any, user: Any) -> Any:
    """Staff close an unrated order only after the rating window (the task does it by itself)."""
    if user is not None and order.done_at and timezone.now() < order.done_at + timedelta(days=rating_days()):
        return _("The resident may still rate this order; it closes by itself when the rating window ends.")
    return None


def guard_not_the_server(order: Any, user: Any) -> Any:
    """Whoever served the order does not rate it, even as the branch's secretary (群众评单: the resident
    rates, or the desk on the resident's word)."""
    if user is not None and is_order_member(order, user):
        return _("You served this order: the resident rates it.")
    return None


def guard_confirm(wish: Any, user: Any) -> Any:
    """The poster confirms at any time; staff confirm for them only after N days."""
    if user is None or is_poster(wish, user):
        return None
    if wish.fulfilled_at and timezone.now() < wish.fulfilled_at + timedelta(days=wish_confirm_days()):
        return _("The resident may still confirm this wish; staff can confirm for them after %(n)s days.") % {
            "n": wish_confirm_days()
        }
    return None


# --- the tables -----------------------------------------------------------------------------------------

_t = transition


_BEFORE_TAKEN = (OS.PLACED, OS.DISPATCHED, OS.PUBLISHED)

ORDER_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("dispatch", _("Dispatch to a member"), [OS.PLACED], OS.DISPATCHED, [is_order_dispatcher], ["member"],
           style="primary", fields=["note"]),
        _t("publish", _("Publish to the branch"), [OS.PLACED], OS.PUBLISHED, [is_order_dispatcher], style="primary",
           fields=["note"]),
        _t("accept", _("Accept"), [OS.DISPATCHED], OS.TAKEN, [is_order_member], style="primary"),
        _t("decline", _("Decline"), [OS.DISPATCHED], OS.PLACED, [is_order_member], ["reason"], style="warning"),
        _t("take", _("Take this order"), [OS.PUBLISHED], OS.TAKEN, [is_pool_member], style="primary"),
        _t("done", _("Mark as done"), [OS.TAKEN], OS.DONE, [is_order_member], ["note", "hours"], style="success",
           fields=["photo"]),
        _t("rate", _("Rate"), [OS.DONE], OS.RATED, [is_requester, is_order_dispatcher], ["satisfaction"],
           guard=guard_not_the_server, style="primary", fields=["comment"]),
        _t("close", _("Close without rating"), [OS.DONE], OS.CLOSED, [is_order_dispatcher], guard=guard_rating_window_over),
        _t("cancel", _("Cancel the order"), _BEFORE_TAKEN, OS.CANCELLED, [is_requester, is_placer], style="danger",
           fields=["reason"]),
        _t("recall", _("Take back to the branch"), [OS.DISPATCHED, OS.PUBLISHED, OS.TAKEN], OS.PLACED,
           [is_order_dispatcher], ["reason"], style="warning"),
        _t("return", _("Return to the resident"), _BEFORE_TAKEN, OS.RETURNED, [is_order_dispatcher], ["reason"],
           style="danger"),
    ]
}

WISH_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("publish", _("Publish on the wall"), [W.POSTED], W.OPEN, [is_wish_staff], style="primary"),
        _t("reject", _("Do not publish"), [W.POSTED], W.REJECTED, [is_wish_staff], ["reason"], style="danger"),
        _t("adopt", _("Adopt this wish"), [W.OPEN], W.ADOPTED, [is_adopter_candidate, is_wish_staff], style="primary",
           fields=["partner"]),
        _t("release", _("Give the wish back"), [W.ADOPTED], W.OPEN, [is_adopter, is_wish_staff], ["reason"],
           style="warning"),
        _t("fulfil", _("Mark as fulfilled"), [W.ADOPTED], W.FULFILLED, [is_adopter], ["note"], style="success",
           fields=["hours", "photo"]),
        _t("confirm", _("Confirm it was fulfilled"), [W.FULFILLED], W.CONFIRMED, [is_poster, is_wish_staff],
           guard=guard_confirm, style="success"),
        _t("withdraw", _("Withdraw the wish"), [W.POSTED, W.OPEN], W.WITHDRAWN, [is_poster], style="danger",
           fields=["reason"]),
    ]
}

ORDER_ACTIONS: tuple[str, ...] = tuple(ORDER_TRANSITIONS)
WISH_ACTIONS: tuple[str, ...] = tuple(WISH_TRANSITIONS)


def available_order_actions(order: Any, user: Any) -> list[Transition]:
    return available(ORDER_TRANSITIONS, order, user)


def available_wish_actions(wish: Any, user: Any) -> list[Transition]:
    return available(WISH_TRANSITIONS, wish, user)
