"""Pages of smart monitoring: the live alarms (refreshing themselves), one alarm with its timeline and
buttons, the devices (register, Excel import), one device with its readings chart, token and maintenance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.core.errors import DomainError
from linli.core.ui import page_rows
from linli.iot import actions, selectors
from linli.iot.access import access_alarm, access_device, can_manage_iot, can_view_iot
from linli.iot.models import DeviceKind, FacilityKind
from linli.iot.workflow import TRANSITIONS, AlarmStatus, available_actions


def viewer_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_view_iot(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@viewer_required
def alarm_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in ("open", "cleared", "all"):
        status = "open"
    page = page_rows(request, selectors.alarm_list(request.user, status=status))
    context = {**page, "status": status,
               "counts": selectors.alarm_counts(request.user)}
    template = "iot/partials/alarm_rows.html" if request.htmx else "iot/alarm_list.html"
    return render(request, template, context)


@viewer_required
def alarm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alarm = access_alarm(request.user, pk)
    from linli.core.people import name_actors

    events = name_actors(selectors.alarm_timeline(alarm), masked=False)  # kinds read through |event_label
    for e in events:
        e.to = AlarmStatus(e.to_status).label if e.to_status in AlarmStatus.values else ""
    return render(request, "iot/alarm_detail.html", {
        "alarm": alarm, "events": events, "transitions": available_actions(alarm, request.user),
    })


@viewer_required
@require_POST
def alarm_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alarm = access_alarm(request.user, pk)
    if action not in TRANSITIONS:
        raise PermissionDenied
    try:
        actions.alarm_transition(alarm=alarm, name=action, actor=request.user, data={"note": request.POST.get("note", "")})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": TRANSITIONS[action].label})
    return redirect("iot:alarm_detail", pk=alarm.pk)


@viewer_required
@require_http_methods(["GET", "POST"])
def device_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in DeviceKind.values:
        kind = ""
    q = request.GET.get("q", "")[:50]
    new_tokens: list[tuple[str, str]] = []
    form_errors: dict[str, Any] = {}
    if request.method == "POST":
        if not can_manage_iot(request.user):
            raise PermissionDenied
        try:
            if request.FILES.get("file"):
                result = actions.devices_import(actor=request.user, content=request.FILES["file"].read(),
                                                under=request.POST.get("under"))
                new_tokens = result["tokens"]
                messages.success(request, _("%(n)s devices registered.") % {"n": result["created"]})
            else:
                device, token = actions.device_register(
                    actor=request.user, code=request.POST.get("code", ""), kind=request.POST.get("kind", ""),
                    name=request.POST.get("name", ""), place=request.POST.get("place") or None,
                    location=request.POST.get("location", ""), lon=request.POST.get("lon"), lat=request.POST.get("lat"))
                new_tokens = [(device.code, token)]
                messages.success(request, _("Device %(code)s registered.") % {"code": device.code})
        except DomainError as exc:
            messages.error(request, str(exc.message))
            form_errors = exc.fields
    now = timezone.now()
    context = {
        **page_rows(request, selectors.device_list(request.user, kind=kind, q=q)), "kind": kind, "q": q, "kinds": DeviceKind.choices,
        "can_manage": can_manage_iot(request.user), "new_tokens": new_tokens, "form_errors": form_errors,
        "places": _device_places(request.user) if can_manage_iot(request.user) else [],
        "online_after": now - timedelta(minutes=10), "counts": selectors.device_counts(request.user),
    }
    return render(request, "iot/device_list.html", context)


def _device_places(user: Any) -> list[Any]:
    from linli.places.selectors import places_visible_to

    return list(places_visible_to(user).filter(kind__in=("compound", "building")).order_by("path")[:500])


@viewer_required
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = access_device(request.user, pk)
    readings = list(selectors.device_readings(device).order_by("-pk")[:20])  # the latest; the API pages them all
    alarms = list(device.alarms.select_related("rule").order_by("-raised_at")[:10])
    return render(request, "iot/device_detail.html", {
        "device": device, "readings": readings, "alarms": alarms, "series": selectors.device_series(device),
        "can_manage": can_manage_iot(request.user) and request.user.scope.covers_path(device.place_path),
        "new_token": request.session.pop(f"iot_token_{device.pk}", ""),
        "in_maintenance": device.maintenance_until is not None and device.maintenance_until > timezone.now(),
    })


@viewer_required
@require_POST
def device_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    device = access_device(request.user, pk)
    try:
        if action == "token":
            _device, token = actions.device_token_issue(device=device, actor=request.user)
            request.session[f"iot_token_{device.pk}"] = token
            messages.success(request, _("A new token was issued; the old one no longer works."))
        elif action == "revoke":
            actions.device_token_revoke(device=device, actor=request.user)
            messages.success(request, _("The token is revoked: the device's readings are refused."))
        elif action == "maintenance":
            hours = request.POST.get("hours", "")
            until = timezone.now() + timedelta(hours=int(hours)) if hours.isdigit() and 0 < int(hours) <= 720 else None
            actions.device_maintenance(device=device, actor=request.user, until=until)
            messages.success(request, _("Maintenance updated."))
        else:
            raise PermissionDenied
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("iot:device_detail", pk=device.pk)


FACILITY_KINDS = FacilityKind.choices
