"""Alarm rules are data: what holds, for how long, when not to raise. ``rules_default_ensure`` creates the
street's defaults (gas above 20 %LEL for 30 s, smoke, heat and its rise, water pressure, overcurrent, a
fire door held open, a camera offline for 10 minutes) and the case categories alarms are filed under."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid
from linli.iot.actions._common import clean_text, require
from linli.iot.models import AlarmRule, DeviceKind, Operator, RuleKind
from linli.iot.workflow import PERM_MANAGE

# Case categories alarms are filed under (created under 安全隐患 / a 智慧感知 parent when missing).
SENSOR_CATEGORIES: list[tuple[str, str, str, int, int]] = [
    # code, name, keywords, sign hours, handle days
    ("IOT", "智慧感知告警", "传感器 告警 设备", 1, 1),
    ("IOT.WATER", "供水异常", "水压 漏水 停水", 1, 1),
    ("IOT.POWER", "用电异常", "过载 电流 用电", 1, 1),
    ("IOT.DOOR", "消防门常开", "消防门 常开 门磁", 1, 1),
    ("IOT.CAMERA", "监控离线", "摄像头 监控 离线", 4, 2),
    ("IOT.OFFLINE", "设备离线", "设备 离线", 4, 2),
]
KIND_CATEGORY: dict[str, str] = {
    DeviceKind.GAS: "SAFE.GAS",
    DeviceKind.SMOKE: "SAFE.FIRE",
    DeviceKind.TEMPERATURE: "SAFE.FIRE",
    DeviceKind.WATER: "IOT.WATER",
    DeviceKind.ELECTRICITY: "IOT.POWER",
    DeviceKind.DOOR: "IOT.DOOR",
    DeviceKind.CAMERA: "IOT.CAMERA",
}

# name, kind, device kind, operator, threshold, duration, offline minutes, emergency
DEFAULT_RULES: list[tuple[str, str, str, str, float | None, int, int | None, bool]] = [
    ("燃气浓度超限", RuleKind.THRESHOLD, DeviceKind.GAS, Operator.ABOVE, 20.0, 30, None, True),
    ("烟雾报警", RuleKind.THRESHOLD, DeviceKind.SMOKE, Operator.ABOVE, 0.5, 0, None, True),
    ("温度过高", RuleKind.THRESHOLD, DeviceKind.TEMPERATURE, Operator.ABOVE, 60.0, 60, None, True),
    ("温度骤升", RuleKind.RATE, DeviceKind.TEMPERATURE, Operator.ABOVE, 8.0, 0, None, True),
    ("水压过低", RuleKind.THRESHOLD, DeviceKind.WATER, Operator.BELOW, 0.1, 300, None, False),
    ("电流过载", RuleKind.THRESHOLD, DeviceKind.ELECTRICITY, Operator.ABOVE, 40.0, 60, None, False),
    ("消防门常开", RuleKind.THRESHOLD, DeviceKind.DOOR, Operator.ABOVE, 0.5, 600, None, False),
    ("摄像头离线", RuleKind.OFFLINE, DeviceKind.CAMERA, Operator.ABOVE, None, 0, 10, False),
]


def sensor_categories_ensure() -> None:
    """The categories the alarms are filed under, through the cases' own action (idempotent)."""
    from linli.cases.actions import categories_restore_default, category_create
    from linli.cases.selectors import category_codes

    existing = category_codes()
    if "SAFE.GAS" not in existing:
        categories_restore_default()
    parent_id = None
    for code, name, words, sign, handle in SENSOR_CATEGORIES:
        if code in existing:
            continue
        values: dict[str, Any] = {"name": name, "keywords": words, "sign_hours": sign, "handle_days": handle,
                                  "feedback_days": 1}
        if code != "IOT":
            values["parent"] = parent_id or category_codes().get("IOT")
        category = category_create(actor=None, code=code, **values)
        if code == "IOT":
            parent_id = category.pk


def _time(value: Any, field: str) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid(_("Please check the rule."), fields={field: [_("A time such as 22:00.")]}) from exc


def rule_create(
    *, actor: Any, name: str, kind: str, device_kind: str = "", device: Any = None, place: Any = None,
    operator: str = Operator.ABOVE, threshold: float | None = None, duration_s: int = 0,
    offline_minutes: int | None = None, silence_from: Any = None, silence_to: Any = None,
    emergency: bool = False, category_code: str = "",
) -> AlarmRule:
    """A rule for every device of ``device_kind`` (under ``place`` when given), or for one ``device``."""
    from linli.iot.models import Device
    from linli.places.selectors import place_get

    errors: dict[str, list[str]] = {}
    name = clean_text(name, limit=100)
    if not name:
        errors["name"] = [_("This field is required.")]
    if kind not in RuleKind.values:
        errors["kind"] = [_("Choose a kind of rule.")]
    if operator not in Operator.values:
        errors["operator"] = [_("Above or below.")]
    dev = Device.objects.filter(pk=getattr(device, "pk", device)).first() if device not in (None, "") else None
    if device not in (None, "") and dev is None:
        errors["device"] = [_("Not found.")]
    if dev is None and device_kind not in DeviceKind.values:
        errors["device_kind"] = [_("Choose a kind of device, or a device.")]
    if kind in (RuleKind.THRESHOLD, RuleKind.RATE) and threshold is None:
        errors["threshold"] = [_("This field is required.")]
    if kind == RuleKind.OFFLINE and not offline_minutes:
        errors["offline_minutes"] = [_("This field is required.")]
    if duration_s is None or int(duration_s) < 0 or int(duration_s) > 86400:
        errors["duration_s"] = [_("Between 0 and 86400 seconds.")]
    if errors:
        raise Invalid(_("Please check the rule."), fields=errors)
    where = place_get(getattr(place, "pk", place)) if place not in (None, "") else None
    path = dev.place_path if dev is not None else (where.path if where is not None else "")
    require(actor, PERM_MANAGE, path)
    if actor is not None and not path:
        scope_paths = getattr(getattr(actor, "scope", None), "place_paths", ())
        if not any(len(p.strip("/").split("/")) == 1 for p in scope_paths):
            raise Invalid(_("Choose the place the rule applies under."), fields={"place": [_("This field is required.")]})
    with transaction.atomic():
        rule = AlarmRule.objects.create(
            name=name, kind=kind, device_kind=dev.kind if dev is not None else device_kind, device=dev, place=where,
            place_path=where.path if where is not None else "", operator=operator, threshold=threshold,
            duration_s=int(duration_s or 0), offline_minutes=offline_minutes,
            silence_from=_time(silence_from, "silence_from"), silence_to=_time(silence_to, "silence_to"),
            emergency=bool(emergency), category_code=clean_text(category_code, limit=32),
        )
        audit_record(action="iot.rule_create", actor=actor, target=rule, detail={"kind": kind, "device_kind": rule.device_kind})
    return rule


def rules_default_ensure() -> int:
    """Create the default rules that are missing (by name and device kind) and the categories. Returns
    how many rules were created."""
    sensor_categories_ensure()
    created = 0
    have = set(AlarmRule.objects.filter(device__isnull=True).values_list("name", "device_kind"))
    for name, kind, device_kind, op, threshold, duration, offline, emergency in DEFAULT_RULES:
        if (name, device_kind) in have:
            continue
        rule_create(actor=None, name=name, kind=kind, device_kind=device_kind, operator=op, threshold=threshold,
                    duration_s=duration, offline_minutes=offline, emergency=emergency,
                    category_code="IOT.CAMERA" if kind == RuleKind.OFFLINE and device_kind == DeviceKind.CAMERA else "")
        created += 1
    return created
