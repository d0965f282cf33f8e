"""Scope: devices, alarms and facilities are seen by staff whose places cover them (404 otherwise)."""

from __future__ import annotations

from typing import Any

from linli.core.access import ScopedQuerySet, access_object


class DeviceQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"


class AlarmQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"


class FacilityQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"


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
