"""Every write of the hall goes through these functions (pages, API, tasks, demo)."""

from linli.hall.actions.applications import application_submit, application_transition
from linli.hall.actions.catalog import initials_of, service_item_save
from linli.hall.actions.certificates import certificate_check, certificate_issue, certificate_revoke
from linli.hall.actions.classes import (
    attendance_checkin,
    attendance_mark,
    course_enrol,
    course_save,
    course_transition,
    enrolment_transition,
    session_add,
)
from linli.hall.actions.rooms import booking_transition, room_book, room_book_weekly, room_save

__all__ = [
    "attendance_checkin",
    "attendance_mark",
    "course_enrol",
    "course_save",
    "course_transition",
    "enrolment_transition",
    "session_add",
    "application_submit",
    "application_transition",
    "booking_transition",
    "certificate_check",
    "certificate_issue",
    "certificate_revoke",
    "initials_of",
    "room_book",
    "room_book_weekly",
    "room_save",
    "service_item_save",
]
