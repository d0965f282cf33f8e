"""Devices: registered by staff (one at a time or from an Excel sheet), each with its own token (only its
SHA-256 is kept; shown once; revocable and re-issuable), put in maintenance; and the facilities of the
15-minute life circles."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record, audit_record_many
from linli.core.errors import Invalid
from linli.iot.actions._common import clean_text, require, token_hash
from linli.iot.models import DEFAULT_UNITS, Device, DeviceKind, Facility, FacilityKind
from linli.iot.workflow import PERM_MANAGE

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
TOKEN_PREFIX = "lld_"
DEVICE_PLACE_KINDS = ("compound", "building")
FACILITY_PLACE_KINDS = ("street", "community", "grid", "compound")
IMPORT_MAX_ROWS = 5000


def _place(value: Any) -> Any:
    from linli.places.selectors import place_get

    pk = getattr(value, "pk", value)
    place = place_get(pk) if pk not in (None, "") else None
    if place is None:
        raise Invalid(_("Choose the place."), fields={"place": [_("Not found.")]})
    return place


def _point_of(place: Any) -> tuple[float | None, float | None]:
    """A place's point: a building's own point, else a point in the nearest boundary up the tree."""
    from linli.places.selectors import place_point

    return place_point(place)


def _coordinate(value: Any, low: float, high: float, field: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise Invalid(_("The location is not valid."), fields={field: [_("A number.")]}) from exc
    if not low <= number <= high:
        raise Invalid(_("The location is not valid."), fields={field: [_("Out of range.")]})
    return number


def _new_token() -> tuple[str, str]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(24)
    return raw, raw[len(TOKEN_PREFIX): len(TOKEN_PREFIX) + 8]


def device_register(
    *, actor: Any, code: str, kind: str, name: str, place: Any, location: str = "", lon: Any = None,
    lat: Any = None, unit: str = "",
) -> tuple[Device, str]:
    """Register a device on a compound or a building. Returns the device and its token, shown this once."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not CODE_RE.match(code):
        errors["code"] = [_("Letters, digits, dot, dash or underscore; at most 32.")]
    if kind not in DeviceKind.values:
        errors["kind"] = [_("Choose a kind of device.")]
    name = clean_text(name, limit=100)
    if not name:
        errors["name"] = [_("This field is required.")]
    if errors:
        raise Invalid(_("Please check the device."), fields=errors)
    where = _place(place)
    require(actor, PERM_MANAGE, where.path)
    if where.kind not in DEVICE_PLACE_KINDS:
        raise Invalid(_("A device is placed on a compound or a building."), fields={"place": [_("A compound or a building.")]})
    x, y = _coordinate(lon, -180, 180, "lon"), _coordinate(lat, -90, 90, "lat")
    if x is None or y is None:
        x, y = _point_of(where)
    raw, prefix = _new_token()
    try:
        with transaction.atomic():
            device = Device.objects.create(
                code=code, kind=kind, name=name, place=where, place_path=where.path,
                location=clean_text(location, limit=100), lon=x, lat=y,
                unit=clean_text(unit, limit=16) or DEFAULT_UNITS.get(kind, ""),
                token_prefix=prefix, token_hash=token_hash(raw),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(action="iot.device_register", actor=actor, target=device,
                         detail={"code": code, "kind": kind, "place_path": where.path})
    except IntegrityError as exc:
        raise Invalid(_("A device with this code exists."), fields={"code": [_("Already registered.")]}) from exc
    return device, raw


def device_token_issue(*, device: Device, actor: Any) -> tuple[Device, str]:
    """A new token for the device (the old one stops working at once). Shown this once."""
    require(actor, PERM_MANAGE, device.place_path)
    raw, prefix = _new_token()
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(
            token_prefix=prefix, token_hash=token_hash(raw), token_revoked_at=None, updated_at=timezone.now())
        audit_record(action="iot.device_token_issue", actor=actor, target=device, detail={"prefix": prefix})
    device.refresh_from_db()
    return device, raw


def device_token_revoke(*, device: Device, actor: Any) -> Device:
    """Revoke the device's token: its readings are refused from now on (401 over HTTP, dropped over MQTT)."""
    require(actor, PERM_MANAGE, device.place_path)
    now = timezone.now()
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(token_hash=None, token_revoked_at=now, updated_at=now)
        audit_record(action="iot.device_token_revoke", actor=actor, target=device, detail={"prefix": device.token_prefix})
    device.refresh_from_db()
    return device


def device_authenticate(raw: str) -> Device | None:
    """The active device whose live token this is, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    return Device.objects.filter(token_hash=token_hash(raw), active=True, token_revoked_at__isnull=True).first()


def device_maintenance(*, device: Device, actor: Any, until: datetime | None) -> Device:
    """Put the device in maintenance until ``until`` (None ends it): its readings are kept, no alarm is
    raised from them, it is not reported offline, and its open alarms may be cleared."""
    require(actor, PERM_MANAGE, device.place_path)
    now = timezone.now()
    if until is not None and until <= now:
        raise Invalid(_("The end of the maintenance must be in the future."), fields={"until": [_("In the future.")]})
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(maintenance_until=until, updated_at=now)
        audit_record(action="iot.device_maintenance", actor=actor, target=device,
                     detail={"until": until.isoformat() if until else None})
    device.refresh_from_db()
    return device


# --- Excel --------------------------------------------------------------------------------------------------

IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("编号", "设备编号", "code"),
    "kind": ("类型", "设备类型", "kind"),
    "name": ("名称", "设备名称", "name"),
    "place": ("位置编号", "所在地点编号", "place_id", "place"),
    "place_name": ("小区/楼栋", "小区或楼栋", "place_name"),
    "location": ("安装位置", "location"),
    "lon": ("经度", "lon"),
    "lat": ("纬度", "lat"),
}
KIND_NAMES: dict[str, str] = {
    "燃气": DeviceKind.GAS, "水": DeviceKind.WATER, "水表": DeviceKind.WATER, "电": DeviceKind.ELECTRICITY,
    "电表": DeviceKind.ELECTRICITY, "烟感": DeviceKind.SMOKE, "烟雾": DeviceKind.SMOKE, "温度": DeviceKind.TEMPERATURE,
    "门磁": DeviceKind.DOOR, "门": DeviceKind.DOOR, "摄像头": DeviceKind.CAMERA, "监控": DeviceKind.CAMERA,
}


def _cell(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    return None if value in (None, "") else value


def _import_place(row: dict[str, Any], under: str) -> Any:
    from linli.places.selectors import places_of_kind

    pk = _cell(row, "place")
    qs = places_of_kind(*DEVICE_PLACE_KINDS, under=under)
    if pk not in (None, ""):
        return qs.filter(pk=int(float(pk))).first() if str(pk).replace(".0", "").isdigit() else None
    name = str(_cell(row, "place_name") or "").strip()
    found = list(qs.filter(name=name)[:2]) if name else []
    return found[0] if len(found) == 1 else None


def devices_import(*, actor: Any, content: bytes, under: Any) -> dict[str, Any]:
    """Register the devices of an Excel sheet (编号, 类型, 名称, 位置编号 or 小区/楼栋, 安装位置, 经度, 纬度)
    under the place ``under``. All or nothing: any bad row refuses the file with the row's errors.
    Returns {"created": n, "tokens": [(code, token), ...]} (the tokens shown this once)."""
    from linli.core.uploads import xlsx_rows

    root = _place(under)
    require(actor, PERM_MANAGE, root.path)
    rows = xlsx_rows(content, IMPORT_COLUMNS, max_rows=IMPORT_MAX_ROWS)
    errors: dict[str, list[str]] = {}
    planned = []
    for n, row in rows:
        kind_raw = str(_cell(row, "kind") or "").strip()
        kind = kind_raw if kind_raw in DeviceKind.values else KIND_NAMES.get(kind_raw, "")
        place = _import_place(row, root.path)
        problems = []
        if not kind:
            problems.append(_("unknown kind"))
        if place is None:
            problems.append(_("unknown compound or building"))
        if problems:
            errors[_("Row %(n)s") % {"n": n}] = problems
        planned.append((n, row, kind, place))
    if errors:
        raise Invalid(_("Some rows are not valid; nothing was imported."), fields=errors)
    tokens = []
    with transaction.atomic():
        for n, row, kind, place in planned:
            try:
                device, raw = device_register(
                    actor=actor, code=str(_cell(row, "code") or ""), kind=kind, name=str(_cell(row, "name") or ""),
                    place=place, location=str(_cell(row, "location") or ""), lon=_cell(row, "lon"), lat=_cell(row, "lat"),
                )
            except Invalid as exc:
                raise Invalid(_("Row %(n)s: %(message)s") % {"n": n, "message": exc.message},
                              fields={_("Row %(n)s") % {"n": n}: [m for ms in exc.fields.values() for m in ms]}) from exc
            tokens.append((device.code, raw))
    return {"created": len(tokens), "tokens": tokens}


def _facility_values(*, kind: str, name: str, place: Any, lon: Any, lat: Any, address: str = "",
                     hours: str = "") -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if kind not in FacilityKind.values:
        errors["kind"] = [_("Unknown kind.")]
    name = clean_text(name, limit=100)
    if not name:
        errors["name"] = [_("This field is required.")]
    x = y = None
    for field, low, high in (("lon", -180, 180), ("lat", -90, 90)):
        try:
            value = _coordinate(lon if field == "lon" else lat, low, high, field)
        except Invalid as exc:
            errors.update(exc.fields)
            continue
        if value is None:
            errors[field] = [_("This field is required.")]
        elif field == "lon":
            x = value
        else:
            y = value
    if errors:
        raise Invalid(_("Please check the facility."), fields=errors)
    where = _place(place)
    return {"kind": kind, "name": name, "place": where, "place_path": where.path, "lon": x, "lat": y,
            "address": clean_text(address, limit=200), "hours": clean_text(hours, limit=100)}


def facility_create(
    *, actor: Any, kind: str, name: str, place: Any, lon: Any, lat: Any, address: str = "", hours: str = "",
) -> Facility:
    """A facility of the 15-minute life circle under ``place`` (a point; the map draws its walking rings)."""
    values = _facility_values(kind=kind, name=name, place=place, lon=lon, lat=lat, address=address, hours=hours)
    require(actor, PERM_MANAGE, values["place_path"])
    with transaction.atomic():
        facility = Facility.objects.create(**values)
        audit_record(action="iot.facility_create", actor=actor, target=facility,
                     detail={"kind": facility.kind, "place_path": facility.place_path})
    return facility



# The facilities' workbook (the template's headers first; other headers a community may use after them).
FACILITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("设施名称", "名称", "name"),
    "kind": ("类型", "设施类型", "kind"),
    "place": ("所属地点", "所属社区/网格/小区", "place_name"),
    "place_id": ("地点编号", "place_id"),
    "address": ("地址", "address"),
    "lon": ("经度", "lon"),
    "lat": ("纬度", "lat"),
    "hours": ("开放时间", "hours"),
}
FACILITY_REQUIRED = ("name", "kind", "lon", "lat")
FACILITY_IMPORT_MAX_ROWS = 2000
FIELD_LABELS = {"name": "设施名称", "kind": "类型", "place": "所属地点", "lon": "经度", "lat": "纬度"}


def facility_kind_of(value: Any) -> str:
    """A facility kind from a cell: its code (canteen) or its name as the pages show it (老年幸福食堂), in
    Chinese whatever the reader's language."""
    from django.utils import translation

    text = str(value or "").strip()
    if text in FacilityKind.values:
        return text
    with translation.override("zh-hans"):
        names = {str(label): v for v, label in FacilityKind.choices}
    names.update({str(label): v for v, label in FacilityKind.choices})
    return names.get(text, "")


def _facility_place(row: dict[str, Any], places: list[Any]) -> tuple[Any, str]:
    """The place a row names (by id, else by its name among ``places``): (the place, or None and why)."""
    pk = str(row.get("place_id") or "").strip().removesuffix(".0")
    if pk:
        found = next((p for p in places if str(p.pk) == pk), None)
        return found, "" if found else _("no such place among yours")
    name = str(row.get("place") or "").strip()
    if not name:
        return None, _("This field is required.")
    named = [p for p in places if p.name == name]
    if len(named) > 1:
        return None, _("more than one place has this name: give the place number")
    return (named[0], "") if named else (None, _("no such place among yours"))


def facilities_import(*, actor: Any, content: Any) -> dict[str, Any]:
    """Put the facilities of an Excel sheet (the template: 设施名称, 类型, 所属地点 or 地点编号, 地址, 经度, 纬度,
    开放时间) on the map under the actor's places. Every row is checked first; any bad row refuses the whole
    file with each bad row's errors ({"第 N 行": [...]}, in Chinese) and nothing is written. The workbook's
    size and unpacked size are checked before it is read (``core.uploads.xlsx_rows``). Returns
    {"created": n}."""
    from linli.core.access import scope_of
    from linli.core.uploads import xlsx_rows
    from linli.places.selectors import places_visible_to

    require(actor, PERM_MANAGE)
    rows = xlsx_rows(content, FACILITY_COLUMNS, max_rows=FACILITY_IMPORT_MAX_ROWS, required=("name", "kind"))
    scope = scope_of(actor)
    places = [p for p in places_visible_to(actor, *FACILITY_PLACE_KINDS)[:20000]
              if actor is None or scope.covers_path(p.path)]
    existing = set(Facility.objects.filter(place__in=places).values_list("place_id", "name"))
    errors: dict[str, list[str]] = {}
    planned: list[dict[str, Any]] = []
    seen: dict[tuple[int, str], int] = {}
    for n, row in rows:
        problems: list[str] = []
        place, why = _facility_place(row, places)
        if place is None:
            problems.append(f"{FIELD_LABELS['place']}：{why}")
        values = None
        try:
            values = _facility_values(kind=facility_kind_of(row.get("kind")), name=str(row.get("name") or ""),
                                      place=place, lon=row.get("lon"), lat=row.get("lat"),
                                      address=str(row.get("address") or ""), hours=str(row.get("hours") or ""))
        except Invalid as exc:  # every cell's error at once (the place's was said above)
            problems += [f"{FIELD_LABELS.get(f, f)}：{m}" for f, ms in exc.fields.items() if f != "place" for m in ms]
        if values is not None:
            key = (values["place"].pk, values["name"])
            if key in existing:
                problems.append(_("already on the map"))
            elif key in seen:
                problems.append(_("the same as row %(n)s") % {"n": seen[key]})
            seen.setdefault(key, n)
            planned.append(values)
        if problems:
            errors[_("Row %(n)s") % {"n": n}] = problems
    if errors:
        raise Invalid(_("Some rows are not valid; nothing was imported."), fields=errors)
    with transaction.atomic():
        made = Facility.objects.bulk_create([Facility(**values) for values in planned], batch_size=500)
        audit_record_many(action="iot.facility_create", actor=actor, targets=[
            (f, {"kind": f.kind, "place_path": f.place_path, "imported": True}) for f in made])
    return {"created": len(made)}


def facility_update(*, facility: Facility, actor: Any, **fields: Any) -> Facility:
    """Change a facility (the fields of ``facility_create``); the actor manages where it was and where it
    goes. The audit row names the fields that changed."""
    require(actor, PERM_MANAGE, facility.place_path)
    values = _facility_values(**fields)
    require(actor, PERM_MANAGE, values["place_path"])
    with transaction.atomic():
        locked = Facility.objects.select_for_update().get(pk=facility.pk)
        changed = sorted(f for f, v in values.items() if f != "place" and getattr(locked, f) != v)
        for field, value in values.items():
            setattr(locked, field, value)
        locked.save()
        audit_record(action="iot.facility_update", actor=actor, target=locked, detail={"changed": changed})
    return locked


def facility_delete(*, facility: Facility, actor: Any) -> None:
    """Take a facility off the map (it closed or moved away): the row goes, the audit row keeps its name,
    kind and place."""
    require(actor, PERM_MANAGE, facility.place_path)
    with transaction.atomic():
        audit_record(action="iot.facility_delete", actor=actor, target=facility,
                     detail={"kind": facility.kind, "place_path": facility.place_path})
        Facility.objects.filter(pk=facility.pk).delete()
