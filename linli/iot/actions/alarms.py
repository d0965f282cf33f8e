"""Alarms: raised by the ingest (``alarm_raise``) or by the offline check (``alarms_check_offline``, every
minute); acknowledged and cleared through the one transition runner (``alarm_acknowledge``,
``alarm_clear``).

Raising opens a case in the device's place through the cases' intake (channel ``sensor``, the rule's or
the kind's category), accepts it and dispatches it to the grid's worker (the desk keeps it when the grid
has none); for gas and smoke (and every rule marked emergency) an emergency notice goes to the grid worker
and the staff who handle alarms over the place. Clearing writes a note on the case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.selectors import users_over
from linli.core.audit import audit_record
from linli.core.workflow import Outcome, Spec, run
from linli.core.workflow import event_write as core_event_write
from linli.iot.actions._common import clean_text
from linli.iot.models import EMERGENCY_KINDS, Alarm, AlarmEvent, AlarmRule, Device, RuleKind
from linli.iot.workflow import OPEN_STATUSES, PERM_HANDLE, TRANSITIONS, AlarmStatus


def _notify(*, case: Any, user_ids: list[int], text: str, kind: str = "emergency") -> None:
    """The one place iot tells people: the outbox (delivered after commit by its worker), about the case."""
    from django.urls import reverse

    from linli.notifications.actions import notice_queue

    if case is not None:
        notice_queue(user_ids=user_ids, kind=kind, ref=f"cases.case:{case.pk}", text=text,
                     url=reverse("cases:case", args=[case.pk]))


def _apply_acknowledge(alarm: Alarm, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    alarm.acknowledged_at = now
    alarm.acknowledged_by = actor if getattr(actor, "is_authenticated", False) else None
    return Outcome(note=clean_text(data.get("note"), limit=500))


def _apply_clear(alarm: Alarm, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    alarm.cleared_at = now
    alarm.cleared_by = actor if getattr(actor, "is_authenticated", False) else None
    note = clean_text(data.get("note"), limit=500)
    out = Outcome(note=note)
    out.after.append(lambda a: _case_note(a, actor, note))
    return out


SPEC = Spec(
    model=Alarm,
    event_model=AlarmEvent,
    event_fk="alarm",
    table=TRANSITIONS,
    apply={"acknowledge": _apply_acknowledge, "clear": _apply_clear},
    audit_prefix="iot.alarm",
    noun=gettext_lazy("alarm"),
    related=("device", "rule"),
    labels={"raised": gettext_lazy("Raised"), "recovered": gettext_lazy("Readings back to normal")},
)


def alarm_transition(*, alarm: Alarm | int, name: str, actor: Any, data: dict[str, Any] | None = None) -> Alarm:
    return run(SPEC, obj=alarm, name=name, actor=actor, data=data)


def alarm_acknowledge(*, alarm: Alarm | int, actor: Any, note: str = "") -> Alarm:
    return alarm_transition(alarm=alarm, name="acknowledge", actor=actor, data={"note": note})


def alarm_clear(*, alarm: Alarm | int, actor: Any, note: str = "") -> Alarm:
    return alarm_transition(alarm=alarm, name="clear", actor=actor, data={"note": note})


def _case_note(alarm: Alarm, actor: Any, note: str) -> None:
    """Clearing writes to the case (a note by the system naming who cleared, whatever the case's state)."""
    from linli.cases.actions import case_comment
    from linli.cases.selectors import case_get

    if alarm.case_id is None:
        return
    case = case_get(alarm.case_id)
    if case is None or case.status in ("closed", "refused", "merged"):
        return
    who = str(actor) if actor is not None else _("the system")
    text = _("Alarm cleared by %(who)s.") % {"who": who}
    case_comment(case=case, actor=None, note=f"{text} {note}".strip())


# --- raising ------------------------------------------------------------------------------------------------


def alarm_raise(*, device: Device, rule: AlarmRule, at: datetime, since: datetime, value: float | None,
                now: datetime) -> Alarm:
    """Raise the alarm of ``rule`` on ``device`` (the caller holds the device's row lock) and open its case.
    The partial unique constraint makes a second open alarm of the same device and rule impossible."""
    emergency = bool(rule.emergency or device.kind in EMERGENCY_KINDS)
    with transaction.atomic():
        alarm = Alarm.objects.create(
            device=device, rule=rule, status=AlarmStatus.RAISED, place_path=device.place_path, emergency=emergency,
            raised_at=at, since=since, value=value, peak=value, readings=1 if value is not None else 0,
            last_reading_at=at if value is not None else None,
        )
        core_event_write(SPEC, alarm, kind="raised", actor=None, at=now, to_status=alarm.status,
                         data={"value": value, "since": since.isoformat(), "rule": rule.pk})
        audit_record(action="iot.alarm_raise", actor=None, actor_name="system", target=alarm,
                     detail={"device": device.code, "rule": rule.name, "value": value})
        case = _open_case(alarm, device, rule)
        if case is not None:
            Alarm.objects.filter(pk=alarm.pk).update(case=case)
            alarm.case = case
    return alarm


def alarm_recovered_event(alarm: Alarm, *, at: datetime) -> None:
    core_event_write(SPEC, alarm, kind="recovered", actor=None, at=timezone.now(), data={"at": at.isoformat()})


def _text(device: Device, rule: AlarmRule, value: float | None) -> tuple[str, str]:
    title = f"{rule.name}：{device.name}"
    where = f"{device.location}" if device.location else ""
    if rule.kind == RuleKind.OFFLINE:
        detail = _("Device %(code)s has sent nothing for %(n)s minutes.") % {"code": device.code, "n": rule.offline_minutes}
    else:
        detail = _("Device %(code)s reads %(value)s %(unit)s (rule: %(rule)s).") % {
            "code": device.code, "value": "" if value is None else f"{value:g}", "unit": device.unit, "rule": rule.name}
    return title[:100], f"{detail} {where}".strip()


def _category_for(device: Device, rule: AlarmRule) -> str:
    from linli.cases.selectors import category_codes
    from linli.iot.actions.rules import KIND_CATEGORY, sensor_categories_ensure

    code = rule.category_code or (
        "IOT.OFFLINE" if rule.kind == RuleKind.OFFLINE and device.kind != "camera" else KIND_CATEGORY.get(device.kind, "IOT"))
    if code not in category_codes():
        sensor_categories_ensure()
    return code if code in category_codes() else "IOT"


def _open_case(alarm: Alarm, device: Device, rule: AlarmRule) -> Any:
    from linli.cases.actions import case_accept, case_create, case_dispatch
    from linli.cases.workflow import Channel, OwnerKind

    title, description = _text(device, rule, alarm.value)
    case = case_create(
        actor=None, channel=Channel.SENSOR, category=_category_for(device, rule), title=title,
        description=description, place=device.place_id, lon=device.lon, lat=device.lat, address=device.location,
        external_id=f"iot-alarm-{alarm.pk}", reported_at=alarm.raised_at,
    )
    case = case_accept(case=case, actor=None, note=_("Raised by device %(code)s.") % {"code": device.code})
    if case.suggested_user_id:
        case = case_dispatch(case=case, actor=None, owner_kind=OwnerKind.GRID_WORKER, owner_user=case.suggested_user_id,
                             note=_("Sensor alarm: to the grid's worker."))
    if alarm.emergency:
        ids = set(users_over(device.place_path, PERM_HANDLE))
        if case.owner_user_id:
            ids.add(case.owner_user_id)
        _notify(case=case, user_ids=sorted(ids), text=_("EMERGENCY %(title)s at %(place)s %(location)s: go now.") % {
            "title": rule.name, "place": device.place.name if device.place_id else "", "location": device.location})
    return case


# --- offline ------------------------------------------------------------------------------------------------


def alarms_check_offline(*, now: datetime | None = None) -> list[int]:
    """Raise an alarm for every device silent for longer than its offline rule allows (not in maintenance,
    no open alarm of that rule). Returns the alarms raised. Run every minute."""
    now = now or timezone.now()
    raised: list[int] = []
    rules = list(AlarmRule.objects.filter(active=True, kind=RuleKind.OFFLINE, offline_minutes__isnull=False))
    for rule in rules:
        cutoff = now - timedelta(minutes=int(rule.offline_minutes or 0))
        qs = Device.objects.filter(active=True).filter(
            Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, created_at__lt=cutoff)
        ).exclude(maintenance_until__gt=now).exclude(
            pk__in=Alarm.objects.filter(rule=rule, status__in=OPEN_STATUSES).values("device_id"))
        if rule.device_id:
            qs = qs.filter(pk=rule.device_id)
        else:
            qs = qs.filter(kind=rule.device_kind, place_path__startswith=rule.place_path)
        for device_id in list(qs.values_list("pk", flat=True)[:1000]):
            with transaction.atomic():
                device = Device.objects.select_for_update().get(pk=device_id)
                seen = device.last_seen_at
                if (seen is not None and seen >= cutoff) or Alarm.objects.filter(
                        device=device, rule=rule, status__in=OPEN_STATUSES).exists():
                    continue  # a reading came in meanwhile, or another worker raised it
                from linli.iot.actions.ingest import silenced

                if silenced(rule, now):
                    continue
                try:
                    alarm = alarm_raise(device=device, rule=rule, at=now, since=seen or device.created_at, value=None,
                                        now=now)
                except IntegrityError:
                    continue
                raised.append(alarm.pk)
    return raised
