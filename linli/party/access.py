"""Who sees and changes what in the party part (organisations, members, registrations, meetings, partners).

- Reading: ``party.view`` and the row's ``place_path`` under one of the user's scope nodes. A member also
  sees their own member row; whoever submitted a registration sees it.
- Writing: ``party.manage`` over the row's place (``can_manage_path``).
- Dispatching a branch's orders (used by the orders part): ``can_dispatch_for_org``.

``access_<entity>(user, pk)`` returns the object or raises Http404 (missing and forbidden look the same).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, access_object, path_prefixes, scope_of

VIEW = "party.view"
MANAGE = "party.manage"
ORDERS_DISPATCH = "orders.dispatch"
NOTHING = Q(pk__in=[])


def has_perm(user: Any, perm: str) -> bool:
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and perm in getattr(user, "perms", ())
    )


def can_view_party(user: Any) -> bool:
    return has_perm(user, VIEW)


def can_manage_path(user: Any, path: str) -> bool:
    """``party.manage`` over the place at ``path``."""
    return has_perm(user, MANAGE) and scope_of(user).covers_path(path)


def can_manage_any(user: Any) -> bool:
    return has_perm(user, MANAGE)


def can_dispatch_for_org(user: Any, org: Any) -> bool:
    """Who dispatches the orders of ``org`` (a branch, group, ...): its secretary, the secretary of an
    organisation above it, or a holder of ``orders.dispatch`` over its place."""
    if user is None or not getattr(user, "is_authenticated", False) or org is None:
        return False
    if has_perm(user, ORDERS_DISPATCH) and scope_of(user).covers_path(org.place_path):
        return True
    # One query: the organisations on the places at and above the org's place (its ancestors are among
    # them), read fresh, then walk up the parent links.
    from linli.party.models import PartyOrg

    prefixes = path_prefixes(org.place_path)
    rows = {
        r["pk"]: r
        for r in PartyOrg.objects.filter(place_path__in=prefixes).values(
            "pk", "parent_id", "secretary_id", "active"
        )
    }
    node, seen = rows.get(org.pk), 0
    while node is not None and seen < 10:  # the tree is at most five deep; the bound guards a cycle
        if node["active"] and node["secretary_id"] == user.pk:
            return True
        node = rows.get(node["parent_id"])
        seen += 1
    return False


class PartyScopedQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        if not can_view_party(user):
            return NOTHING
        return scope.place_q(self.scope_path_field or "place_path")


class PartyOrgQuerySet(PartyScopedQuerySet):
    pass


class PartyMemberQuerySet(PartyScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        return super().scope_q(scope, user) | Q(user_id=user.pk)


class MemberRoleQuerySet(PartyScopedQuerySet):
    pass


class PartnerQuerySet(PartyScopedQuerySet):
    pass


class PartnerChildQuerySet(PartyScopedQuerySet):
    pass


class JointMeetingQuerySet(PartyScopedQuerySet):
    pass


class JointActivityQuerySet(PartyScopedQuerySet):
    pass


class RegistrationQuerySet(PartyScopedQuerySet):
    def visible_to(self, user: Any):  # type: ignore[override]
        # Whoever submitted a registration sees it, even a resident without any scope of their own.
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        scope = scope_of(user)
        return self.filter(super().scope_q(scope, user) | Q(submitted_by_id=user.pk))


def access_org(user: Any, pk: Any):
    from linli.party.models import PartyOrg

    return access_object(PartyOrg.objects.select_related("place", "parent", "secretary"), user, pk)


def access_member(user: Any, pk: Any):
    from linli.party.models import PartyMember

    return access_object(PartyMember.objects.select_related("person", "org", "employer", "grid"), user, pk)


def access_role(user: Any, pk: Any):
    from linli.party.models import MemberRole

    return access_object(MemberRole.objects.select_related("member__person", "place"), user, pk)


def access_registration(user: Any, pk: Any):
    from linli.party.models import Registration

    return access_object(Registration.objects.select_related("community", "person", "employer"), user, pk)


def access_meeting(user: Any, pk: Any):
    from linli.party.models import JointMeeting

    return access_object(JointMeeting.objects.select_related("community", "chair"), user, pk)


def access_partner(user: Any, pk: Any):
    from linli.party.models import Partner

    return access_object(Partner.objects.select_related("community", "org"), user, pk)


def access_activity(user: Any, pk: Any):
    from linli.party.models import JointActivity

    return access_object(JointActivity.objects.select_related("community"), user, pk)
