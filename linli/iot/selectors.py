"""Reads of smart monitoring, scoped to the user: devices, readings, alarms, facilities; and the map's
layers (GeoJSON of devices, live alarms and facilities)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from linli.iot.models import (
    Alarm,
    AlarmEvent,
    AlarmRule,
    Device,
    DeviceKind,
    Facility,
    Reading,
    ReadingRollup,
)
from linli.iot.workflow import OPEN_STATUSES, AlarmStatus

if TYPE_CHECKING:
    from linli.core.rawsql import Read

# The lists below are querysets, paged by the one pager (core.ui.page_rows on pages, core.api.paged in the API).
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200  # the one keyset pager's bound (linli.core.batches.keyset_page)


def device_list(user: Any, *, kind: str = "", place_path: str = "", q: str = "") -> QuerySet[Device]:
    qs = Device.objects.visible_to(user).select_related("place")
    if kind:
        qs = qs.filter(kind=kind)
    if place_path:
        qs = qs.filter(place_path__startswith=place_path)
    if q:
        qs = qs.filter(Q(code__icontains=q[:32]) | Q(name__icontains=q[:50]))
    return qs


def rule_list(user: Any, *, device_kind: str = "", kind: str = "", active: bool | None = None) -> QuerySet[AlarmRule]:
    """The alarm rules that apply to the user's places (theirs, their street's, everywhere's); paged oldest first."""
    qs = AlarmRule.objects.visible_to(user).select_related("device", "place")
    if device_kind:
        qs = qs.filter(device_kind=device_kind)
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def facility_list(user: Any, *, kind: str = "", place_path: str = "", q: str = "") -> QuerySet[Facility]:
    """The 15-minute circle's facilities under the user's places, by kind, place and name; paged oldest first."""
    qs = Facility.objects.visible_to(user).select_related("place")
    if kind:
        qs = qs.filter(kind=kind)
    if place_path:
        qs = qs.filter(place_path__startswith=place_path)
    if q:
        qs = qs.filter(Q(name__icontains=q[:50]) | Q(address__icontains=q[:50]))
    return qs


def facility_counts(user: Any, *, place_path: str = "") -> dict[str, int]:
    qs = Facility.objects.visible_to(user)
    if place_path:
        qs = qs.filter(place_path__startswith=place_path)
    return dict(qs.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))


def device_readings(device: Device) -> QuerySet[Reading]:
    return Reading.objects.filter(device=device)


def device_series(device: Device, *, hours: int = 24, now: datetime | None = None) -> list[tuple[str, float]]:
    """The chart's series: the raw readings of the last ``hours`` (at most 2,000, thinned evenly), else the
    hourly means."""
    now = now or timezone.now()
    start = now - timedelta(hours=hours)
    qs = Reading.objects.filter(device=device, at__gte=start).order_by("at")
    n = qs.count()
    if n:
        step = max(1, n // 2000)
        rows = list(qs.values_list("at", "value"))[::step]
        return [(timezone.localtime(at).isoformat(), value) for at, value in rows]
    rollups = ReadingRollup.objects.filter(device=device, hour__gte=start).order_by("hour")
    return [(timezone.localtime(r.hour).isoformat(), r.vsum / r.n) for r in rollups if r.n]


def alarm_list(user: Any, *, status: str = "open", place_path: str = "") -> QuerySet[Alarm]:
    qs = Alarm.objects.visible_to(user).select_related("device", "rule", "case")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in AlarmStatus.values:
        qs = qs.filter(status=status)
    if place_path:
        qs = qs.filter(place_path__startswith=place_path)
    return qs


def alarm_timeline(alarm: Alarm) -> list[AlarmEvent]:
    return list(alarm.events.select_related("actor").order_by("at", "id")[:200])


def alarm_counts(user: Any, *, place_path: str = "") -> dict[str, int]:
    qs = Alarm.objects.visible_to(user).filter(status__in=OPEN_STATUSES)
    if place_path:
        qs = qs.filter(place_path__startswith=place_path)
    rows = qs.values("status").annotate(n=Count("id"), urgent=Count("id", filter=Q(emergency=True))).order_by()
    counts = {r["status"]: r["n"] for r in rows}
    return {"raised": counts.get(AlarmStatus.RAISED, 0), "acknowledged": counts.get(AlarmStatus.ACKNOWLEDGED, 0),
            "emergency": sum(r["urgent"] for r in rows)}


def device_counts(user: Any, *, place_path: str = "", offline_minutes: int = 10) -> dict[str, Any]:
    """Devices by kind, with how many are online (seen within ``offline_minutes``)."""
    qs = Device.objects.visible_to(user).filter(active=True)
    if place_path:
        qs = qs.filter(place_path__startswith=place_path)
    cutoff = timezone.now() - timedelta(minutes=offline_minutes)
    rows = qs.values("kind").annotate(n=Count("id"), online=Count("id", filter=Q(last_seen_at__gte=cutoff)))
    return {r["kind"]: {"n": r["n"], "online": r["online"]} for r in rows}



def screen_iot(user: Any, *, place_path: str, limit: int = 20, offline_minutes: int = 10) -> tuple[Read, Read]:
    """For the big screens (linli/dashboards): the active devices under ``place_path`` by kind with how many
    are online (a one-row read), and the open alarms counted (raised, acknowledged, emergency) with the
    newest ``limit`` of them (a listing): what ``device_counts`` and ``alarm_counts`` give, as reads the
    screen sends in one statement with the other apps' figures (``rawsql.read_together``; the screens ask
    every 30 s). The reader's scope covers the place (the screens check); anyone else gets nothing."""
    from linli.core.access import scope_of
    from linli.core.rawsql import Read, dt_param, dt_value, literals, under

    if not scope_of(user).covers_path(place_path):
        return Read.constant({}), Read.constant({"raised": 0, "acknowledged": 0, "emergency": 0, "recent": []})
    path_sql, path_params = under("place_path", place_path)
    kinds = [str(k) for k in sorted(DeviceKind.values)]
    online = dt_param(timezone.now() - timedelta(minutes=offline_minutes))
    devices = Read(
        "SELECT " + ", ".join(f"SUM(CASE WHEN kind = {literals([k])} THEN 1 ELSE 0 END), "  # noqa: S608
                              f"SUM(CASE WHEN kind = {literals([k])} AND last_seen_at >= %s THEN 1 ELSE 0 END)"
                              for k in kinds)
        + f" FROM iot_device WHERE active = %s AND {path_sql}", [*([online] * len(kinds)), True, *path_params],
        2 * len(kinds), lambda row: {k: {"n": int(row[2 * i]), "online": int(row[2 * i + 1] or 0)}
                                     for i, k in enumerate(kinds) if row[2 * i]})

    def alarms(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
        rows = sorted(rows, key=lambda r: (dt_value(r[4]), r[0]), reverse=True)  # newest first
        recent = [{"id": pk, "name": rule, "device": device, "location": location, "status": status,
                   "status_label": str(AlarmStatus(status).label), "emergency": bool(emergency), "value": value,
                   "unit": unit, "raised_at": timezone.localtime(dt_value(raised_at)).strftime("%m-%d %H:%M")}
                  for pk, status, emergency, value, raised_at, rule, device, location, unit, *_counts in rows]
        raised, acknowledged, emergency = (int(v or 0) for v in rows[0][-3:]) if rows else (0, 0, 0)
        return {"raised": raised, "acknowledged": acknowledged, "emergency": emergency, "recent": recent}

    path_sql, path_params = under("a.place_path", place_path)
    return devices, Read(
        "SELECT a.id, a.status, a.emergency, a.value, a.raised_at, r.name, d.name, d.location, d.unit, "  # noqa: S608
        "SUM(CASE WHEN a.status = 'raised' THEN 1 ELSE 0 END) OVER (), "
        "SUM(CASE WHEN a.status = 'acknowledged' THEN 1 ELSE 0 END) OVER (), "
        "SUM(CASE WHEN a.emergency THEN 1 ELSE 0 END) OVER () "
        "FROM iot_alarm a JOIN iot_device d ON d.id = a.device_id JOIN iot_alarmrule r ON r.id = a.rule_id "
        f"WHERE a.status IN ({literals([AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED])}) AND {path_sql} "
        "ORDER BY a.raised_at DESC, a.id DESC LIMIT %s", [*path_params, limit], 12, alarms)

# --- the map's layers ---------------------------------------------------------------------------------------

MAP_LIMIT = 5000


def _point(lon: float | None, lat: float | None) -> dict[str, Any] | None:
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def devices_geojson(user: Any, *, place_path: str, offline_minutes: int = 10) -> dict[str, Any]:
    cutoff = timezone.now() - timedelta(minutes=offline_minutes)
    alarmed = set(Alarm.objects.visible_to(user).filter(status__in=OPEN_STATUSES, place_path__startswith=place_path)
                  .values_list("device_id", flat=True))
    rows = (Device.objects.visible_to(user).filter(place_path__startswith=place_path, active=True, lon__isnull=False)
            .values("id", "code", "name", "kind", "lon", "lat", "last_value", "unit", "last_seen_at", "location")[:MAP_LIMIT])
    features = []
    for r in rows:
        features.append({"type": "Feature", "geometry": _point(r["lon"], r["lat"]), "properties": {
            "id": r["id"], "code": r["code"], "name": r["name"], "kind": r["kind"], "value": r["last_value"],
            "unit": r["unit"], "location": r["location"],
            "online": bool(r["last_seen_at"] and r["last_seen_at"] >= cutoff), "alarm": r["id"] in alarmed}})
    return {"type": "FeatureCollection", "features": features}


def alarms_geojson(user: Any, *, place_path: str) -> dict[str, Any]:
    rows = (Alarm.objects.visible_to(user).filter(status__in=OPEN_STATUSES, place_path__startswith=place_path)
            .select_related("device", "rule").order_by("-raised_at")[:MAP_LIMIT])
    features = []
    for a in rows:
        features.append({"type": "Feature", "geometry": _point(a.device.lon, a.device.lat), "properties": {
            "id": a.pk, "name": a.rule.name, "device": a.device.name, "code": a.device.code, "status": a.status,
            "emergency": a.emergency, "value": a.value, "unit": a.device.unit, "case_id": a.case_id,
            "raised_at": timezone.localtime(a.raised_at).strftime("%m-%d %H:%M:%S"),
            "recovered": a.recovered_at is not None}})
    return {"type": "FeatureCollection", "features": [f for f in features if f["geometry"]]}


def facilities_geojson(user: Any, *, place_path: str) -> dict[str, Any]:
    rows = Facility.objects.visible_to(user).filter(place_path__startswith=place_path)[:MAP_LIMIT]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _point(f.lon, f.lat), "properties": {
            "id": f.pk, "name": f.name, "kind": f.kind, "kind_label": str(f.get_kind_display()), "address": f.address,
            "hours": f.hours}} for f in rows]}


def alarms_by_month(*, place_path: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """For the monthly report: the alarms raised in [start, end) under ``place_path`` (unscoped: the
    report's caller checked the scope)."""
    rows = (Alarm.objects.filter(place_path__startswith=place_path, raised_at__gte=start, raised_at__lt=end)
            .select_related("device", "rule", "case").order_by("raised_at")[:5000])
    return [{"raised_at": timezone.localtime(a.raised_at), "rule": a.rule.name, "device": a.device.code,
             "device_name": a.device.name, "kind": a.device.get_kind_display(), "status": a.get_status_display(),
             "case": a.case.number if a.case is not None else "", "cleared_at": timezone.localtime(a.cleared_at) if a.cleared_at else None}
            for a in rows]
