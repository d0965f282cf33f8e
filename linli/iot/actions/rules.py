"""Alarm rules are data: what holds, for how long, when not to raise. ``rules_default_ensure`` creates the
street's defaults (gas above 20 %LEL for 30 s, smoke, heat and its rise, water pressure, overcurrent, a
fire door held open, a camera offline for 10 minutes) and the case categories alarms are filed under."""

from __future__ import annotations

import math
from datetime import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid
from linli.iot.access import manages_every_place
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


def _time(value: Any, field: str, errors: dict[str, list[str]]) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = [_("A time such as 22:00.")]
        return None


def _number(value: Any, field: str, errors: dict[str, list[str]], *, whole: bool = False) -> Any:
    """A number from a form or a call (None when empty); a message in ``errors`` when it is not one."""
    if value in (None, ""):
        return None
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except (TypeError, ValueError):
        errors[field] = [_("A number.")]
        return None
    if not math.isfinite(number) or (whole and number != int(number)):
        errors[field] = [_("A whole number.") if whole else _("A number.")]
        return None
    return int(number) if whole else number


def _rule_values(
    *, name: str, kind: str, device_kind: str = "", device: Any = None, place: Any = None,
    operator: str = Operator.ABOVE, threshold: Any = None, duration_s: Any = 0, offline_minutes: Any = None,
    silence_from: Any = None, silence_to: Any = None, emergency: bool = False, category_code: str = "",
) -> dict[str, Any]:
    """The checked fields of a rule, or Invalid naming every bad one."""
    from linli.cases.selectors import category_codes
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
    device_pk = getattr(device, "pk", device)
    dev = Device.objects.filter(pk=device_pk).first() if str(device_pk or "").isdigit() else None
    if device not in (None, "") and dev is None:
        errors["device"] = [_("Not found.")]
    if dev is None and device_kind not in DeviceKind.values:
        errors["device_kind"] = [_("Choose a kind of device, or a device.")]
    threshold = _number(threshold, "threshold", errors)
    duration = _number(duration_s if duration_s not in (None, "") else 0, "duration_s", errors, whole=True)
    minutes = _number(offline_minutes, "offline_minutes", errors, whole=True)
    if kind in (RuleKind.THRESHOLD, RuleKind.RATE) and threshold is None and "threshold" not in errors:
        errors["threshold"] = [_("This field is required.")]
    if "duration_s" not in errors and not 0 <= (duration or 0) <= 86400:
        errors["duration_s"] = [_("Between 0 and 86400 seconds.")]
    if kind == RuleKind.OFFLINE and not minutes and "offline_minutes" not in errors:
        errors["offline_minutes"] = [_("This field is required.")]
    if minutes is not None and "offline_minutes" not in errors and not 1 <= minutes <= 10080:
        errors["offline_minutes"] = [_("Between 1 and 10080 minutes.")]
    quiet_from, quiet_to = _time(silence_from, "silence_from", errors), _time(silence_to, "silence_to", errors)
    if (quiet_from is None) != (quiet_to is None) and not {"silence_from", "silence_to"} & errors.keys():
        errors["silence_to" if quiet_to is None else "silence_from"] = [_("A silence window has a start and an end.")]
    category_code = clean_text(category_code, limit=32)
    if category_code and category_code not in category_codes():
        errors["category_code"] = [_("No case category has this code.")]
    where = None
    if place not in (None, ""):
        place_pk = getattr(place, "pk", place)
        where = place_get(place_pk) if str(place_pk).isdigit() else None
        if where is None:
            errors["place"] = [_("Not found.")]
    if errors:
        raise Invalid(_("Please check the rule."), fields=errors)
    return {
        "name": name, "kind": kind, "device_kind": dev.kind if dev is not None else device_kind, "device": dev,
        "place": where if dev is None else None,
        # A device's rule is scoped by the device's place; a kind's rule by its place ("" for every place).
        "place_path": dev.place_path if dev is not None else (where.path if where is not None else ""),
        "operator": operator, "threshold": threshold, "duration_s": duration or 0,
        "offline_minutes": minutes if kind == RuleKind.OFFLINE else None,
        "silence_from": quiet_from, "silence_to": quiet_to, "emergency": bool(emergency), "category_code": category_code,
    }


def _require_rule_scope(actor: Any, path: str) -> None:
    """A person manages a rule of their places; a rule for every place needs a street-wide (or wider) scope."""
    require(actor, PERM_MANAGE, path)
    if actor is not None and not path and not manages_every_place(actor):
        raise Invalid(_("Choose the place the rule applies under."), fields={"place": [_("This field is required.")]})


def rule_create(*, actor: Any, **fields: Any) -> AlarmRule:
    """A rule for every device of ``device_kind`` (under ``place`` when given), or for one ``device``:
    name, kind (threshold, rate, offline), operator, threshold, duration_s, offline_minutes,
    silence_from/silence_to (a daily window), emergency, category_code."""
    values = _rule_values(**fields)
    _require_rule_scope(actor, values["place_path"])
    with transaction.atomic():
        rule = AlarmRule.objects.create(**values)
        audit_record(action="iot.rule_create", actor=actor, target=rule,
                     detail={"kind": rule.kind, "device_kind": rule.device_kind, "place_path": rule.place_path})
    return rule


AUDITED_FIELDS = ("name", "kind", "device_kind", "device_id", "place_path", "operator", "threshold", "duration_s",
                  "offline_minutes", "silence_from", "silence_to", "emergency", "category_code")


def rule_update(*, rule: AlarmRule, actor: Any, **fields: Any) -> AlarmRule:
    """Change a rule (the same fields as ``rule_create``); the actor must manage both where it applied and
    where it will apply. The audit row names the fields that changed."""
    _require_rule_scope(actor, rule.place_path)
    values = _rule_values(**fields)
    _require_rule_scope(actor, values["place_path"])
    with transaction.atomic():
        locked = AlarmRule.objects.select_for_update().get(pk=rule.pk)
        before = {f: getattr(locked, f) for f in AUDITED_FIELDS}
        for field, value in values.items():
            setattr(locked, field, value)
        locked.save()
        changed = sorted(f for f in AUDITED_FIELDS if getattr(locked, f) != before[f])
        audit_record(action="iot.rule_update", actor=actor, target=locked, detail={"changed": changed})
    return locked


def rule_set_active(*, rule: AlarmRule, actor: Any, active: bool) -> AlarmRule:
    """Enable or disable a rule. A disabled rule raises nothing; the alarms it raised stay until cleared.
    Setting the state it already has changes nothing and writes no audit row."""
    _require_rule_scope(actor, rule.place_path)
    with transaction.atomic():
        changed = AlarmRule.objects.filter(pk=rule.pk, active=not active).update(active=active, updated_at=timezone.now())
        if changed:
            audit_record(action="iot.rule_enable" if active else "iot.rule_disable", actor=actor, target=rule)
    rule.refresh_from_db()
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
