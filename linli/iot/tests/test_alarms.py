"""Alarms from readings: a threshold held for its duration raises one alarm and opens one case routed to
the grid worker; repeated readings update it; rate of change; silence windows and maintenance; offline."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from linli.cases.models import Case
from linli.iot.actions import alarm_clear, alarms_check_offline, readings_ingest, rule_create
from linli.iot.models import Alarm, AlarmEvent, Device, Reading
from linli.iot.tests.conftest import readings
from linli.notifications.models import Notice

pytestmark = pytest.mark.django_db


BASE = {"t": timezone.now()}


@pytest.fixture(autouse=True)
def _base_time():
    BASE["t"] = timezone.now() - timedelta(minutes=5)


def _t(seconds: float):
    return BASE["t"] + timedelta(seconds=seconds)


def test_threshold_held_for_duration_raises_one_alarm_and_opens_one_case(iot, grid_worker_a, community_staff,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = readings_ingest(readings(iot.gas, [(25, _t(0)), (26, _t(10))]))
    assert first.raised == [] and Alarm.objects.count() == 0 and Case.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        second = readings_ingest(readings(iot.gas, [(31, _t(30))]))
    assert len(second.raised) == 1
    alarm = Alarm.objects.get()
    assert alarm.status == "raised" and alarm.emergency and alarm.value == 31 and alarm.since == _t(0)
    case = Case.objects.get()
    assert alarm.case_id == case.pk
    assert case.channel == "sensor" and case.category.code == "SAFE.GAS"
    assert case.status == "dispatched" and case.owner_user_id == grid_worker_a.pk
    assert case.grid_id == iot.gas.place.parent.parent_id  # the building's compound's grid
    notices = Notice.objects.filter(ref=f"cases.case:{case.pk}", kind="emergency")
    assert set(notices.values_list("user_id", flat=True)) >= {grid_worker_a.pk, community_staff.pk}
    assert AlarmEvent.objects.filter(alarm=alarm, kind="raised").count() == 1


def test_a_spike_shorter_than_the_duration_raises_nothing(iot):
    readings_ingest(readings(iot.gas, [(25, _t(0)), (3, _t(10)), (25, _t(35)), (26, _t(50))]))
    assert Alarm.objects.count() == 0
    assert Reading.objects.filter(device=iot.gas).count() == 4


def test_a_thousand_repeated_readings_open_no_second_case(iot):
    readings_ingest(readings(iot.gas, [(25, _t(0)), (40, _t(30))]))
    assert Alarm.objects.count() == 1 and Case.objects.count() == 1
    # 1,000 more readings while the alarm holds: in batches and one by one.
    start = 31.0
    batch = [(30 + (i % 7), _t(start + i * 0.2)) for i in range(900)]
    for i in range(0, 900, 100):
        readings_ingest(readings(iot.gas, batch[i:i + 100]))
    for i in range(100):
        readings_ingest(readings(iot.gas, [(45 if i == 50 else 33, _t(start + 180 + i * 0.1))]))
    assert Alarm.objects.count() == 1 and Case.objects.count() == 1
    alarm = Alarm.objects.get()
    assert alarm.readings == 1 + 1000
    assert alarm.peak == 45 and alarm.value == 33


def test_a_second_alarm_only_after_the_first_is_cleared(iot, grid_worker_a):
    readings_ingest(readings(iot.gas, [(25, _t(0)), (40, _t(30))]))
    readings_ingest(readings(iot.gas, [(2, _t(40))]))  # back to normal: recovered
    alarm = Alarm.objects.get()
    assert alarm.recovered_at == _t(40)
    alarm_clear(alarm=alarm, actor=grid_worker_a, note="阀门已关闭")
    readings_ingest(readings(iot.gas, [(30, _t(60)), (30, _t(95))]))
    assert Alarm.objects.count() == 2 and Case.objects.count() == 2


def test_rate_of_change_raises(iot, world):
    from linli.iot.actions import device_register

    temp, _token = device_register(actor=None, code="TMP-1", kind="temperature", name="配电间温度",
                                   place=iot.building)
    # jitter of a few degrees between readings seconds apart is not a rise
    readings_ingest(readings(temp, [(24, _t(0)), (27, _t(2)), (24, _t(4)), (27.5, _t(6)), (25, _t(60))]))
    assert Alarm.objects.count() == 0
    readings_ingest(readings(temp, [(30, _t(90)), (40, _t(120))]))  # +15 °C in a minute
    alarm = Alarm.objects.get()
    assert alarm.rule.kind == "rate"


def test_silence_window_raises_nothing(iot):
    now = timezone.localtime()
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    # (across midnight start > end: the wrapping window is what is tested then)
    from linli.iot.models import AlarmRule

    AlarmRule.objects.filter(device_kind="gas").update(silence_from=start, silence_to=end)
    readings_ingest(readings(iot.gas, [(25, _t(0)), (40, _t(30))]))
    assert Alarm.objects.count() == 0
    AlarmRule.objects.filter(device_kind="gas").update(silence_from=time(3, 0), silence_to=time(3, 0))
    readings_ingest(readings(iot.gas, [(40, _t(40))]))
    assert Alarm.objects.count() == 1  # held since 0 s, outside the window now


def test_maintenance_raises_nothing_but_keeps_the_readings(iot, community_staff):
    from linli.iot.actions import device_maintenance

    device_maintenance(device=iot.gas, actor=community_staff, until=timezone.now() + timedelta(hours=1))
    readings_ingest(readings(iot.gas, [(25, _t(0)), (40, _t(30)), (40, _t(60))]))
    assert Alarm.objects.count() == 0 and Reading.objects.count() == 3


def test_offline_detection_raises_once_and_recovers(iot, grid_worker_a):
    now = timezone.now()
    Device.objects.filter(pk=iot.camera.pk).update(last_seen_at=now - timedelta(minutes=11))
    Device.objects.filter(pk=iot.gas.pk).update(last_seen_at=now - timedelta(minutes=11))  # no offline rule
    raised = alarms_check_offline(now=now)
    assert len(raised) == 1
    alarm = Alarm.objects.get()
    assert alarm.device_id == iot.camera.pk and alarm.rule.kind == "offline"
    assert alarm.case.category.code == "IOT.CAMERA" and alarm.case.owner_user_id == grid_worker_a.pk
    assert alarms_check_offline(now=now + timedelta(minutes=1)) == []
    # a camera seen 5 minutes ago is not offline
    Device.objects.filter(pk=iot.camera.pk).update(last_seen_at=now - timedelta(minutes=5))
    readings_ingest(readings(iot.camera, [(1, now)]))
    alarm.refresh_from_db()
    assert alarm.recovered_at == now
    alarm_clear(alarm=alarm, actor=grid_worker_a)
    assert alarms_check_offline(now=now + timedelta(minutes=2)) == []


def test_a_device_never_seen_is_offline_after_its_grace(iot):
    Device.objects.filter(pk=iot.camera.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    assert len(alarms_check_offline()) == 1


def test_rule_for_one_device_and_rule_validation(iot, community_staff, grid_worker_a):
    from linli.core.errors import Invalid, PermissionDenied

    rule = rule_create(actor=community_staff, name="本楼燃气更严", kind="threshold", device=iot.gas, threshold=10,
                       duration_s=0, emergency=True)
    assert rule.device_kind == "gas"
    readings_ingest(readings(iot.gas, [(12, _t(0))]))
    assert Alarm.objects.get().rule_id == rule.pk
    with pytest.raises(Invalid):
        rule_create(actor=community_staff, name="", kind="threshold", device_kind="gas")
    with pytest.raises(PermissionDenied):
        rule_create(actor=grid_worker_a, name="x", kind="threshold", device=iot.gas, threshold=1)


def test_readings_of_a_revoked_or_inactive_device_are_not_stored(iot, community_staff):
    """Checked by the ingest itself under its lock, whatever a door (the MQTT ingest) remembers."""
    from linli.iot.actions import device_token_revoke

    device_token_revoke(device=iot.gas, actor=community_staff)
    Device.objects.filter(pk=iot.camera.pk).update(active=False)
    result = readings_ingest(readings(iot.gas, [(45, _t(0)), (45, _t(40))]) + readings(iot.camera, [(1, _t(0))]))
    assert result.stored == 0 and result.raised == []
    assert not Reading.objects.exists() and not Alarm.objects.exists()
