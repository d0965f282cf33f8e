"""Hall API (/api/v1/hall): the catalog (search by Chinese or pinyin initials), applications (submit, list,
detail, one endpoint per transition of the table), certificates (revoke; the public check by code).
``status`` is never an input. Errors: 404 out of scope or missing, 403 not the actor's to do, 409 refused
transition or lost race, 422 invalid."""

# No ``from __future__ import annotations``: the per-transition endpoints are built in a loop and
# django-ninja reads their real annotations.

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from linli.core.workflow import available
from linli.hall import actions, selectors
from linli.hall.access import access_application, access_service
from linli.hall.models import Application, Certificate, ServiceItem
from linli.hall.workflow import APPLICATION_TRANSITIONS

router = Router(tags=["hall"])


class ServiceOut(Schema):
    id: int
    code: str
    name: str
    initials: str
    category: str
    materials: list[str]
    window: str
    promised_days: int
    agency: bool
    agency_office: str
    certificate: bool
    description: str


class ServicePageOut(Schema):
    items: list[ServiceOut]
    next_after: int | None


class CertificateOut(Schema):
    id: int
    number: str
    code: str
    issued_at: datetime.datetime
    revoked_at: datetime.datetime | None


class ApplicationOut(Schema):
    id: int
    service_id: int
    service: str
    applicant_name: str
    channel: str
    status: str
    details: str
    missing: list[str]
    agency_office: str
    refused_reason: str
    submitted_at: datetime.datetime
    due_on: datetime.date | None
    done_at: datetime.datetime | None
    satisfaction: str
    certificate: CertificateOut | None
    actions: list[str] = Field(description="the transitions I may start now")


class ApplicationPageOut(Schema):
    items: list[ApplicationOut]
    next_after: int | None


class ApplicationSubmitIn(Schema):
    service_id: int
    details: str = ""
    address: str = ""
    walk_in: bool = Field(False, description="staff registering an application at the window")
    applicant_name: str = ""
    place_id: int | None = None
    person_id: int | None = None


class HallTransitionIn(Schema):
    missing: list[str] | str | None = None
    note: str = ""
    office: str = ""
    purpose: str = ""
    reason: str = ""
    satisfaction: str = ""
    comment: str = ""


class RevokeIn(Schema):
    reason: str


class VerifyOut(Schema):
    genuine: bool
    revoked: bool
    issuer: str
    issued_at: datetime.datetime
    revoked_at: datetime.datetime | None
    number: str
    title: str


def service_out(s: ServiceItem) -> dict[str, Any]:
    return {f: getattr(s, f) for f in ServiceOut.model_fields}


def application_out(a: Application, user: Any) -> dict[str, Any]:
    cert: Certificate | None = getattr(a, "certificate", None) if hasattr(a, "certificate") else None
    return {
        **{f: getattr(a, f) for f in ("id", "service_id", "applicant_name", "channel", "status", "details", "missing",
                                        "agency_office", "refused_reason", "submitted_at", "due_on", "done_at",
                                        "satisfaction")},
        "service": a.service.name,
        "certificate": None if cert is None else {
            "id": cert.pk, "number": cert.number, "code": cert.code, "issued_at": cert.issued_at,
            "revoked_at": cert.revoked_at,
        },
        "actions": [t.name for t in available(APPLICATION_TRANSITIONS, a, user)],
    }


@router.get("/services", response=ServicePageOut, summary="The catalog: by name or pinyin initials")
def service_list(request, q: str = "", category: str = "", after: int | None = None, size: int = 50):
    qs = selectors.service_search(user=request.auth, q=q, category=category)
    page = selectors.keyset_page(qs, after=after, size=size, ascending=True)
    return {"items": [service_out(s) for s in page.items], "next_after": page.next_after}


@router.get("/services/{int:service_id}", response=ServiceOut, summary="A service with what to bring")
def service_get(request, service_id: int):
    return service_out(access_service(request.auth, service_id))


@router.post("/applications", response={201: ApplicationOut}, summary="Apply (or register a walk-in)")
def application_create(request, payload: ApplicationSubmitIn):
    app = actions.application_submit(
        actor=request.auth, service=payload.service_id, details=payload.details, address=payload.address,
        walk_in=payload.walk_in, applicant_name=payload.applicant_name, place=payload.place_id,
        person=payload.person_id,
    )
    return Status(201, application_out(access_application(request.auth, app.pk), request.auth))


@router.get("/applications", response=ApplicationPageOut, summary="Applications I may see, newest first")
def application_list(request, mine: bool = False, status: str = "", overdue: bool = False,
                     after: int | None = None, size: int = 30):
    page = selectors.application_list(user=request.auth, mine=mine, status=status, overdue=overdue, after=after,
                                      size=size)
    ids = [a.pk for a in page.items]
    rows = {a.pk: a for a in Application.objects.filter(pk__in=ids).select_related("service", "certificate")}
    return {"items": [application_out(rows[i], request.auth) for i in ids], "next_after": page.next_after}


@router.get("/applications/{int:application_id}", response=ApplicationOut, summary="One application")
def application_get(request, application_id: int):
    return application_out(access_application(request.auth, application_id), request.auth)


def _transition_endpoint(name: str):
    def view(request, application_id, payload):
        access_application(request.auth, application_id)  # 404 before anything else
        actions.application_transition(application=application_id, name=name, actor=request.auth,
                                       data=payload.dict())
        return application_out(access_application(request.auth, application_id), request.auth)

    view.__annotations__ = {"request": HttpRequest, "application_id": int, "payload": HallTransitionIn}
    view.__name__ = f"application_{name}"
    view.__doc__ = f"Transition “{name}”: {APPLICATION_TRANSITIONS[name].label}."
    return view


for _name in APPLICATION_TRANSITIONS:
    router.post(
        f"/applications/{{int:application_id}}/{_name}",
        response=ApplicationOut,
        summary=f"{_name}: {APPLICATION_TRANSITIONS[_name].label}",
        operation_id=f"hall_application_{_name}",
        url_name=f"hall_application_{_name}",
    )(_transition_endpoint(_name))


@router.post("/certificates/{int:certificate_id}/revoke", response=CertificateOut, summary="Revoke a certificate")
def certificate_revoke(request, certificate_id: int, payload: RevokeIn):
    cert = actions.certificate_revoke(certificate=certificate_id, actor=request.auth, reason=payload.reason)
    return {"id": cert.pk, "number": cert.number, "code": cert.code, "issued_at": cert.issued_at,
            "revoked_at": cert.revoked_at}


@router.get("/verify", response=VerifyOut, auth=None, summary="Public: is this certificate genuine? (?code=)")
def certificate_verify(request, code: str):
    found = actions.certificate_check(code)
    if found is None:
        from django.http import Http404

        raise Http404
    return found
