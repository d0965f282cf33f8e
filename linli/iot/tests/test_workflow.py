"""The alarm's table, every (state, action) pair: allowed where the table says, refused (409) elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.errors import Refused
from linli.iot.actions import alarm_transition
from linli.iot.models import Alarm, AlarmEvent
from linli.iot.workflow import TRANSITIONS, AlarmStatus

pytestmark = pytest.mark.django_db


def _alarm(iot, status):
    from linli.iot.models import AlarmRule

    rule = AlarmRule.objects.get(device_kind="gas", kind="threshold")
    now = timezone.now()
    return Alarm.objects.create(device=iot.gas, rule=rule, status=status, place_path=iot.gas.place_path,
                                raised_at=now, since=now - timedelta(seconds=30), recovered_at=now)


@pytest.mark.parametrize("status", AlarmStatus.values)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_state_and_action(iot, grid_worker_a, status, action):
    alarm = _alarm(iot, status)
    t = TRANSITIONS[action]
    if t.allows_state(status):
        done = alarm_transition(alarm=alarm, name=action, actor=grid_worker_a)
        assert done.status == t.target and done.version == 1
        assert AlarmEvent.objects.filter(alarm=alarm, kind=action, from_status=status).count() == 1
    else:
        with pytest.raises(Refused):
            alarm_transition(alarm=alarm, name=action, actor=grid_worker_a)
        alarm.refresh_from_db()
        assert alarm.status == status


def test_clear_allowed_in_maintenance_even_while_holding(iot, grid_worker_a, community_staff):
    from linli.iot.actions import device_maintenance

    alarm = _alarm(iot, AlarmStatus.RAISED)
    Alarm.objects.filter(pk=alarm.pk).update(recovered_at=None)
    with pytest.raises(Refused):
        alarm_transition(alarm=alarm, name="clear", actor=grid_worker_a)
    device_maintenance(device=iot.gas, actor=community_staff, until=timezone.now() + timedelta(hours=2))
    assert alarm_transition(alarm=alarm, name="clear", actor=grid_worker_a).status == "cleared"
