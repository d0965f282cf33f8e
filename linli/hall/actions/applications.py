"""Applications (办件): ``application_submit`` (a resident online, or staff registering a walk-in) and one
door per row of ``workflow.APPLICATION_TRANSITIONS`` through the one runner. The applicant is told at
every step; the promised deadline (working days, ``linli.core.workdays``) starts when the hall accepts.

``actor=None`` is the system (the demo, commands): no scope or role check.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import users_over
from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied
from linli.core.workdays import add_working_days
from linli.core.workflow import Apply, Outcome, Spec, event_write, run
from linli.hall.actions._common import (
    clean_text,
    community_of,
    home_place,
    notify,
    place_by_id,
)
from linli.hall.actions.catalog import materials_parse
from linli.hall.workflow import (
    APPLICATION_TRANSITIONS,
    PERM_APPLY,
    PERM_HANDLE,
    Channel,
    Satisfaction,
)
from linli.residents.selectors import person_get


def _desk(app: Any) -> list[int]:
    return users_over(app.place_path, PERM_HANDLE)


def _told(app: Any) -> str:
    return _("Your application #%(id)s (%(service)s): %(status)s") % {
        "id": app.pk,
        "service": app.service.name,
        "status": app.get_status_display(),
    }


def application_submit(
    *,
    actor: Any,
    service: Any,
    details: str = "",
    address: str = "",
    person: Any = None,
    applicant_name: str = "",
    place: Any = None,
    walk_in: bool = False,
):
    """A resident applies online (``hall.apply``), or staff (``hall.handle``) register a walk-in for a
    resident of their area, naming them and the place (``walk_in=True``)."""
    from linli.hall.models import Application, ServiceItem

    perms = getattr(actor, "perms", frozenset()) if actor is not None else frozenset({PERM_APPLY, PERM_HANDLE})
    if walk_in and PERM_HANDLE not in perms:
        raise PermissionDenied(_("Only hall staff register walk-in applications."))
    if not walk_in and PERM_APPLY not in perms:
        raise PermissionDenied(_("You may not apply for services."))
    if not isinstance(service, ServiceItem):
        offered = ServiceItem.objects.filter(active=True)
        visible = offered.visible_to(actor) if actor is not None else offered
        service = visible.filter(pk=service).first() if str(service or "").isdigit() else None
    errors: dict[str, list[str]] = {}
    if service is None or not service.active:
        errors["service"] = [_("Choose a service.")]
    details = clean_text(details, limit=2000)
    address = clean_text(address, limit=200)
    if person is not None:
        person = person_get(person)
        if person is None:
            errors["person"] = [_("Not found.")]
    if errors:
        raise Invalid(_("Please check the application."), fields=errors)
    if walk_in:
        where = place_by_id(place) if place not in (None, "") else (person.place if person is not None else None)
        if where is None:
            raise Invalid(_("Where does the applicant live? Choose the place."), fields={"place": [_("This field is required.")]})
        if actor is not None and not actor.scope.covers_path(where.path):
            raise Invalid(_("This place is outside your area."), fields={"place": [_("Not found.")]})
        name = clean_text(applicant_name, limit=64) or (person.name if person is not None else "")
        if not name:
            raise Invalid(_("Name the applicant."), fields={"applicant_name": [_("This field is required.")]})
        applicant = None
    else:
        where, found = home_place(actor) if actor is not None else (place_by_id(place), person)
        person = person or found
        if where is None:
            raise Invalid(_("Your account is not linked to a place; please apply at the window."), fields={})
        name = (person.name if person is not None else "") or getattr(actor, "display_name", "") or str(actor)
        applicant = actor if getattr(actor, "is_authenticated", False) else None
    if not address and person is not None:
        address = person.current_address or ""
    now = timezone.now()
    with transaction.atomic():
        app = Application.objects.create(
            service=service,
            applicant=applicant,
            person=person,
            applicant_name=name[:64],
            address=address,
            details=details,
            place=where,
            place_path=where.path,
            community=community_of(where),
            channel=Channel.WALK_IN if walk_in else Channel.ONLINE,
            registered_by=actor if walk_in and getattr(actor, "is_authenticated", False) else None,
            submitted_at=now,
        )
        event_write(_spec(), app, kind="submit", actor=actor, at=now, to_status=app.status,
                    data={"channel": app.channel})
        audit_record(action="hall.application_submit", actor=actor, actor_name="" if actor else "system",
                     target=app, detail={"service": service.pk, "channel": app.channel})
        notify(ref=f"hall.application:{app.pk}", kind="submit", user_ids=_desk(app),
               text=_("New application #%(id)s: %(service)s") % {"id": app.pk, "service": service.name},
               exclude=getattr(actor, "pk", None), url=reverse("hall:application", args=[app.pk]))
    return app


# --- the transitions ---------------------------------------------------------------------------------------


def _apply_accept(app: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    app.accepted_at = now
    app.missing = []
    app.due_on = add_working_days(timezone.localdate(now), app.service.promised_days)
    out = Outcome(note=clean_text(data.get("note")), data={"due_on": app.due_on.isoformat()})
    out.notify.append(("accept", [app.applicant_id], _told(app) + " " + _("Promised by %(day)s.") % {"day": app.due_on}))
    return out


def _apply_request_materials(app: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    missing = materials_parse(data.get("missing"))
    if not missing:
        raise Invalid(_("List the missing materials."), fields={"missing": [_("This field is required.")]})
    app.missing = missing
    out = Outcome(note=clean_text(data.get("note")), data={"missing": missing})
    out.notify.append(("missing", [app.applicant_id], _("Application #%(id)s: please bring %(list)s") % {
        "id": app.pk, "list": "、".join(missing)}))
    return out


def _apply_resubmit(app: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = Outcome(note=clean_text(data.get("note")), data={"supplied": list(app.missing)})
    app.missing = []
    out.notify.append(("resubmit", _desk(app), _("Application #%(id)s: the materials were supplied.") % {"id": app.pk}))
    return out


def _apply_start_agency(app: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    office = clean_text(data.get("office"), limit=80)
    app.agency_office = office
    out = Outcome(note=clean_text(data.get("note")), data={"office": office})
    out.notify.append(("agency", [app.applicant_id], _("Application #%(id)s went to %(office)s on your behalf.") % {
        "id": app.pk, "office": office}))
    return out


def _apply_agency_step(app: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    note = clean_text(data.get("note"))
    office = clean_text(data.get("office"), limit=80)
    if office:
        app.agency_office = office
    out = Outcome(note=note, data={"office": app.agency_office})
    out.notify.append(("agency_step", [app.applicant_id], _("Application #%(id)s: %(note)s") % {"id": app.pk, "note": note}))
    return out


def _apply_complete(app: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    from linli.hall.actions.certificates import certificate_issue

    app.done_at = now
    late = bool(app.due_on and timezone.localdate(now) > app.due_on)
    out = Outcome(note=clean_text(data.get("note")), data={"late": late})
    purpose = clean_text(data.get("purpose"), limit=200) or app.details[:200]
    if app.service.certificate:
        if app.community_id is None:
            raise Invalid(_("The applicant's place is not in a community; no certificate can be numbered."), fields={})

        def issue(done: Any) -> None:
            cert = certificate_issue(application=done, actor=actor, purpose=purpose, now=now)
            out.data["certificate"] = cert.number

        out.after.append(issue)
        text = _("Application #%(id)s is done: your certificate is ready to download. Please rate the service.")
    else:
        text = _("Application #%(id)s is done. Please rate the service.")
    out.notify.append(("done", [app.applicant_id], text % {"id": app.pk}))
    return out


def _apply_refuse(app: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    reason = clean_text(data.get("reason"))
    app.refused_reason = reason
    app.closed_at = now
    out = Outcome(note=reason, data={"reason": reason})
    out.notify.append(("refuse", [app.applicant_id], _("Application #%(id)s was refused: %(reason)s") % {
        "id": app.pk, "reason": reason}))
    return out


def _apply_withdraw(app: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    app.closed_at = now
    out = Outcome(note=clean_text(data.get("reason")))
    out.notify.append(("withdraw", _desk(app), _("Application #%(id)s was withdrawn.") % {"id": app.pk}))
    return out


def _apply_rate(app: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    satisfaction = data.get("satisfaction")
    if satisfaction not in Satisfaction.values:
        raise Invalid(_("Choose how satisfied you are."), fields={"satisfaction": [_("Choose one.")]})
    app.satisfaction = satisfaction
    app.rating_comment = clean_text(data.get("comment"))
    app.rated_at = now
    app.closed_at = now
    out = Outcome(note=app.rating_comment, data={"satisfaction": satisfaction})
    if satisfaction == Satisfaction.UNSATISFIED:
        out.notify.append(("unsatisfied", _desk(app), _("Application #%(id)s was rated not satisfied.") % {"id": app.pk}))
    return out


APPLY: dict[str, Apply] = {
    "accept": _apply_accept,
    "request_materials": _apply_request_materials,
    "resubmit": _apply_resubmit,
    "start_agency": _apply_start_agency,
    "agency_step": _apply_agency_step,
    "complete": _apply_complete,
    "refuse": _apply_refuse,
    "withdraw": _apply_withdraw,
    "rate": _apply_rate,
}


def _spec() -> Spec:
    from linli.hall.models import Application, ApplicationEvent

    return Spec(
        model=Application,
        event_model=ApplicationEvent,
        event_fk="application",
        table=APPLICATION_TRANSITIONS,
        apply=APPLY,
        audit_prefix="hall.application",
        noun=_("application"),
        related=("service",),
        url=lambda a: reverse("hall:application", args=[a.pk]),
    )


def application_transition(*, application: Any, name: str, actor: Any, data: dict[str, Any] | None = None):
    """The one door (pages, API, demo): run transition ``name`` on ``application``."""
    return run(_spec(), obj=application, name=name, actor=actor, data=data)
