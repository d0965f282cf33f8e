"""Smart monitoring API (/api/v1/iot/).

- ``POST /iot/readings``: a device sends its readings with its own token (``Authorization: Bearer lld_…``):
  one reading ``{"value": 12.5, "unit": "%LEL", "time": "…"}`` or a batch ``{"readings": [...]}`` (at most
  1,000). A revoked or unknown token is refused (401); a bad reading refuses the whole batch (422) and
  stores nothing.
- Devices (staff): list (keyset paged), one, its readings, register (the token is shown once), a new
  token, revoke the token, maintenance.
- Alarms (staff): list (open by default; keyset paged), one, acknowledge, clear (409 while the condition
  still holds).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer

from linli.core.api import page_of, paged
from linli.core.errors import Invalid, PermissionDenied
from linli.core.workflow_api import action_routes
from linli.iot import actions, selectors
from linli.iot.access import access_alarm, access_device, can_view_iot
from linli.iot.actions.ingest import MAX_BATCH, ReadingIn
from linli.iot.workflow import TRANSITIONS

router = Router(tags=["iot"])


class DeviceAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        device = actions.device_authenticate(token)
        if device is not None:
            request.device = device  # type: ignore[attr-defined]
        return device


class ReadingSchema(Schema):
    value: float
    unit: str = Field("", max_length=16)
    time: str | float | None = Field(None, description="ISO 8601 or Unix seconds; default now")


class ReadingsIn(Schema):
    readings: list[ReadingSchema] = Field(..., max_length=MAX_BATCH)


class ReadingsOut(Schema):
    stored: int
    alarms_raised: list[int]


@router.post("/readings", auth=DeviceAuth(), response={201: ReadingsOut}, summary="Readings from a device (its token)",
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"oneOf": [
                 {"$ref": "#/components/schemas/ReadingSchema"}, {"$ref": "#/components/schemas/ReadingsIn"}]}}}}})
def readings_post(request):
    device = request.auth
    try:
        body = orjson.loads(request.body or b"null")
    except orjson.JSONDecodeError as exc:
        raise Invalid(_("The body is not JSON."), fields={"__all__": [_("Send JSON.")]}) from exc
    items = body.get("readings") if isinstance(body, dict) and "readings" in body else [body]
    if not isinstance(items, list) or not items:
        raise Invalid(_("Send a reading or a list of readings."), fields={"readings": [_("This field is required.")]})
    if len(items) > MAX_BATCH:
        raise Invalid(_("At most %(n)s readings at once.") % {"n": MAX_BATCH}, fields={"readings": [_("Too many.")]})
    parsed = []
    for n, item in enumerate(items):
        try:
            value, unit, at = actions.reading_parse(item)
        except Invalid as exc:
            fields = {f"readings.{n}.{k}": v for k, v in exc.fields.items()} if len(items) > 1 else exc.fields
            raise Invalid(exc.message, fields=fields) from exc
        parsed.append(ReadingIn(device.pk, value, unit or device.unit, at))
    result = actions.readings_ingest(parsed)
    return Status(201, {"stored": result.stored, "alarms_raised": result.raised})


# --- devices ------------------------------------------------------------------------------------------------


class DeviceOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    place_id: int
    place_name: str
    location: str
    lon: float | None
    lat: float | None
    unit: str
    last_value: float | None
    last_at: datetime | None
    last_seen_at: datetime | None
    maintenance_until: datetime | None
    token_prefix: str
    token_revoked: bool


DevicePageOut = page_of(DeviceOut)


class DeviceRegisterIn(Schema):
    code: str = Field(..., max_length=32)
    kind: str = Field(..., max_length=16)
    name: str = Field(..., max_length=100)
    place: int
    location: str = Field("", max_length=100)
    lon: float | None = None
    lat: float | None = None
    unit: str = Field("", max_length=16)


class DeviceTokenOut(Schema):
    device: DeviceOut
    token: str = Field(..., description="Shown this once; only its hash is kept")


class MaintenanceIn(Schema):
    until: datetime | None = None


def _device_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk, "code": d.code, "kind": d.kind, "name": d.name, "place_id": d.place_id,
        "place_name": d.place.name if d.place_id else "", "location": d.location, "lon": d.lon, "lat": d.lat,
        "unit": d.unit, "last_value": d.last_value, "last_at": d.last_at, "last_seen_at": d.last_seen_at,
        "maintenance_until": d.maintenance_until, "token_prefix": d.token_prefix,
        "token_revoked": d.token_revoked_at is not None,
    }


def _viewer(request) -> Any:
    return _viewer_user(request.auth)


def _viewer_user(user: Any) -> Any:
    if not can_view_iot(user):
        raise PermissionDenied(_("You may not see the devices."))
    return user


class DeviceFilters(Schema):
    kind: str = Field("", max_length=16)
    q: str = Field("", max_length=50)
    after: int | None = None
    size: int = Field(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)


@router.get("/devices", response=DevicePageOut, summary="Devices I may see (keyset paging: pass next_after)")
def device_list(request, filters: Query[DeviceFilters]):
    qs = selectors.device_list(_viewer(request), kind=filters.kind, q=filters.q)
    return paged(qs, _device_out, after=filters.after, size=filters.size, max_size=selectors.MAX_PAGE_SIZE)


@router.post("/devices", response={201: DeviceTokenOut}, summary="Register a device (its token is shown once)")
def device_register(request, payload: DeviceRegisterIn):
    device, token = actions.device_register(actor=request.auth, **payload.dict())
    return Status(201, {"device": _device_out(device), "token": token})


@router.get("/devices/{device_id}", response=DeviceOut, summary="One device")
def device_detail(request, device_id: int):
    return _device_out(access_device(_viewer(request), device_id))


class ReadingOut(Schema):
    id: int
    at: datetime
    value: float
    unit: str


ReadingPageOut = page_of(ReadingOut)


@router.get("/devices/{device_id}/readings", response=ReadingPageOut, summary="A device's readings, newest first")
def device_readings(request, device_id: int, after: int | None = None,
                    size: int = Query(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)):
    device = access_device(_viewer(request), device_id)
    return paged(selectors.device_readings(device), lambda r: {"id": r.pk, "at": r.at, "value": r.value, "unit": r.unit},
                 after=after, size=size, max_size=selectors.MAX_PAGE_SIZE)


@router.post("/devices/{device_id}/token", response=DeviceTokenOut, summary="A new token (the old one stops working)")
def device_token_issue(request, device_id: int):
    device, token = actions.device_token_issue(device=access_device(_viewer(request), device_id), actor=request.auth)
    return {"device": _device_out(device), "token": token}


@router.post("/devices/{device_id}/token/revoke", response=DeviceOut, summary="Revoke the device's token")
def device_token_revoke(request, device_id: int):
    device = actions.device_token_revoke(device=access_device(_viewer(request), device_id), actor=request.auth)
    return _device_out(device)


@router.post("/devices/{device_id}/maintenance", response=DeviceOut, summary="Maintenance until (null ends it)")
def device_maintenance(request, device_id: int, payload: MaintenanceIn):
    device = actions.device_maintenance(device=access_device(_viewer(request), device_id), actor=request.auth,
                                        until=payload.until)
    return _device_out(device)


# --- alarms -------------------------------------------------------------------------------------------------


class AlarmOut(Schema):
    id: int
    status: str
    device_id: int
    device_code: str
    rule: str
    emergency: bool
    raised_at: datetime
    since: datetime
    value: float | None
    peak: float | None
    readings: int
    recovered_at: datetime | None
    case_id: int | None
    case_number: str
    actions: list[str]


AlarmPageOut = page_of(AlarmOut)


class AlarmActionIn(Schema):
    note: str = Field("", max_length=500)


def _alarm_out(a: Any, user: Any) -> dict[str, Any]:
    from linli.iot.workflow import available_actions

    return {
        "id": a.pk, "status": a.status, "device_id": a.device_id, "device_code": a.device.code, "rule": a.rule.name,
        "emergency": a.emergency, "raised_at": a.raised_at, "since": a.since, "value": a.value, "peak": a.peak,
        "readings": a.readings, "recovered_at": a.recovered_at, "case_id": a.case_id,
        "case_number": a.case.number if a.case_id and a.case else "",
        "actions": [t.name for t in available_actions(a, user)],
    }


@router.get("/alarms", response=AlarmPageOut, summary="Alarms I may see (status=open|raised|acknowledged|cleared|all)")
def alarm_list(request, status: str = Query("open", max_length=16), after: int | None = None,
               size: int = Query(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)):
    user = _viewer(request)
    return paged(selectors.alarm_list(user, status=status), lambda a: _alarm_out(a, user), after=after, size=size,
                 max_size=selectors.MAX_PAGE_SIZE)


@router.get("/alarms/{alarm_id}", response=AlarmOut, summary="One alarm")
def alarm_detail(request, alarm_id: int):
    user = _viewer(request)
    return _alarm_out(access_alarm(user, alarm_id), user)


action_routes(  # clear: 409 while its condition still holds, unless the device is in maintenance
    router, TRANSITIONS, name="alarm", path="/alarms/{alarm_id}", default=AlarmActionIn, response=AlarmOut,
    access=lambda user, pk: access_alarm(_viewer_user(user), pk),
    act=lambda actor, alarm, name, data: actions.alarm_transition(alarm=alarm, name=name, actor=actor, data=data),
    out=lambda alarm, user: _alarm_out(access_alarm(user, alarm.pk), user),
)
