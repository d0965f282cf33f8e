"""The states and the transition table of an application (办件) at the one-stop hall.

::

    submitted ─ accept ─→ accepted ─ start_agency (代办: the office it went to) ─→ in_progress
        │  └ request_materials (the list) ─→ missing ─ resubmit ─→ submitted          │ agency_step (a step)
        │                                                                             │
        accepted | in_progress ─ complete (a certificate is issued for 证明 services) ─→ done ─ rate ─→ rated
    submitted | missing | accepted | in_progress ─ refuse (a reason) ─→ refused
    submitted | missing ─ withdraw (the applicant) ─→ withdrawn

``APPLICATION_TRANSITIONS`` is the only place that says what may happen: the actions run it through
``linli.core.workflow.run``, the pages render their buttons from ``available`` and the tests iterate over it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import covers, perms_of, table, transition

PERM_APPLY = "hall.apply"
PERM_HANDLE = "hall.handle"
PERM_MANAGE = "hall.manage"


class ServiceCategory(models.TextChoices):
    PROOF = "proof", _("Certificates")
    SOCIAL = "social", _("Social security and jobs")
    RELIEF = "relief", _("Civil affairs and relief")
    ELDERLY = "elderly", _("Services for the elderly")
    HEALTH = "health", _("Health and family")
    HOUSEHOLD = "household", _("Household and residence")
    OTHER = "other", _("Party, law and other")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    WALK_IN = "walk_in", _("At the window")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    MISSING = "missing", _("Materials missing")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress (agency)")
    DONE = "done", _("Done")
    RATED = "rated", _("Rated")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


S = ApplicationStatus
OPEN_STATES = frozenset({S.SUBMITTED, S.MISSING, S.ACCEPTED, S.IN_PROGRESS})
RUNNING_STATES = frozenset({S.ACCEPTED, S.IN_PROGRESS})  # the promised deadline runs


def is_handler(app: Any, user: Any) -> bool:
    """Hall staff (``hall.handle``) whose scope covers the application's place."""
    return PERM_HANDLE in perms_of(user) and covers(user, app.place_path)


def is_applicant(app: Any, user: Any) -> bool:
    return app.applicant_id is not None and app.applicant_id == user.pk


def _agency_offered(app: Any, user: Any) -> Any:
    return None if app.service.agency else _("This service offers no agency (代办).")


APPLICATION_TRANSITIONS = table(
    [
        transition("accept", _("Accept"), [S.SUBMITTED], S.ACCEPTED, [is_handler], style="primary"),
        transition(
            "request_materials",
            _("Materials missing"),
            [S.SUBMITTED, S.ACCEPTED],
            S.MISSING,
            [is_handler],
            required=["missing"],
            fields=["note"],
            style="warning",
        ),
        transition(
            "resubmit", _("Materials supplied"), [S.MISSING], S.SUBMITTED, [is_applicant, is_handler],
            fields=["note"], style="primary",
        ),
        transition(
            "start_agency",
            _("Hand to the office (agency)"),
            [S.ACCEPTED],
            S.IN_PROGRESS,
            [is_handler],
            required=["office"],
            fields=["note"],
            guard=_agency_offered,
            style="primary",
        ),
        transition(
            "agency_step", _("Record an agency step"), [S.IN_PROGRESS], None, [is_handler],
            required=["note"], fields=["office"],
        ),
        transition(
            "complete", _("Done"), [S.ACCEPTED, S.IN_PROGRESS], S.DONE, [is_handler],
            fields=["note", "purpose"], style="success",
        ),
        transition(
            "refuse", _("Refuse"), [S.SUBMITTED, S.MISSING, S.ACCEPTED, S.IN_PROGRESS], S.REFUSED, [is_handler],
            required=["reason"], style="danger",
        ),
        transition(
            "withdraw", _("Withdraw"), [S.SUBMITTED, S.MISSING], S.WITHDRAWN, [is_applicant],
            fields=["reason"], style="outline-danger",
        ),
        transition(
            "rate", _("Rate"), [S.DONE], S.RATED, [is_applicant], required=["satisfaction"], fields=["comment"],
            style="success",
        ),
    ]
)


# --- rooms (功能室预约) ---------------------------------------------------------------------------------------

PERM_BOOK = "rooms.book"
PERM_ROOMS = "rooms.manage"


class RoomKind(models.TextChoices):
    MEETING = "meeting", _("Deliberation hall")  # 议事厅
    LECTURE = "lecture", _("Lecture room")  # 小讲堂
    READING = "reading", _("Reading room")  # 阅览室
    CHESS = "chess", _("Chess and cards room")  # 棋牌室
    YOGA = "yoga", _("Yoga room")  # 瑜伽室
    DANCE = "dance", _("Dance room")  # 舞蹈室
    OTHER = "other", _("Other room")


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")


B = BookingStatus
HOLDING_STATES = frozenset({B.PENDING, B.CONFIRMED})  # a booking in these states holds its slot


def is_room_manager(booking: Any, user: Any) -> bool:
    """Staff with ``rooms.manage`` over the room's place."""
    return PERM_ROOMS in perms_of(user) and covers(user, booking.place_path)


def is_booker(booking: Any, user: Any) -> bool:
    return booking.booker_id is not None and booking.booker_id == user.pk


BOOKING_TRANSITIONS = table(
    [
        transition("approve", _("Approve"), [B.PENDING], B.CONFIRMED, [is_room_manager], style="success"),
        transition("reject", _("Do not approve"), [B.PENDING], B.REJECTED, [is_room_manager], required=["reason"],
                   style="danger"),
        transition("cancel", _("Cancel the booking"), [B.PENDING, B.CONFIRMED], B.CANCELLED,
                   [is_booker, is_room_manager], fields=["reason"], style="outline-danger"),
    ]
)


# --- classes (培训班与兴趣班) ------------------------------------------------------------------------------------
#
#   open (enrolling) ─ close ─→ closed ─ reopen ─→ open
#   open | closed ─ finish (certificates for those who attended enough) ─→ finished
#   open | closed ─ cancel (a reason; the enrolled are told) ─→ cancelled
#
#   an enrolment: enrolled ─ cancel (the resident or staff) ─→ cancelled
#                 enrolled ─ complete (when the class finishes: a certificate of completion) ─→ completed

PERM_ENROL = "classes.enrol"
PERM_CLASSES = "classes.manage"


class CourseKind(models.TextChoices):
    EMPLOYMENT = "employment", _("Employment training")  # 就业培训
    SKILLS = "skills", _("Skills class")  # 技能培训
    INTEREST = "interest", _("Interest class")  # 兴趣班 (讲师团)


class CourseStatus(models.TextChoices):
    OPEN = "open", _("Enrolling")
    CLOSED = "closed", _("Enrolment closed")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


C = CourseStatus
E = EnrolmentStatus


def is_class_manager(course: Any, user: Any) -> bool:
    """Staff with ``classes.manage`` whose scope covers the class's place."""
    return PERM_CLASSES in perms_of(user) and covers(user, course.place_path)


def is_enrolment_manager(enrolment: Any, user: Any) -> bool:
    return PERM_CLASSES in perms_of(user) and covers(user, enrolment.place_path)


def is_enrollee(enrolment: Any, user: Any) -> bool:
    return enrolment.user_id is not None and enrolment.user_id == user.pk


def _class_running(enrolment: Any, user: Any) -> Any:
    running = enrolment.course.status in (C.OPEN, C.CLOSED)
    return None if running else _("The class is over: its enrolments no longer change.")


COURSE_TRANSITIONS = table(
    [
        transition("close", _("Close enrolment"), [C.OPEN], C.CLOSED, [is_class_manager], style="secondary"),
        transition("reopen", _("Reopen enrolment"), [C.CLOSED], C.OPEN, [is_class_manager], style="secondary"),
        transition("finish", _("Finish the class (certificates)"), [C.OPEN, C.CLOSED], C.FINISHED,
                   [is_class_manager], style="success"),
        transition("cancel", _("Cancel the class"), [C.OPEN, C.CLOSED], C.CANCELLED, [is_class_manager],
                   required=["reason"], style="outline-danger"),
    ]
)

ENROLMENT_TRANSITIONS = table(
    [
        transition("cancel", _("Cancel the enrolment"), [E.ENROLLED], E.CANCELLED, [is_enrollee, is_enrolment_manager],
                   fields=["reason"], guard=_class_running, style="outline-danger"),
        transition("complete", _("Completed"), [E.ENROLLED], E.COMPLETED, [is_enrolment_manager], style="success"),
    ]
)
