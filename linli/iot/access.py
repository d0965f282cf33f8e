"""Scope: devices, alarms and facilities are seen by staff whose places cover them (404 otherwise). An
alarm rule is seen by staff who manage monitoring where it applies: under their places, above them (a rule
of their street applies to their devices too) or everywhere (no place); they change only the ones under
their places, and a rule for every place only with a street-wide scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, access_object


class DeviceQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"


class AlarmQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"


class FacilityQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"


class AlarmRuleQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        above = {"/" + "/".join(p.strip("/").split("/")[:n]) + "/" for p in scope.place_paths
                 for n in range(1, p.strip("/").count("/") + 1)}
        return scope.place_q("place_path") | Q(place_path="") | Q(place_path__in=sorted(above))


def can_view_iot(user: Any) -> bool:
    from linli.iot.workflow import PERM_VIEW

    return PERM_VIEW in getattr(user, "perms", frozenset())


def can_manage_iot(user: Any) -> bool:
    from linli.iot.workflow import PERM_MANAGE

    return PERM_MANAGE in getattr(user, "perms", frozenset())


def access_device(user: Any, pk: Any):
    from linli.iot.models import Device

    return access_object(Device.objects.all(), user, pk)


def access_alarm(user: Any, pk: Any):
    from linli.iot.models import Alarm

    return access_object(Alarm.objects.select_related("device", "rule", "case"), user, pk)


def access_rule(user: Any, pk: Any):
    from linli.iot.models import AlarmRule

    return access_object(AlarmRule.objects.select_related("device", "place"), user, pk)


def can_edit_rule(user: Any, rule: Any) -> bool:
    if not can_manage_iot(user):
        return False
    scope = getattr(user, "scope", None)
    if rule.place_path:
        return bool(scope is not None and scope.covers_path(rule.place_path))
    return manages_every_place(user)


def manages_every_place(user: Any) -> bool:
    """A scope at the root of the place tree: may set rules that apply everywhere."""
    return any(p.strip("/").count("/") == 0 for p in getattr(getattr(user, "scope", None), "place_paths", ()))


def access_facility(user: Any, pk: Any):
    from linli.iot.models import Facility

    return access_object(Facility.objects.select_related("place"), user, pk)
