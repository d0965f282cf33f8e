"""Readings in. Both doors (``POST /api/v1/iot/readings`` and the MQTT ingest) call ``readings_ingest``
with already-parsed readings; one call is one transaction:

1. the devices of the batch are locked (``select_for_update``, in id order: two ingests never deadlock);
   the readings of a device that is inactive or whose token is revoked are not stored (checked here,
   under the lock, so a revocation holds from the next batch on whatever a door has cached);
2. the readings are inserted in one ``insert_rows`` (append-only table; rows, no instances);
3. each device's readings are walked in time order against its rules: a condition that starts holding is
   remembered on the device (``pending``: rule → since); once it has held for the rule's duration (and
   outside its silence window, and the device is not in maintenance) the alarm is raised, once: while it
   is open, further readings only update it (value, peak, count), in one UPDATE per alarm and batch;
   a condition that stops holding marks its open alarm recovered;
4. the devices' last value and last-seen time are written (``update_many``: one prepared UPDATE).

A reading older than the device's last one is stored but not walked (it cannot change what held since).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from linli.core.errors import Invalid
from linli.core.inserts import insert_rows, update_many
from linli.iot.models import Alarm, AlarmRule, Device, Reading, RuleKind
from linli.iot.workflow import OPEN_STATUSES

MAX_PAST = timedelta(days=7)
MAX_FUTURE = timedelta(minutes=5)
MAX_BATCH = 1000
READING_FIELDS = ("device", "at", "value", "unit", "received_at")
# What the walk reads of a device (the lock fetches no more; an alarm being raised reads the device whole).
WALK_FIELDS = ("id", "kind", "place_path", "maintenance_until", "last_value", "last_at", "pending")


@dataclass
class ReadingIn:
    device_id: int
    value: float
    unit: str
    at: datetime


@dataclass
class IngestResult:
    stored: int = 0
    raised: list[int] = field(default_factory=list)  # alarm ids
    updated: int = 0  # open alarms updated by repeated readings


def reading_parse(data: Any, *, now: datetime | None = None) -> tuple[float, str, datetime]:
    """(value, unit, time) from ``{"value": 12.5, "unit": "%LEL", "time": "2026-12-06T20:00:00+08:00"}``;
    ``time`` may be an ISO 8601 string or Unix seconds, and defaults to now. Invalid (422) otherwise."""
    now = now or timezone.now()
    if not isinstance(data, dict):
        raise Invalid(_("A reading is an object with a value."), fields={"value": [_("This field is required.")]})
    raw = data.get("value")
    if isinstance(raw, bool):
        raw = 1.0 if raw else 0.0
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise Invalid(_("The value is not a number."), fields={"value": [_("A number.")]}) from exc
    if not math.isfinite(value):
        raise Invalid(_("The value is not a number."), fields={"value": [_("A finite number.")]})
    unit = data.get("unit") or ""
    if not isinstance(unit, str) or len(unit) > 16:
        raise Invalid(_("The unit is not valid."), fields={"unit": [_("At most 16 characters.")]})
    at = _time(data.get("time"), now)
    return value, unit, at


def _time(raw: Any, now: datetime) -> datetime:
    if raw in (None, ""):
        return now
    at: datetime | None
    try:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            at = datetime.fromtimestamp(float(raw), tz=UTC) if math.isfinite(raw) else None
        elif isinstance(raw, str) and len(raw) <= 40:
            at = parse_datetime(raw.strip())
        else:
            at = None
    except (ValueError, OverflowError, OSError):
        at = None
    if at is None:
        raise Invalid(_("The time is not valid."), fields={"time": [_("ISO 8601 or Unix seconds.")]})
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at < now - MAX_PAST or at > now + MAX_FUTURE:
        raise Invalid(_("The time is too far from now."), fields={"time": [_("Within the last 7 days.")]})
    return at


# --- rules --------------------------------------------------------------------------------------------------


def rules_for(device: Device, rules: list[AlarmRule],
              memo: dict[tuple[str, str], list[AlarmRule]] | None = None) -> list[AlarmRule]:
    """The device's own rules and those of its kind over its place (``memo``: the latter per kind and
    place, for a batch of many devices)."""
    key = (device.kind, device.place_path)
    general = memo.get(key) if memo is not None else None
    if general is None:
        general = [r for r in rules if r.device_id is None and r.device_kind == device.kind
                   and device.place_path.startswith(r.place_path)]
        if memo is not None:
            memo[key] = general
    own = [r for r in rules if r.device_id == device.pk] if any(r.device_id is not None for r in rules) else []
    return own + general if own else general


RATE_WINDOW_S = 60


def holds(rule: AlarmRule, value: float, at: datetime, pending: dict[str, Any]) -> bool | None:
    """Whether the rule's condition holds at this reading; None when a rate rule has no verdict yet.

    A rate of change is measured over a window (the rule's duration, at least a minute) from a reference
    reading kept on the device, not between two consecutive readings (a sensor's jitter every few seconds
    would look like a fire)."""
    if rule.threshold is None:
        return False
    if rule.kind == RuleKind.THRESHOLD:
        return value > rule.threshold if rule.operator == "gt" else value < rule.threshold
    if rule.kind == RuleKind.RATE:
        key = f"rate:{rule.pk}"
        ref = pending.get(key)
        ref_value, ref_at = (float(ref[0]), _since(ref[1])) if isinstance(ref, list) and len(ref) == 2 else (0.0, None)
        if ref_at is None or at <= ref_at:
            pending[key] = [value, at.isoformat()]
            return None
        elapsed = (at - ref_at).total_seconds()
        if elapsed < max(RATE_WINDOW_S, rule.duration_s):
            return None
        pending[key] = [value, at.isoformat()]
        per_minute = (value - ref_value) / (elapsed / 60)
        return per_minute > rule.threshold if rule.operator == "gt" else per_minute < -rule.threshold
    return False


def silenced(rule: AlarmRule, at: datetime) -> bool:
    if rule.silence_from is None or rule.silence_to is None:
        return False
    t = timezone.localtime(at).time()
    start, end = rule.silence_from, rule.silence_to
    return start <= t < end if start <= end else (t >= start or t < end)


def in_maintenance(device: Device, at: datetime) -> bool:
    return device.maintenance_until is not None and device.maintenance_until > at


# --- the ingest ---------------------------------------------------------------------------------------------


@dataclass
class _AlarmDelta:
    alarm: Alarm
    n: int = 0
    value: float | None = None
    peak: float | None = None
    last_at: datetime | None = None
    recovered_at: datetime | None = None  # the state at the end of the batch

    def __post_init__(self) -> None:
        self.recovered_at = self.alarm.recovered_at


def readings_ingest(items: list[ReadingIn], *, now: datetime | None = None) -> IngestResult:
    """Store the readings and raise, update or recover the alarms (see the module's doc)."""
    from linli.iot.actions.alarms import alarm_raise, alarm_recovered_event

    result = IngestResult()
    if not items:
        return result
    now = now or timezone.now()
    by_device: dict[int, list[ReadingIn]] = defaultdict(list)
    for item in items:
        by_device[item.device_id].append(item)
    with transaction.atomic():
        devices = {d.pk: d for d in Device.objects.select_for_update()
                   .filter(pk__in=sorted(by_device), active=True, token_revoked_at__isnull=True)
                   .only(*WALK_FIELDS).order_by("pk")}
        insert_rows(Reading, READING_FIELDS,
                    [(i.device_id, i.at, i.value, i.unit, now) for i in items if i.device_id in devices])
        result.stored = sum(len(v) for k, v in by_device.items() if k in devices)
        rules = list(AlarmRule.objects.filter(active=True, kind__in=[RuleKind.THRESHOLD, RuleKind.RATE, RuleKind.OFFLINE]))
        open_alarms: dict[tuple[int, int], Alarm] = {
            (a.device_id, a.rule_id): a
            for a in Alarm.objects.filter(device_id__in=list(devices), status__in=OPEN_STATUSES).select_related("rule")
        }
        deltas: dict[int, _AlarmDelta] = {}
        memo: dict[tuple[str, str], list[AlarmRule]] = {}
        for device_id, readings in by_device.items():
            device = devices.get(device_id)
            if device is None:
                continue
            readings.sort(key=lambda r: r.at)
            mine = rules_for(device, rules, memo)
            pending = dict(device.pending or {})
            prev: tuple[float | None, datetime | None] = (device.last_value, device.last_at)
            for r in readings:
                if prev[1] is not None and r.at < prev[1]:
                    continue  # late: stored, not walked
                for rule in mine:
                    key = (device.pk, rule.pk)
                    alarm = open_alarms.get(key)
                    if rule.kind == RuleKind.OFFLINE:
                        if alarm is not None:
                            d = deltas.setdefault(alarm.pk, _AlarmDelta(alarm))
                            d.recovered_at = d.recovered_at or r.at
                        continue
                    verdict = holds(rule, r.value, r.at, pending)
                    if verdict is None:
                        continue
                    if verdict:
                        since = _since(pending.get(str(rule.pk))) or r.at
                        pending[str(rule.pk)] = since.isoformat()
                        if alarm is not None:
                            d = deltas.setdefault(alarm.pk, _AlarmDelta(alarm))
                            d.n += 1
                            d.value = r.value
                            d.peak = r.value if d.peak is None else _worse(rule, d.peak, r.value)
                            d.last_at = r.at
                            d.recovered_at = None
                        elif (rule.kind == RuleKind.RATE or (r.at - since).total_seconds() >= rule.duration_s) \
                                and not silenced(rule, r.at) and not in_maintenance(device, r.at):
                            alarm = alarm_raise(device=Device.objects.get(pk=device.pk), rule=rule, at=r.at,
                                                since=since, value=r.value, now=now)
                            open_alarms[key] = alarm
                            result.raised.append(alarm.pk)
                    else:
                        pending.pop(str(rule.pk), None)
                        if alarm is not None:
                            d = deltas.setdefault(alarm.pk, _AlarmDelta(alarm))
                            d.recovered_at = d.recovered_at or r.at
                prev = (r.value, r.at)
            device.last_value, device.last_at = prev
            device.last_seen_at, device.pending = now, pending
        # One prepared UPDATE for every device of the batch.
        update_many(devices.values(), ["last_value", "last_at", "last_seen_at", "pending"])
        for d in deltas.values():
            changes: dict[str, Any] = {"updated_at": now}
            if d.n:
                changes.update(readings=F("readings") + d.n, value=d.value, last_reading_at=d.last_at,
                               peak=d.peak if d.alarm.peak is None else _worse(d.alarm.rule, d.alarm.peak, d.peak))
                result.updated += 1
            if d.recovered_at != d.alarm.recovered_at:
                changes["recovered_at"] = d.recovered_at
            Alarm.objects.filter(pk=d.alarm.pk, status__in=OPEN_STATUSES).update(**changes)
            if d.recovered_at is not None and d.alarm.recovered_at is None:
                alarm_recovered_event(d.alarm, at=d.recovered_at)
    return result


def _worse(rule: AlarmRule, a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return a if b is None else b
    return min(a, b) if rule.operator == "lt" else max(a, b)


def _since(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None
