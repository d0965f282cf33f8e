from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class IotWorld:
    compound: Any
    building: Any
    gas: Any
    gas_token: str
    camera: Any
    camera_token: str


@pytest.fixture
def iot(world, grid_worker_a, community_staff) -> IotWorld:
    from linli.iot.actions import device_register, rules_default_ensure
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    rules_default_ensure()
    compound = place_create(kind=PlaceKind.COMPOUND, name="测试小区", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="测试1幢", parent=compound)
    gas, gas_token = device_register(actor=community_staff, code="GAS-001", kind="gas", name="1幢燃气探测器",
                                     place=building, location="1幢1单元地下室", lon=120.17, lat=30.26)
    camera, camera_token = device_register(actor=None, code="CAM-001", kind="camera", name="小区东门摄像头",
                                           place=compound, lon=120.171, lat=30.261)
    return IotWorld(compound, building, gas, gas_token, camera, camera_token)


def readings(device, values_at, *, unit=""):
    """[(value, datetime), ...] as ingest items."""
    from linli.iot.actions.ingest import ReadingIn

    return [ReadingIn(device.pk, float(v), unit or device.unit, at) for v, at in values_at]
