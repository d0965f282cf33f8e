"""The pages: reachable by the roles that use them, scoped (404 outside), buttons through the table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.core.testing.personas import PASSWORD
from linli.iot.actions import readings_ingest
from linli.iot.models import Alarm
from linli.iot.tests.conftest import readings

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def _raise(iot):
    now = timezone.now()
    readings_ingest(readings(iot.gas, [(30, now - timedelta(seconds=40)), (31, now)]))
    return Alarm.objects.get()


def test_grid_worker_sees_and_acknowledges_then_clears(iot, grid_worker_a):
    alarm = _raise(iot)
    c = _client(grid_worker_a)
    page = c.get("/iot/alarms/")
    assert page.status_code == 200 and "燃气浓度超限" in page.content.decode()
    detail = c.get(f"/iot/alarms/{alarm.pk}/").content.decode()
    assert 'data-testid="do-acknowledge"' in detail and 'data-testid="do-clear"' not in detail
    c.post(f"/iot/alarms/{alarm.pk}/acknowledge/", {"note": "已到场"})
    alarm.refresh_from_db()
    assert alarm.status == "acknowledged"
    readings_ingest(readings(iot.gas, [(1, timezone.now())]))
    c.post(f"/iot/alarms/{alarm.pk}/clear/", {"note": "已通风"})
    alarm.refresh_from_db()
    assert alarm.status == "cleared"


def test_pages_are_404_out_of_scope_and_403_without_the_permission(iot, grid_worker_b, resident):
    alarm = _raise(iot)
    c = _client(grid_worker_b)
    assert c.get(f"/iot/alarms/{alarm.pk}/").status_code == 404
    assert c.get(f"/iot/devices/{iot.gas.pk}/").status_code == 404
    assert c.post(f"/iot/alarms/{alarm.pk}/acknowledge/").status_code == 404
    assert "燃气浓度超限" not in c.get("/iot/alarms/").content.decode()
    assert _client(resident).get("/iot/alarms/").status_code == 403


def test_staff_register_a_device_and_see_its_token_once(iot, community_staff):
    c = _client(community_staff)
    page = c.post("/iot/devices/", {"code": "SMK-7", "kind": "smoke", "name": "3幢烟感", "place": iot.building.pk})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="new-tokens"' in body and "lld_" in body
    assert "lld_" not in c.get("/iot/devices/").content.decode().replace("lld_{{", "")
    detail = c.get(f"/iot/devices/{iot.gas.pk}/")
    assert detail.status_code == 200
    c.post(f"/iot/devices/{iot.gas.pk}/revoke/")
    iot.gas.refresh_from_db()
    assert iot.gas.token_revoked_at is not None


def test_device_list_query_budget(iot, community_staff, django_assert_max_num_queries):
    from linli.iot.actions import device_register

    for i in range(30):
        device_register(actor=None, code=f"Q-{i}", kind="door", name=f"门{i}", place=iot.building)
    c = _client(community_staff)
    c.get("/iot/devices/")
    with django_assert_max_num_queries(20):
        assert c.get("/iot/devices/").status_code == 200


def test_the_alarms_history_reads_in_chinese_and_names_people(iot, grid_worker_a):
    from linli.accounts.models import User

    User.objects.filter(pk=grid_worker_a.pk).update(display_name="网格员张敏")
    alarm = _raise(iot)
    c = _client(grid_worker_a)
    c.post(f"/iot/alarms/{alarm.pk}/acknowledge/", {"note": "已到场"})
    page = c.get(f"/iot/alarms/{alarm.pk}/").content.decode()
    history = page[page.index("list-group-item"):]
    assert "告警中" in history and "系统" in history  # raised by the system
    assert "网格员张敏" in history and grid_worker_a.username not in history
    assert "raised" not in history and "acknowledge " not in history
