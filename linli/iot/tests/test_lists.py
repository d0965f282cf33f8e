"""Monitoring's lists page through the one pager: the next page holds the rest, the filters survive the "More"
link, scope still applies (staff of another community see none of them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.core.testing.pages import more_href, walk_pages
from linli.core.testing.personas import PASSWORD
from linli.iot.actions import device_register, facility_create, readings_ingest, rule_create
from linli.iot.tests.conftest import readings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    from linli.core import ui

    monkeypatch.setattr(ui, "PAGE_SIZE", 2)


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def _found(bodies, names):
    return {n for n in names for b in bodies if n in b}


def test_alarms_page_through_the_rest_and_keep_the_status(iot, grid_worker_a, outsider):
    now = timezone.now()
    for n in range(3):
        device, _token = device_register(actor=None, code=f"GAS-1{n}", kind="gas", name=f"燃气{n}",
                                         place=iot.building)
        readings_ingest(readings(device, [(30, now - timedelta(seconds=40)), (31, now)]))
    readings_ingest(readings(iot.gas, [(30, now - timedelta(seconds=40)), (31, now)]))
    bodies = walk_pages(_client(grid_worker_a), "/iot/alarms/", {"status": "all"})
    assert [b.count('data-testid="alarm-row"') for b in bodies] == [2, 2]
    assert "status=all" in more_href(bodies[0])
    assert walk_pages(_client(outsider), "/iot/alarms/", {"status": "all"})[0].count('data-testid="alarm-row"') == 0


def test_devices_page_through_the_rest_and_keep_the_kind(iot, community_staff, outsider):
    names = [f"烟感{n}" for n in range(3)]
    for n, name in enumerate(names):
        device_register(actor=None, code=f"SMK-{n}", kind="smoke", name=name, place=iot.building)
    bodies = walk_pages(_client(community_staff), "/iot/devices/", {"kind": "smoke"})
    assert [b.count('data-testid="device-row"') for b in bodies] == [2, 1]
    assert "kind=smoke" in more_href(bodies[0]) and _found(bodies, names) == set(names)
    assert _found(walk_pages(_client(outsider), "/iot/devices/", {"kind": "smoke"}), names) == set()


def test_rules_page_through_the_rest_and_keep_the_kind(iot, community_staff, outsider):
    names = [f"离线巡检{n}" for n in range(5)]
    for n, name in enumerate(names):
        rule_create(actor=None, name=name, kind="offline", device=iot.camera, offline_minutes=5 + n)
    bodies = walk_pages(_client(community_staff), "/iot/rules/", {"kind": "offline"})
    assert len(bodies) >= 3 and all("kind=offline" in more_href(b) for b in bodies[:-1])
    assert _found(bodies, names) == set(names)
    assert _found(walk_pages(_client(outsider), "/iot/rules/", {"kind": "offline"}), names) == set()


def test_facilities_page_through_the_rest_and_keep_the_kind(iot, community_staff, outsider, world):
    names = [f"球场{n}" for n in range(3)]
    for name in names:
        facility_create(actor=None, kind="sports", name=name, place=world.grid_a, lon=120.1, lat=30.2)
    facility_create(actor=None, kind="school", name="实验小学", place=world.grid_a, lon=120.1, lat=30.2)
    bodies = walk_pages(_client(community_staff), "/iot/facilities/", {"kind": "sports"})
    assert [b.count('data-testid="facility-row"') for b in bodies] == [2, 1]
    assert "kind=sports" in more_href(bodies[0]) and _found(bodies, names) == set(names)
    assert _found(walk_pages(_client(outsider), "/iot/facilities/", {"kind": "sports"}), names) == set()
