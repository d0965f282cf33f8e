"""Pages that manage smart monitoring's data (``iot.manage``: community and street staff): the alarm
rules (list, create, edit, enable/disable) and the facilities of the 15-minute life circles (list by
place and kind, create, edit, take off the map). Every write goes through an action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError, Invalid
from linli.core.ui import form_errors, page_rows, perm_required
from linli.iot import actions, selectors
from linli.iot.access import access_facility, access_rule, can_edit_rule, manages_every_place
from linli.iot.forms import FacilityForm, RuleForm
from linli.iot.models import Device, DeviceKind, FacilityKind, RuleKind
from linli.iot.workflow import PERM_MANAGE

RULE_PLACE_KINDS = ("street", "community", "grid", "compound")
FACILITY_PLACE_KINDS = actions.devices.FACILITY_PLACE_KINDS


def _places(user: Any, kinds: tuple[str, ...]) -> list[Any]:
    """The places of these kinds the user manages (their scope and below, not the ancestors)."""
    from linli.places.selectors import places_visible_to

    rows = places_visible_to(user, *kinds).order_by("path")[:500]
    return [p for p in rows if user.scope.covers_path(p.path)]


def _place_choices(places: list[Any]) -> list[tuple[str, str]]:
    return [(str(p.pk), f"{p.name}（{p.get_kind_display()}）") for p in places]


# --- alarm rules -------------------------------------------------------------------------------------------


@perm_required(PERM_MANAGE)
def rule_list(request: HttpRequest) -> HttpResponse:
    device_kind = request.GET.get("device_kind", "")
    device_kind = device_kind if device_kind in DeviceKind.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in RuleKind.values else ""
    state = request.GET.get("state", "")
    active = {"on": True, "off": False}.get(state)
    rules = selectors.rule_list(request.user, device_kind=device_kind, kind=kind, active=active)
    page = page_rows(request, rules, ascending=True)
    return render(request, "iot/rule_list.html", {
        **page, "rules": [(rule, can_edit_rule(request.user, rule)) for rule in page["rows"]], "device_kind": device_kind, "kind": kind, "state": state,
        "device_kinds": DeviceKind.choices, "kinds": RuleKind.choices,
    })


def _rule_initial(rule: Any) -> dict[str, Any]:
    return {
        "name": rule.name, "kind": rule.kind, "device_kind": "" if rule.device_id else rule.device_kind,
        "device": rule.device.code if rule.device_id else "", "place": str(rule.place_id or ""),
        "operator": rule.operator, "threshold": "" if rule.threshold is None else f"{rule.threshold:g}",
        "duration_s": rule.duration_s, "offline_minutes": rule.offline_minutes or "",
        "silence_from": rule.silence_from.strftime("%H:%M") if rule.silence_from else "",
        "silence_to": rule.silence_to.strftime("%H:%M") if rule.silence_to else "",
        "emergency": rule.emergency, "category_code": rule.category_code,
    }


@perm_required(PERM_MANAGE)
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = access_rule(request.user, pk) if pk else None
    if rule is not None and not can_edit_rule(request.user, rule):
        raise Http404
    initial = _rule_initial(rule) if rule is not None else {"duration_s": 0, "device": request.GET.get("device", "")[:32]}
    form = RuleForm(request.POST or None, initial=initial)
    everywhere = [("", _("Every place"))] if manages_every_place(request.user) else []
    form.fields["place"].choices = everywhere + _place_choices(_places(request.user, RULE_PLACE_KINDS))  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = data.pop("device", "").strip()
        device: Any = None
        if code:
            device = Device.objects.visible_to(request.user).filter(code=code).first()
            if device is None:
                form.add_error("device", _("No device of your places has this code."))
        if form.is_valid():
            try:
                if rule is None:
                    rule = actions.rule_create(actor=request.user, device=device, **data)
                else:
                    rule = actions.rule_update(rule=rule, actor=request.user, device=device, **data)
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Rule saved: %(name)s.") % {"name": rule.name})
                return redirect("iot:rules")
    return render(request, "iot/rule_form.html", {"form": form, "rule": rule})


@require_POST
@perm_required(PERM_MANAGE)
def rule_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    rule = access_rule(request.user, pk)
    if action not in ("enable", "disable") or not can_edit_rule(request.user, rule):
        raise Http404
    try:
        actions.rule_set_active(rule=rule, actor=request.user, active=action == "enable")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, (_("Rule enabled: %(name)s.") if rule.active else _("Rule disabled: %(name)s."))
                         % {"name": rule.name})
    return redirect("iot:rules")


# --- facilities --------------------------------------------------------------------------------------------


@perm_required(PERM_MANAGE)
def facility_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in FacilityKind.values else ""
    q = request.GET.get("q", "").strip()[:50]
    places = _places(request.user, ("street", "community"))
    place = next((p for p in places if str(p.pk) == request.GET.get("place", "")), None)
    facilities = selectors.facility_list(request.user, kind=kind, q=q, place_path=place.path if place else "")
    counts = selectors.facility_counts(request.user, place_path=place.path if place else "")
    return render(request, "iot/facility_list.html", {
        **page_rows(request, facilities, ascending=True), "kind": kind, "q": q, "kinds": FacilityKind.choices,
        "places": places, "place": place, "kind_counts": [(v, label, counts.get(v, 0)) for v, label in FacilityKind.choices],
    })


@perm_required(PERM_MANAGE)
def facility_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    facility = access_facility(request.user, pk) if pk else None
    if facility is not None and not request.user.scope.covers_path(facility.place_path):  # type: ignore[union-attr]
        raise Http404
    initial: dict[str, Any] = {}
    if facility is not None:
        initial = {f: getattr(facility, f) for f in ("kind", "name", "address", "lon", "lat", "hours")}
        initial["place"] = str(facility.place_id)
    form = FacilityForm(request.POST or None, initial=initial)
    form.fields["place"].choices = _place_choices(_places(request.user, FACILITY_PLACE_KINDS))  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            if facility is None:
                facility = actions.facility_create(actor=request.user, **form.cleaned_data)
            else:
                facility = actions.facility_update(facility=facility, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Facility saved: %(name)s.") % {"name": facility.name})
            return redirect("iot:facilities")
    return render(request, "iot/facility_form.html", {"form": form, "facility": facility})


@perm_required(PERM_MANAGE)
def facility_import(request: HttpRequest) -> HttpResponse:
    """Facilities from an Excel workbook (the template below): every row checked, errors per row, all or
    nothing (``actions.facilities_import``)."""
    errors: dict[str, Any] = {}
    message, status = "", 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise Invalid(_("Choose a workbook (.xlsx)."), fields={"file": [_("This field is required.")]})
            result = actions.facilities_import(actor=request.user, content=upload)
        except DomainError as exc:
            message, errors, status = str(exc.message), exc.fields, exc.status
        else:
            messages.success(request, _("%(n)s facilities put on the map.") % {"n": result["created"]})
            return redirect("iot:facilities")
    return render(request, "iot/facility_import.html", {"message": message, "errors": errors,
                                                       "max_rows": actions.devices.FACILITY_IMPORT_MAX_ROWS},
                  status=status)


@perm_required(PERM_MANAGE)
def facility_template(request: HttpRequest) -> HttpResponse:
    from django.utils.http import content_disposition_header

    from linli.iot.excel import facility_template_bytes, template_name

    response = HttpResponse(facility_template_bytes(_places(request.user, FACILITY_PLACE_KINDS)),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, template_name())
    return response


@require_POST
@perm_required(PERM_MANAGE)
def facility_delete(request: HttpRequest, pk: int) -> HttpResponse:
    facility = access_facility(request.user, pk)
    try:
        actions.facility_delete(facility=facility, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Facility removed from the map: %(name)s.") % {"name": facility.name})
    return redirect("iot:facilities")
