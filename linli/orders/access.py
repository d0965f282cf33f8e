"""Who sees and who works the service orders and the wishes.

An order is visible to: its requester (and the staff member who entered it for them); the member it is
dispatched to or who took it; once published, the members of its branch (and of the groups under
it); the secretary of its branch or of an organisation above it; staff with ``orders.dispatch`` whose scope
covers its place (``party.view`` alone does not show residents' orders).

A wish is visible to: its poster; its adopter; staff with ``wishes.manage`` over its
place; once published, members and volunteers (``wishes.adopt``) of its community. The public wall
(``selectors.wish_wall``) shows published wishes to anybody, with the poster's name masked.

``access_order`` / ``access_wish`` return the object or raise Http404: forbidden and missing look alike.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import EMPTY_SCOPE, Scope, ScopedQuerySet, access_object, scope_of, scope_prefixes
from linli.party.selectors import member_org_ids, secretary_org_ids

NOTHING = Q(pk__in=[])


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


# --- party organisations behind a login: read through the party's selectors ----------------------------
# (``login_member``, ``member_org_ids``, ``secretary_org_ids``, ``can_dispatch_for_org``)


def can_dispatch_order(user: Any, order: Any) -> bool:
    """``can_dispatch_for_org`` for the order's branch, answered from the user's cached sets (lists ask it
    for every row: no query per order; ``test_dispatch_rights_agree_with_the_org_rule`` keeps the two
    the same)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if "orders.dispatch" in _perms(user) and scope_of(user).covers_path(order.place_path):
        return True
    return order.org_id is not None and order.org_id in secretary_org_ids(user)


def in_community(user: Any, wish: Any) -> bool:
    scope = scope_of(user)
    return scope.covers_path(wish.place_path) or wish.community.path in scope_prefixes(user)


# --- querysets ------------------------------------------------------------------------------------------


class OrderQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        perms = _perms(user)
        q = scope.place_q("place_path") if "orders.dispatch" in perms else NOTHING
        q |= Q(requester_id=user.pk) | Q(placed_by_id=user.pk) | Q(member__user_id=user.pk)
        pool = member_org_ids(user) if "orders.take" in perms else frozenset()
        if pool:
            # Published to the branch: its members keep seeing it once taken (a late press is told 409).
            q |= Q(published_at__isnull=False, org_id__in=sorted(pool))
        led = secretary_org_ids(user)
        if led:
            q |= Q(org_id__in=sorted(led))
        return q

    def visible_to(self, user: Any) -> OrderQuerySet:
        scope = scope_of(user)
        if scope is EMPTY_SCOPE:
            return self.none()
        return self.filter(self.scope_q(scope, user))


class WishQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.orders.workflow import WISH_WALL

        perms = _perms(user)
        q = scope.place_q("place_path") if "wishes.manage" in perms else NOTHING
        q |= Q(poster_id=user.pk) | Q(posted_by_id=user.pk) | Q(adopter_user_id=user.pk)
        if "wishes.adopt" in perms:
            q |= Q(status__in=sorted(WISH_WALL), community__path__in=scope_prefixes(user))
        return q

    def visible_to(self, user: Any) -> WishQuerySet:
        scope = scope_of(user)
        if scope is EMPTY_SCOPE:
            return self.none()
        return self.filter(self.scope_q(scope, user))


def access_order(user: Any, pk: Any):
    from linli.orders.models import ServiceOrder

    return access_object(ServiceOrder.objects.select_related("org", "member", "place"), user, pk)


def access_wish(user: Any, pk: Any):
    from linli.orders.models import Wish

    return access_object(Wish.objects.select_related("community", "adopter_partner"), user, pk)


def can_place_order(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and "orders.place" in _perms(user))


def can_post_wish(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and "wishes.post" in _perms(user))


def is_order_staff(user: Any) -> bool:
    """Staff who place for residents and see the desk (``orders.dispatch``), or a branch secretary."""
    return bool(
        getattr(user, "is_authenticated", False)
        and ("orders.dispatch" in _perms(user) or secretary_org_ids(user))
    )
