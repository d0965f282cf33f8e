"""Who sees what in care.

Plans, visits and needs are about vulnerable people (独居老人, 特殊困难: sensitive tags): staff with
``care.view`` see those of places in their scope; a visitor (grid worker or volunteer with ``care.visit``)
sees the plans assigned to them and the visits they logged. Residents see nothing of it, except their own
home service requests. ``access_*`` return the object or raise Http404 (missing and forbidden alike).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, access_object


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


class PlanQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(assignee_id=user.pk)
        if "care.view" in _perms(user):
            q |= scope.place_q("place_path")
        return q


class VisitQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(visitor_id=user.pk)
        if "care.view" in _perms(user):
            q |= scope.place_q("place_path")
        return q


class NeedQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(visit__visitor_id=user.pk)
        if "care.view" in _perms(user):
            q |= scope.place_q("place_path")
        return q


class HomeServiceQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(requester_id=user.pk) | Q(provider_id=user.pk)
        if "care.view" in _perms(user):
            q |= scope.place_q("place_path")
        return q


def access_plan(user: Any, pk: Any):
    from linli.care.models import VisitPlan

    return access_object(VisitPlan.objects.select_related("person", "rule", "assignee"), user, pk)


def access_need(user: Any, pk: Any):
    from linli.care.models import Need

    return access_object(Need.objects.select_related("person", "visit"), user, pk)


def access_home_service(user: Any, pk: Any):
    from linli.care.models import HomeServiceRequest

    return access_object(HomeServiceRequest.objects.select_related("person"), user, pk)


class MealOrderQuerySet(ScopedQuerySet):
    """The orderer sees their own meal orders; canteen staff (``canteen.manage``) those of the canteens in
    their scope."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(orderer_id=user.pk)
        if "canteen.manage" in _perms(user):
            q |= scope.place_q("canteen__place_path")
        return q


def access_meal_order(user: Any, pk: Any):
    from linli.care.models import MealOrder

    return access_object(MealOrder.objects.select_related("canteen", "item"), user, pk)


def access_canteen(user: Any, pk: Any):
    from django.http import Http404

    from linli.care.models import Canteen

    found = Canteen.objects.filter(active=True).visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
