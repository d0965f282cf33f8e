"""Pages of the classes (培训班): the list with enrolment on the phone, a class with its sessions, the QR code
of a session and the check-in it opens, the staff's roster (walk-ins, attendance by hand, the transitions),
and the year's totals ("30 classes, 1,000 people") for the community and the street.

Every write goes through ``linli.hall.actions``; objects come through ``access_*`` (404)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.ui import error_message, form_errors, page_rows, perm_required, raise_http
from linli.core.workflow import available
from linli.hall import actions, selectors
from linli.hall.access import access_course, access_enrolment, can_manage_classes
from linli.hall.forms import CourseForm, SessionForm, WalkInEnrolForm
from linli.hall.workflow import (
    COURSE_TRANSITIONS,
    ENROLMENT_TRANSITIONS,
    PERM_CLASSES,
    PERM_ENROL,
    CourseKind,
)


@login_required
def classes(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in CourseKind.values:
        kind = ""
    page = page_rows(request, selectors.course_list(user=request.user, kind=kind), size=selectors.PAGE_SIZE)
    enrols = PERM_ENROL in getattr(request.user, "perms", frozenset())
    mine = page_rows(request, selectors.my_enrolments(user=request.user), key="mine") if enrols else {"rows": []}
    return render(request, "hall/classes.html", {
        **page,
        "courses": page["rows"],
        "mine": mine,
        "kind": kind,
        "kinds": CourseKind.choices,
        "can_manage": can_manage_classes(request.user),
    })


@login_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = access_course(request.user, pk)
    manage = can_manage_classes(request.user, course)
    mine = course.enrolments.filter(user_id=request.user.pk, status__in=["enrolled", "completed"]).select_related(
        "certificate", "course").first()
    context = {
        "course": course,
        "sessions": selectors.course_sessions(course),
        "mine": mine,
        "mine_buttons": available(ENROLMENT_TRANSITIONS, mine, request.user) if mine else [],
        "can_enrol": PERM_ENROL in getattr(request.user, "perms", frozenset()) and mine is None and course.status == "open",
        "manage": manage,
        "buttons": available(COURSE_TRANSITIONS, course, request.user),
        "free": max(0, course.quota - course.enrolled),
    }
    if manage:
        context.update({
            "roster": selectors.course_roster(course),
            "session_form": SessionForm(),
            "walk_in_form": WalkInEnrolForm(),
            "events": list(course.events.order_by("-at", "-id")[:50]),
        })
    return render(request, "hall/class_detail.html", context)


def _places_for(user) -> list[tuple[str, str]]:
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_visible_to

    rows = places_visible_to(user).filter(kind=PlaceKind.COMMUNITY).order_by("path").values_list("pk", "name")
    return [(str(pk), name) for pk, name in rows[:300]]


@perm_required(PERM_CLASSES)
def class_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    course = access_course(request.user, pk) if pk else None
    if course is not None and not can_manage_classes(request.user, course):
        raise Http404
    initial = {}
    if course is not None:
        initial = {f: getattr(course, f) for f in CourseForm.base_fields if f != "place"}
    form = CourseForm(request.POST or None, initial=initial)
    if course is None:
        form.fields["place"].choices = _places_for(request.user)  # type: ignore[attr-defined]
        form.fields["place"].required = True
    else:
        del form.fields["place"]
    if request.method == "POST" and form.is_valid():
        try:
            course = actions.course_save(actor=request.user, course=course, **form.cleaned_data)
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("hall:class", pk=course.pk)
    return render(request, "hall/class_form.html", {"form": form, "course": course})


@require_POST
@login_required
def class_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    course = access_course(request.user, pk)
    walk_in = request.POST.get("walk_in") == "1"
    try:
        if walk_in:
            form = WalkInEnrolForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Name the person who enrols."))
                return redirect("hall:class", pk=course.pk)
            actions.course_enrol(actor=request.user, course=course, walk_in=True, **form.cleaned_data)
        else:
            actions.course_enrol(actor=request.user, course=course)
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Enrolled.") if walk_in else _("You are enrolled. Scan the QR code at each session."))
    return redirect("hall:class", pk=course.pk)


@require_POST
@login_required
def class_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    course = access_course(request.user, pk)
    if name not in COURSE_TRANSITIONS:
        raise Http404
    try:
        actions.course_transition(course=course, name=name, actor=request.user,
                                  data={"reason": request.POST.get("reason", "")})
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": COURSE_TRANSITIONS[name].label})
    return redirect("hall:class", pk=course.pk)


@require_POST
@login_required
def enrolment_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    enrolment = access_enrolment(request.user, pk)
    if name not in ENROLMENT_TRANSITIONS:
        raise Http404
    try:
        actions.enrolment_transition(enrolment=enrolment, name=name, actor=request.user,
                                     data={"reason": request.POST.get("reason", "")})
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": ENROLMENT_TRANSITIONS[name].label})
    return redirect("hall:class", pk=enrolment.course_id)


@require_POST
@perm_required(PERM_CLASSES)
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    course = access_course(request.user, pk)
    form = SessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check the session."))
        return redirect("hall:class", pk=course.pk)
    tz = timezone.get_current_timezone()
    day = form.cleaned_data["day"]
    try:
        actions.session_add(
            actor=request.user, course=course, topic=form.cleaned_data["topic"],
            starts_at=dt.datetime.combine(day, form.cleaned_data["start"], tz),
            ends_at=dt.datetime.combine(day, form.cleaned_data["end"], tz),
        )
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("hall:class", pk=course.pk)


def checkin_url(request: HttpRequest | None, code: str) -> str:
    from django.conf import settings

    path = reverse("hall:class_checkin", kwargs={"code": code})
    base = (getattr(settings, "LINLI_PUBLIC_URL", "") or "").rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


@perm_required(PERM_CLASSES)
def session_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's QR code for the screen or the door, and the list to mark people present by hand."""
    import base64

    from linli.core.qr import qr_png
    from linli.hall.models import CourseSession

    session = CourseSession.objects.select_related("course").filter(pk=pk).first()
    if session is None or not can_manage_classes(request.user, access_course(request.user, session.course_id)):
        raise Http404
    if request.method == "POST":
        try:
            actions.attendance_mark(actor=request.user, session=session, enrolment=request.POST.get("enrolment"))
        except DomainError as exc:
            error_message(request, exc)
        else:
            messages.success(request, _("Marked present."))
        return redirect("hall:class_session", pk=session.pk)
    url = checkin_url(request, session.code)
    present = set(session.attendances.values_list("enrolment_id", flat=True))
    roster = [e for e in selectors.course_roster(session.course) if e.status != "cancelled"]
    return render(request, "hall/class_session.html", {
        "session": session, "course": session.course, "url": url, "roster": roster, "present": present,
        "qr": base64.b64encode(qr_png(url, box_size=8, border=4)).decode(),
    })


@login_required
def class_checkin(request: HttpRequest, code: str) -> HttpResponse:
    """What the QR code opens: the enrolled person is marked present (a second scan changes nothing)."""
    try:
        row, created = actions.attendance_checkin(code=code, actor=request.user)
    except DomainError as exc:
        raise_http(exc)
        return render(request, "hall/class_checkin.html", {"error": exc.message}, status=409)
    return render(request, "hall/class_checkin.html", {"row": row, "created": created,
                                                       "course": row.session.course, "session": row.session})


@perm_required(PERM_CLASSES)
def class_totals(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() and 2000 <= int(asked) <= this_year + 1 else this_year
    rows, total = selectors.class_totals(user=request.user, year=year)
    return render(request, "hall/class_totals.html", {
        "rows": rows, "total": total, "year": year, "years": list(range(this_year, this_year - 5, -1)),
    })
