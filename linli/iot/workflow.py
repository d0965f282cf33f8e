"""The alarm's states and its transition table.

    (raised by the ingest or the offline check) raised → acknowledge → acknowledged → clear → cleared
                                                 raised → clear → cleared

Raising is the intake (``alarm_raise`` in the actions), not a transition. Clearing is refused while the
condition still holds (a leak is not cleared by pressing a button), unless the device is in maintenance.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import available, covers, perms_of, table, transition


class AlarmStatus(models.TextChoices):
    RAISED = "raised", _("Raised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLEARED = "cleared", _("Cleared")


OPEN_STATUSES = frozenset({AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED})

PERM_VIEW = "iot.view"  # see the devices, readings and alarms of one's places
PERM_HANDLE = "iot.handle"  # acknowledge and clear alarms
PERM_MANAGE = "iot.manage"  # register devices, issue and revoke tokens, maintenance, rules, facilities


def is_handler(alarm: Any, user: Any) -> bool:
    return PERM_HANDLE in perms_of(user) and covers(user, alarm.place_path)


def guard_recovered(alarm: Any, user: Any) -> Any:
    device = alarm.device
    in_maintenance = device.maintenance_until is not None and device.maintenance_until > timezone.now()
    if alarm.recovered_at is None and not in_maintenance:
        return _("The condition still holds: the alarm can be cleared once the readings are back to normal, "
                 "or after the device is put in maintenance.")
    return None


S = AlarmStatus
TRANSITIONS = table([
    transition("acknowledge", _("Acknowledge"), [S.RAISED], S.ACKNOWLEDGED, [is_handler], style="warning",
               fields=["note"]),
    transition("clear", _("Clear"), [S.RAISED, S.ACKNOWLEDGED], S.CLEARED, [is_handler], guard=guard_recovered,
               style="success", fields=["note"]),
])


def available_actions(alarm: Any, user: Any) -> list[Any]:
    return available(TRANSITIONS, alarm, user)
