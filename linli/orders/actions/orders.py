"""三单制 service orders: ``order_place`` (居民点单) and one ``order_<action>`` per row of
``workflow.ORDER_TRANSITIONS``; ``orders_close_unrated`` is run by a periodic task.

``actor=None`` is the system (tasks, the demo): no scope or role check.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import users_over
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.workdays import add_working_days
from linli.core.workflow import Apply, Outcome, Spec, run, spec_register
from linli.orders.actions._common import (
    asker,
    asker_name,
    clean_text,
    may_ask,
    opened,
    parse_hours,
    require_in_scope,
    reward,
    store_photo,
)
from linli.orders.workflow import (
    ORDER_TRANSITIONS,
    PERM_DISPATCH,
    PERM_PLACE,
    OrderCategory,
    OrderClosedReason,
    OrderStatus,
    Satisfaction,
    rating_days,
)

BRANCH_KINDS = ("branch", "committee")


# --- helpers ---------------------------------------------------------------------------------------------


def branch_for_path(path: str):
    """The party organisation that dispatches orders of a place: the nearest branch (or committee) whose
    place lies above it."""
    from linli.party.selectors import dispatching_org_for_path

    return dispatching_org_for_path(path, BRANCH_KINDS)


def _desk(order: Any) -> list[int | None]:
    """Who dispatches: the branch's secretary (and those above), and staff with orders.dispatch."""
    from linli.party.selectors import org_ancestor_ids, org_secretary_ids

    ids: list[int | None] = list(users_over(order.place_path, PERM_DISPATCH))
    if order.org_id is not None:
        ids += org_secretary_ids(org_ancestor_ids(order.org_id))
    return ids


def _branch_member_users(order: Any) -> list[int | None]:
    from linli.party.selectors import member_user_ids, org_subtree_ids

    if order.org_id is None:
        return []
    return member_user_ids(org_subtree_ids([order.org_id]))


def _moved(order: Any) -> str:
    return _("Service order #%(id)s: %(status)s") % {"id": order.pk, "status": order.get_status_display()}


def _member_from(order: Any, value: Any):
    from linli.party.selectors import active_member, org_ancestor_ids

    member = active_member(getattr(value, "pk", value))
    if member is None or member.user_id is None:
        raise Invalid(_("Choose a party member with an account."), fields={"member": [_("Not found.")]})
    if order.org_id is not None and order.org_id not in org_ancestor_ids(member.org_id):
        raise Invalid(
            _("This member does not serve in the order's branch."),
            fields={"member": [_("Not in this branch.")]},
        )
    return member


# --- placing an order (居民点单) ---------------------------------------------------------------------------


def order_place(
    *,
    actor: Any,
    category: str,
    description: str,
    address: str,
    wanted_at: datetime | None = None,
    place: Any = None,
    person: Any = None,
    requester_name: str = "",
    photo: Any = None,
):
    """A resident orders a service (``orders.place``); staff (``orders.dispatch``) may order for a resident
    by naming the ``person`` (or just their name) and the ``place``."""
    from linli.orders.models import ServiceOrder

    may_ask(actor, PERM_PLACE, PERM_DISPATCH, _("You may not order services."))
    errors: dict[str, list[str]] = {}
    if category not in OrderCategory.values:
        errors["category"] = [_("Choose a service.")]
    description = clean_text(description)
    if not description:
        errors["description"] = [_("This field is required.")]
    address = clean_text(address, limit=200)
    if not address:
        errors["address"] = [_("This field is required.")]
    if wanted_at is not None and wanted_at < timezone.now() - timedelta(hours=1):
        errors["wanted_at"] = [_("The time wanted is in the past.")]
    who = asker(actor, staff=PERM_DISPATCH, person=person, name=requester_name, place=place, errors=errors,
                invalid=_("Please check the order."))
    where = who.place
    if where is None:
        raise Invalid(
            _("Where is the service wanted? Choose the place."),
            fields={"place": [_("This field is required.")]},
        )
    require_in_scope(actor, who)
    photo_name = store_photo(photo, folder="party/orders") if photo else ""
    now = timezone.now()
    with transaction.atomic():
        order = ServiceOrder.objects.create(
            category=category,
            description=description,
            address=address,
            wanted_at=wanted_at,
            photo=photo_name,
            requester=who.account,
            requester_person=who.person,
            requester_name=asker_name(who, requester_name, actor),
            placed_by=actor if getattr(actor, "is_authenticated", False) else None,
            place=where,
            place_path=where.path,
            org=branch_for_path(where.path),
            placed_at=now,
            dispatch_due=add_working_days(now, 1),
        )
        opened(_spec(), order, kind="place", actor=actor, at=now, who=who, detail={"category": category},
               to=_desk(order), text=_("New service order #%(id)s: %(category)s")
               % {"id": order.pk, "category": order.get_category_display()})
    return order


# --- the transitions --------------------------------------------------------------------------------------


def _apply_dispatch(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    member = _member_from(order, data.get("member"))
    order.member = member
    order.dispatched_at = now
    order.take_due = add_working_days(now, 1)
    out = Outcome(
        note=clean_text(data.get("note")),
        data={"member": member.pk, "late": bool(order.dispatch_due and now > order.dispatch_due)},
    )
    out.notify.append(
        (
            "dispatch",
            [member.user_id],
            _("A service order for you: #%(id)s %(category)s")
            % {"id": order.pk, "category": order.get_category_display()},
        )
    )
    return out


def _apply_publish(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    if order.org_id is None:
        raise Refused(
            _("This order has no party branch whose members could take it; dispatch it to a member."),
            code="refused_transition",
        )
    order.published_at = now
    order.take_due = add_working_days(now, 1)
    out = Outcome(
        note=clean_text(data.get("note")),
        data={"late": bool(order.dispatch_due and now > order.dispatch_due)},
    )
    out.notify.append(
        (
            "publish",
            _branch_member_users(order),
            _("A service order to take: #%(id)s %(category)s")
            % {"id": order.pk, "category": order.get_category_display()},
        )
    )
    return out


def _apply_accept(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    order.taken_at = now
    out = Outcome(data={"member": order.member_id})
    out.notify.append(("taken", [order.requester_id], _moved(order)))
    return out


def _apply_decline(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    reason = clean_text(data.get("reason"))
    out = Outcome(note=reason, data={"member": order.member_id})
    order.member = None
    order.dispatched_at = None
    order.take_due = None
    order.dispatch_due = add_working_days(now, 1)
    out.notify.append(
        (
            "decline",
            _desk(order),
            _("Order #%(id)s was declined: %(reason)s") % {"id": order.pk, "reason": reason},
        )
    )
    return out


def _apply_take(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    from linli.party.selectors import login_member

    member = login_member(actor) if actor is not None else _member_from(order, data.get("member"))
    if member is None:
        raise PermissionDenied(_("Only a party member can take an order."))
    order.member = member
    order.taken_at = now
    out = Outcome(data={"member": member.pk, "late": bool(order.take_due and now > order.take_due)})
    out.notify.append(("taken", [order.requester_id], _moved(order)))
    return out


def _apply_done(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    hours = parse_hours(data.get("hours"))
    note = clean_text(data.get("note"))
    if data.get("photo"):
        order.done_photo = store_photo(data["photo"], folder="party/orders")
    order.done_note = note
    order.hours = hours
    order.done_at = now
    out = Outcome(note=note, data={"hours": str(hours), "member": order.member_id})
    out.notify.append(
        ("done", [order.requester_id], _("Order #%(id)s is done; please rate it.") % {"id": order.pk})
    )
    person_id = order.member.person_id if order.member_id else None

    def earn(done: Any) -> None:
        reward(
            person_id=person_id,
            hours=hours,
            source=f"party.order:{done.pk}",
            kind="order",
            actor=actor,
            now=now,
            note=done.get_category_display(),
        )

    out.after.append(earn)
    return out


def _apply_rate(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    satisfaction = data.get("satisfaction")
    if satisfaction not in Satisfaction.values:
        raise Invalid(_("Choose how satisfied you are."), fields={"satisfaction": [_("Choose one.")]})
    order.satisfaction = satisfaction
    order.rating_comment = clean_text(data.get("comment"))
    order.rated_at = now
    order.closed_at = now
    order.closed_reason = OrderClosedReason.RATED
    order.flagged = satisfaction == Satisfaction.UNSATISFIED
    out = Outcome(note=order.rating_comment, data={"satisfaction": satisfaction, "flagged": order.flagged})
    if order.flagged:
        out.notify.append(
            ("unsatisfied", _desk(order), _("Order #%(id)s was rated not satisfied.") % {"id": order.pk})
        )
    out.notify.append(("rated", [order.member.user_id if order.member_id else None], _moved(order)))
    return out


def _apply_close(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    order.closed_at = now
    order.closed_reason = OrderClosedReason.NOT_RATED
    return Outcome(data={"reason": OrderClosedReason.NOT_RATED})


def _apply_cancel(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = Outcome(note=clean_text(data.get("reason")), data={"member": order.member_id})
    out.notify.append(
        ("cancel", [order.member.user_id if order.member_id else None, *_desk(order)], _moved(order))
    )
    order.closed_at = now
    order.closed_reason = OrderClosedReason.CANCELLED
    return out


def _apply_recall(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = Outcome(note=clean_text(data.get("reason")), data={"member": order.member_id})
    out.notify.append(("recall", [order.member.user_id if order.member_id else None], _moved(order)))
    order.member = None
    order.dispatched_at = order.published_at = order.taken_at = order.take_due = None
    order.dispatch_due = add_working_days(now, 1)
    return out


def _apply_return(order: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    reason = clean_text(data.get("reason"))
    out = Outcome(note=reason, data={"reason": reason})
    out.notify.append(
        (
            "return",
            [order.requester_id, order.member.user_id if order.member_id else None],
            _("Order #%(id)s was returned: %(reason)s") % {"id": order.pk, "reason": reason},
        )
    )
    order.closed_at = now
    order.closed_reason = OrderClosedReason.RETURNED
    return out


@functools.cache
def _spec() -> Spec:
    from linli.orders.models import OrderEvent, ServiceOrder

    return spec_register(Spec(
        model=ServiceOrder,
        event_model=OrderEvent,
        event_fk="order",
        table=ORDER_TRANSITIONS,
        apply=APPLY,
        audit_prefix="party.order",
        noun=_("order"),
        related=("org", "member"),
        url=lambda obj: reverse("orders:order_detail", args=[obj.pk]),
    ))


APPLY: dict[str, Apply] = {
    "dispatch": _apply_dispatch,
    "publish": _apply_publish,
    "accept": _apply_accept,
    "decline": _apply_decline,
    "take": _apply_take,
    "done": _apply_done,
    "rate": _apply_rate,
    "close": _apply_close,
    "cancel": _apply_cancel,
    "recall": _apply_recall,
    "return": _apply_return,
}


def order_transition(*, order: Any, name: str, actor: Any, data: dict[str, Any] | None = None):
    """The generic door (API, UI): run transition ``name`` on ``order``."""
    return run(_spec(), obj=order, name=name, actor=actor, data=data)


def order_dispatch(*, order: Any, member: Any, actor: Any, note: str = ""):
    return order_transition(order=order, name="dispatch", actor=actor, data={"member": member, "note": note})


def order_publish(*, order: Any, actor: Any, note: str = ""):
    return order_transition(order=order, name="publish", actor=actor, data={"note": note})


def order_accept(*, order: Any, actor: Any):
    return order_transition(order=order, name="accept", actor=actor)


def order_decline(*, order: Any, actor: Any, reason: str):
    return order_transition(order=order, name="decline", actor=actor, data={"reason": reason})


def order_take(*, order: Any, actor: Any):
    return order_transition(order=order, name="take", actor=actor)


def order_done(*, order: Any, actor: Any, note: str, hours: Any, photo: Any = None):
    return order_transition(
        order=order, name="done", actor=actor, data={"note": note, "hours": hours, "photo": photo}
    )


def order_rate(*, order: Any, actor: Any, satisfaction: str, comment: str = ""):
    return order_transition(
        order=order, name="rate", actor=actor, data={"satisfaction": satisfaction, "comment": comment}
    )


def order_close(*, order: Any, actor: Any):
    return order_transition(order=order, name="close", actor=actor)


def order_cancel(*, order: Any, actor: Any, reason: str = ""):
    return order_transition(order=order, name="cancel", actor=actor, data={"reason": reason})


def order_recall(*, order: Any, actor: Any, reason: str):
    return order_transition(order=order, name="recall", actor=actor, data={"reason": reason})


def order_return(*, order: Any, actor: Any, reason: str):
    return order_transition(order=order, name="return", actor=actor, data={"reason": reason})


def orders_close_unrated(*, now: datetime | None = None) -> int:
    """Close the orders done more than the rating window ago and never rated (the system does it).
    Idempotent: a second run finds nothing to close."""
    from linli.orders.models import ServiceOrder

    cutoff = (now or timezone.now()) - timedelta(days=rating_days())
    ids = list(
        ServiceOrder.objects.filter(status=OrderStatus.DONE, done_at__lt=cutoff).values_list("pk", flat=True)
    )
    closed = 0
    for pk in ids:
        try:
            order_close(order=pk, actor=None)
        except (Refused, NotFound):  # rated or closed meanwhile
            continue
        closed += 1
    return closed


_spec()  # registered with the runner at import (linli.core.workflow.SPECS)
