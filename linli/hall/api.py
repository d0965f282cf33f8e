"""Hall API (/api/v1/hall): the catalog (search by Chinese or pinyin initials), applications (submit, list,
detail, one endpoint per transition of the table), certificates (revoke; the public check by code).
``status`` is never an input. Errors: 404 out of scope or missing, 403 not the actor's to do, 409 refused
transition or lost race, 422 invalid."""

# No ``from __future__ import annotations``: the per-transition endpoints are built in a loop and
# django-ninja reads their real annotations.

import datetime
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from linli.core.api import page_of, paged
from linli.core.workflow import available
from linli.core.workflow_api import StateOut, action_routes, state_out
from linli.hall import actions, selectors
from linli.hall.access import access_application, access_booking, access_enrolment, access_service
from linli.hall.models import Application, Certificate, ServiceItem
from linli.hall.workflow import (
    APPLICATION_TRANSITIONS,
    BOOKING_TRANSITIONS,
    COURSE_TRANSITIONS,
    ENROLMENT_TRANSITIONS,
)

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


ServicePageOut = page_of(ServiceOut)


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


ApplicationPageOut = page_of(ApplicationOut)


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
    return paged(qs, service_out, after=after, size=size or selectors.PAGE_SIZE, max_size=selectors.MAX_PAGE,
                 ascending=True)


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
    qs = selectors.application_list(user=request.auth, mine=mine, status=status, overdue=overdue)
    return paged(qs.select_related("certificate"), lambda a: application_out(a, request.auth), after=after,
                 size=size or selectors.PAGE_SIZE, max_size=selectors.MAX_PAGE)


@router.get("/applications/{int:application_id}", response=ApplicationOut, summary="One application")
def application_get(request, application_id: int):
    return application_out(access_application(request.auth, application_id), request.auth)


action_routes(
    router, APPLICATION_TRANSITIONS, name="hall_application", path="/applications/{int:application_id}",
    access=access_application, response=ApplicationOut, default=HallTransitionIn,
    act=lambda actor, a, name, data: actions.application_transition(application=a.pk, name=name, actor=actor, data=data),
    out=lambda a, user: application_out(access_application(user, a.pk), user),
)


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


# --- classes (培训班) --------------------------------------------------------------------------------------------


class HallCourseOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    lecturer: str
    venue: str
    quota: int
    enrolled: int
    starts_on: datetime.date
    ends_on: datetime.date
    min_attendance: int
    status: str
    community: str
    actions: list[str] = Field(description="the transitions I may start now")


HallCoursePageOut = page_of(HallCourseOut)


class HallCourseIn(Schema):
    place_id: int
    kind: str
    title: str
    quota: int
    starts_on: datetime.date
    ends_on: datetime.date
    lecturer: str = ""
    venue: str = ""
    description: str = ""
    min_attendance: int = 80


class HallEnrolIn(Schema):
    walk_in: bool = Field(False, description="staff enrolling someone at the desk")
    name: str = ""
    person_id: int | None = None


class HallEnrolmentOut(Schema):
    id: int
    course_id: int
    name: str
    channel: str
    status: str
    enrolled_at: datetime.datetime
    attended: int
    certificate: CertificateOut | None
    actions: list[str]


HallEnrolmentPageOut = page_of(HallEnrolmentOut)


class HallSessionIn(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    topic: str = ""


class HallSessionOut(Schema):
    id: int
    course_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    topic: str
    checkin_url: str = Field(description="what the session's QR code opens")


class HallCheckinIn(Schema):
    code: str


class HallAttendanceOut(Schema):
    session_id: int
    enrolment_id: int
    at: datetime.datetime
    created: bool = Field(description="false when the person was already marked present")


class HallClassTotalsRowOut(Schema):
    community: str
    classes: int
    people: int
    completed: int
    sessions: int
    attendances: int


class HallClassTotalsOut(Schema):
    year: int
    rows: list[HallClassTotalsRowOut]
    total: HallClassTotalsRowOut


def course_out(c: Any, user: Any) -> dict[str, Any]:
    return {
        **{f: getattr(c, f) for f in ("id", "kind", "title", "description", "lecturer", "venue", "quota", "enrolled",
                                        "starts_on", "ends_on", "min_attendance", "status")},
        "community": c.community.name,
        "actions": [t.name for t in available(COURSE_TRANSITIONS, c, user)],
    }


def enrolment_out(e: Any, user: Any, attended: int | None = None) -> dict[str, Any]:
    cert = getattr(e, "certificate", None) if hasattr(e, "certificate") else None
    return {
        **{f: getattr(e, f) for f in ("id", "course_id", "name", "channel", "status", "enrolled_at")},
        "attended": attended if attended is not None else e.attendances.count(),
        "certificate": None if cert is None else {
            "id": cert.pk, "number": cert.number, "code": cert.code, "issued_at": cert.issued_at,
            "revoked_at": cert.revoked_at,
        },
        "actions": [t.name for t in available(ENROLMENT_TRANSITIONS, e, user)],
    }


def _course(user: Any, course_id: int):
    from linli.hall.access import access_course

    return access_course(user, course_id)


@router.get("/courses", response=HallCoursePageOut, summary="Classes I may see, newest first")
def course_list(request, kind: str = "", status: str = "", after: int | None = None, size: int = 30):
    qs = selectors.course_list(user=request.auth, status=status, kind=kind).select_related("community")
    return paged(qs, lambda c: course_out(c, request.auth), after=after, size=size, max_size=100)


@router.post("/courses", response={201: HallCourseOut}, summary="Create a class (classes.manage)")
def course_create(request, payload: HallCourseIn):
    data = payload.dict()
    course = actions.course_save(actor=request.auth, place=data.pop("place_id"), **data)
    return Status(201, course_out(course, request.auth))


@router.get("/courses/totals", response=HallClassTotalsOut, summary="The year's classes and people per community")
def course_totals(request, year: int | None = Query(None, ge=2000, le=2100)):
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from linli.core.errors import PermissionDenied
    from linli.hall.workflow import PERM_CLASSES

    if PERM_CLASSES not in getattr(request.auth, "perms", frozenset()):
        raise PermissionDenied(_("You may not organise classes."))
    year = year or timezone.localdate().year
    rows, total = selectors.class_totals(user=request.auth, year=year)
    return {"year": year, "rows": [vars(r) for r in rows], "total": vars(total)}


@router.get("/courses/{int:course_id}", response=HallCourseOut, summary="One class")
def course_get(request, course_id: int):
    return course_out(_course(request.auth, course_id), request.auth)


@router.post("/courses/{int:course_id}/enrol", response={201: HallEnrolmentOut},
             summary="Enrol (myself, or a walk-in by staff); 409 full / closed / already_enrolled")
def course_enrol(request, course_id: int, payload: HallEnrolIn):
    _course(request.auth, course_id)
    enrolment = actions.course_enrol(actor=request.auth, course=course_id, walk_in=payload.walk_in,
                                     name=payload.name, person=payload.person_id)
    return Status(201, enrolment_out(enrolment, request.auth, attended=0))


@router.get("/courses/{int:course_id}/enrolments", response=HallEnrolmentPageOut,
            summary="The class's enrolments (staff), newest first")
def course_enrolments(request, course_id: int, after: int | None = None, size: int = 50):
    from django.db.models import Count

    from linli.hall.models import Enrolment

    course = _course(request.auth, course_id)
    qs = (Enrolment.objects.visible_to(request.auth).filter(course=course).select_related("course", "certificate")
          .annotate(n=Count("attendances")))
    return paged(qs, lambda e: enrolment_out(e, request.auth, attended=e.n), after=after, size=size)


@router.post("/courses/{int:course_id}/sessions", response={201: HallSessionOut}, summary="Add a session (staff)")
def course_session_add(request, course_id: int, payload: HallSessionIn):
    from linli.hall.views_classes import checkin_url

    _course(request.auth, course_id)
    s = actions.session_add(actor=request.auth, course=course_id, starts_at=payload.starts_at,
                            ends_at=payload.ends_at, topic=payload.topic)
    return Status(201, {"id": s.pk, "course_id": s.course_id, "starts_at": s.starts_at, "ends_at": s.ends_at,
                        "topic": s.topic, "checkin_url": checkin_url(request, s.code)})


@router.post("/attendance", response=HallAttendanceOut, summary="Check in with a session's QR code")
def attendance_checkin(request, payload: HallCheckinIn):
    row, created = actions.attendance_checkin(code=payload.code, actor=request.auth)
    return {"session_id": row.session_id, "enrolment_id": row.enrolment_id, "at": row.at, "created": created}


action_routes(
    router, COURSE_TRANSITIONS, name="hall_course", path="/courses/{int:course_id}", access=_course,
    response=HallCourseOut, act=lambda actor, c, name, data: actions.course_transition(course=c.pk, name=name, actor=actor, data=data),
    out=lambda c, user: course_out(_course(user, c.pk), user),
)
action_routes(
    router, ENROLMENT_TRANSITIONS, name="hall_enrolment", path="/enrolments/{int:enrolment_id}",
    access=access_enrolment, response=HallEnrolmentOut,
    act=lambda actor, e, name, data: actions.enrolment_transition(enrolment=e.pk, name=name, actor=actor, data=data),
    out=lambda e, user: enrolment_out(access_enrolment(user, e.pk), user),
)
action_routes(  # a room booking: approve, reject, cancel
    router, BOOKING_TRANSITIONS, name="hall_booking", path="/bookings/{int:booking_id}", access=access_booking,
    response=StateOut, out=state_out(BOOKING_TRANSITIONS),
    act=lambda actor, b, name, data: actions.booking_transition(booking=b.pk, name=name, actor=actor, data=data),
)
