"""Who sees what in the hall.

- Services: everyone who is logged in sees the default catalog and the services of the places above
  their scope (a resident of a grid sees their community's own services); staff see those under it too.
- Applications: the applicant sees their own; hall staff (``hall.handle``) the applications of places in
  their scope. ``access_application`` returns the object or raises Http404 (missing and forbidden alike).
- Certificates: as their application; the public verification page shows only genuineness, issuer, date.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, access_object, scope_of, scope_prefixes

NOTHING = Q(pk__in=[])


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


class ServiceItemQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(place__isnull=True)
        ups = scope_prefixes(user)
        if ups:
            q |= Q(place_path__in=ups)
        return q | scope.place_q("place_path")


class ApplicationQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(applicant_id=user.pk)
        if "hall.handle" in _perms(user):
            q |= scope.place_q("place_path")
        return q


class CertificateQuerySet(ScopedQuerySet):
    """The holder sees their own; hall staff those of applications in scope, class managers those of
    enrolments in scope."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(application__applicant_id=user.pk) | Q(enrolment__user_id=user.pk)
        if "hall.handle" in _perms(user):
            q |= scope.place_q("application__place_path")
        if "classes.manage" in _perms(user):
            q |= scope.place_q("enrolment__place_path")
        return q


class CourseQuerySet(ScopedQuerySet):
    """Classes of the places above the user's scope (a resident's community) and under it."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        ups = scope_prefixes(user)
        return Q(place_path__in=ups) | scope.place_q("place_path") if ups else scope.place_q("place_path")


class EnrolmentQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(user_id=user.pk)
        if "classes.manage" in _perms(user):
            q |= scope.place_q("place_path")
        return q


class RoomQuerySet(ScopedQuerySet):
    """Rooms of the places above the user's scope (a resident's community centre) and under it."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        ups = scope_prefixes(user)
        return Q(place_path__in=ups) | scope.place_q("place_path") if ups else scope.place_q("place_path")


class BookingQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(booker_id=user.pk)
        if "rooms.manage" in _perms(user):
            q |= scope.place_q("place_path")
        return q


def access_room(user: Any, pk: Any):
    from linli.hall.models import Room

    return access_object(Room.objects.filter(active=True), user, pk)


def access_booking(user: Any, pk: Any):
    from linli.hall.models import Booking

    return access_object(Booking.objects.select_related("room"), user, pk)


def can_manage_rooms(user: Any, room: Any = None) -> bool:
    if "rooms.manage" not in _perms(user):
        return False
    return room is None or scope_of(user).covers_path(room.place_path)


def access_service(user: Any, pk: Any):
    from linli.hall.models import ServiceItem

    return access_object(ServiceItem.objects.filter(active=True), user, pk)


def access_application(user: Any, pk: Any):
    from linli.hall.models import Application

    return access_object(Application.objects.select_related("service", "certificate"), user, pk)


def can_handle(user: Any) -> bool:
    return "hall.handle" in _perms(user)


def can_manage_catalog(user: Any, service: Any = None) -> bool:
    if "hall.manage" not in _perms(user):
        return False
    if service is None or service.place_id is None:
        return True
    return scope_of(user).covers_path(service.place_path)


def access_course(user: Any, pk: Any):
    from linli.hall.models import Course

    return access_object(Course.objects.all(), user, pk)


def access_enrolment(user: Any, pk: Any):
    from linli.hall.models import Enrolment

    return access_object(Enrolment.objects.select_related("course"), user, pk)


def can_manage_classes(user: Any, course: Any = None) -> bool:
    if "classes.manage" not in _perms(user):
        return False
    return course is None or scope_of(user).covers_path(course.place_path)
