"""The smart-monitoring part of the demo street (``manage.py demo``): the default alarm rules; in every
community, a gas detector and a smoke detector in some buildings, water and electricity meters, a fire
door's sensor and cameras at the compounds' gates (codes ``<community>-GAS-01`` ...); the facilities of the
15-minute life circle around each community; six hours of readings for the charts; and one gas alarm of
three days ago, handled and cleared, so the reports and the big screen have a past. The simulator
(``linli iot-simulate``) then sends live readings to the same devices. Idempotent: a community that has
devices is left as it is. Fictional data only."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from linli.core.inserts import insert_many
from linli.iot.models import DEFAULT_UNITS, Device, Reading

# kind, name, per how many buildings (1 = every building of the first compound), normal value, spread
BUILDING_DEVICES = [("gas", "燃气探测器", 20.0, 2.0), ("smoke", "烟感", 0.05, 0.03)]
COMPOUND_DEVICES = [
    ("camera", "大门摄像头", 1.0, 0.0),
    ("camera", "停车场摄像头", 1.0, 0.0),
    ("water", "二次供水水压", 0.32, 0.02),
    ("electricity", "配电房电流", 18.0, 4.0),
    ("door", "消防通道门磁", 0.0, 0.0),
    ("temperature", "配电房温度", 26.0, 1.5),
]
FACILITIES = [
    ("canteen", "长者食堂", 250, 0, "10:30-13:00, 16:30-18:30"),
    ("clinic", "社区卫生服务站", -200, 150, "08:00-17:00"),
    ("school", "实验小学", 500, 300, ""),
    ("elder_centre", "居家养老服务中心", 120, -180, "08:00-20:00"),
    ("sports", "全民健身广场", -400, -250, "06:00-21:00"),
    ("service_centre", "党群服务中心", 0, 80, "08:30-17:30"),
]


def _normal(kind: str, base: float, spread: float, rng: random.Random) -> float:
    if kind == "gas":
        return round(max(0.0, rng.uniform(0, 3)), 2)
    if spread == 0:
        return base
    return round(base + rng.uniform(-spread, spread), 3)


def _centre(place: Any) -> tuple[float, float] | None:
    from linli.iot.actions.devices import _point_of

    x, y = _point_of(place)
    return (x, y) if x is not None and y is not None else None


def _grid_rank(path: str, rank: dict[int, int]) -> int:
    """The place's grid's position in the demo's grids (after them all when it lies in none)."""
    return next((rank[int(p)] for p in path.strip("/").split("/") if p.isdigit() and int(p) in rank), len(rank))


def demo_extend(demo: Any) -> None:
    from linli.iot.actions import device_register, facility_create, rules_default_ensure
    from linli.places.models import Place, PlaceKind

    rules_default_ensure()
    rng = random.Random(20261206)
    now = timezone.now()
    history: list[Reading] = []
    grid_rank = {g.pk: i for i, g in enumerate(demo.grids)}
    for community in demo.communities:
        prefix = (community.code or str(community.pk))[-3:]
        if Device.objects.filter(place_path__startswith=community.path).exists():
            continue
        # The first grid's compounds first (the demo's own grid order, then creation order): never the
        # paths' text order, in which /7/8/10/ comes before /7/8/9/ and the first grid may get nothing.
        compounds = sorted(Place.objects.filter(path__startswith=community.path, kind=PlaceKind.COMPOUND),
                           key=lambda c: (_grid_rank(c.path, grid_rank), c.pk))[:3]
        created: list[tuple[Device, float, float]] = []
        for c_index, compound in enumerate(compounds):
            buildings = list(Place.objects.filter(path__startswith=compound.path, kind=PlaceKind.BUILDING).order_by("pk")[:4])
            for b_index, building in enumerate(buildings):
                for kind, name, base, spread in BUILDING_DEVICES:
                    code = f"C{prefix}-{kind.upper()[:3]}-{c_index + 1}{b_index + 1:02d}"
                    device, _token = device_register(
                        actor=None, code=code, kind=kind, name=f"{building.name}{name}", place=building,
                        location=f"{building.name}1单元{'厨房公共管井' if kind == 'gas' else '楼道'}")
                    created.append((device, base, spread))
            for kind, name, base, spread in COMPOUND_DEVICES[: 6 if c_index == 0 else 2]:
                n = sum(1 for d, _b, _s in created if d.kind == kind) + 1
                code = f"C{prefix}-{kind.upper()[:3]}-{c_index + 1}{n:02d}"
                centre = _centre(compound)
                lon = lat = None
                if centre is not None:
                    lon, lat = round(centre[0] + rng.uniform(-0.0008, 0.0008), 6), round(centre[1] + rng.uniform(-0.0006, 0.0006), 6)
                device, _token = device_register(actor=None, code=code, kind=kind, name=f"{compound.name}{name}",
                                                 place=compound, location=name, lon=lon, lat=lat)
                created.append((device, base, spread))
        centre = _centre(community)
        if centre is not None:
            for kind, name, dx, dy, hours in FACILITIES:
                facility_create(actor=None, kind=kind, name=f"{community.name}{name}", place=community,
                                lon=round(centre[0] + dx / 96000, 6), lat=round(centre[1] + dy / 111000, 6), hours=hours)
        # Six hours of history, one reading every ten minutes.
        for device, base, spread in created:
            for step in range(36, 0, -1):
                at = now - timedelta(minutes=10 * step)
                history.append(Reading(device=device, at=at, value=_normal(device.kind, base, spread, rng),
                                       unit=DEFAULT_UNITS.get(device.kind, ""), received_at=at))
            Device.objects.filter(pk=device.pk).update(last_value=history[-1].value, last_at=history[-1].at,
                                                       last_seen_at=history[-1].at)
    insert_many(history, batch_size=2000)
    _past_alarm(demo, now)


def _past_alarm(demo: Any, now: Any) -> None:
    """A gas alarm of three days ago in grid 1: raised, handled by the grid worker, cleared."""
    from linli.cases.actions import case_handle, case_report, case_sign
    from linli.iot.actions import alarm_clear, readings_ingest
    from linli.iot.actions.ingest import ReadingIn
    from linli.iot.models import Alarm

    device = Device.objects.filter(kind="gas", place_path__startswith=demo.grids[0].path).order_by("code").first()
    if device is None or Alarm.objects.filter(device=device).exists():
        return
    t0 = now - timedelta(days=3, hours=2)
    items = [ReadingIn(device.pk, v, "%LEL", t0 + timedelta(seconds=s)) for v, s in ((24, 0), (31, 20), (36, 40), (2, 600))]
    # The history's last reading is newer: walk these as a device that had not reported since.
    Device.objects.filter(pk=device.pk).update(last_value=None, last_at=None)
    readings_ingest(items, now=t0 + timedelta(seconds=40))
    alarm = Alarm.objects.filter(device=device).first()
    worker = demo.users.get("grid1")
    if alarm is None or worker is None:
        return
    case = alarm.case
    if case is not None and case.owner_user_id == worker.pk:
        case_sign(case=case, actor=worker)
        case_handle(case=case, actor=worker, note="已到场，关闭燃气总阀，开窗通风")
        case_report(case=case, actor=worker, reply="燃气公司已更换老化软管，浓度恢复正常。")
    alarm_clear(alarm=alarm, actor=worker, note="软管已更换")
    Device.objects.filter(pk=device.pk).update(last_value=1.2, last_at=now, last_seen_at=now)
