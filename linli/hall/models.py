"""The one-stop service hall (一站式服务大厅, PRODUCT.md §7): the catalog of services, applications
(办件) on the transition table of ``workflow.py``, their event rows, and certificates (证明) with a serial
number per community and year and a public verification code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import EventRow
from linli.hall.access import (
    ApplicationQuerySet,
    BookingQuerySet,
    CertificateQuerySet,
    CourseQuerySet,
    EnrolmentQuerySet,
    RoomQuerySet,
    ServiceItemQuerySet,
)
from linli.hall.workflow import (
    ApplicationStatus,
    BookingStatus,
    Channel,
    CourseKind,
    CourseStatus,
    EnrolmentStatus,
    RoomKind,
    Satisfaction,
    ServiceCategory,
)

PATH_OPS = ["varchar_pattern_ops"]


class ServiceItem(models.Model):
    """A service the hall offers (便民服务事项). ``place`` empty: the default catalog, offered everywhere;
    else a community's (or street's) own service."""

    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    code = models.SlugField(_("code"), max_length=48)
    name = models.CharField(_("name"), max_length=80)
    initials = models.CharField(max_length=80, blank=True, default="", editable=False)
    category = models.CharField(_("category"), max_length=16, choices=ServiceCategory.choices)
    description = models.TextField(_("description"), blank=True, default="")
    materials = models.JSONField(_("materials to bring"), default=list, blank=True)
    window = models.CharField(_("window or centre"), max_length=80, blank=True, default="")
    promised_days = models.PositiveSmallIntegerField(_("promised working days"), default=1)
    agency = models.BooleanField(_("agency (代办) offered"), default=False)
    agency_office = models.CharField(_("office the agency goes to"), max_length=80, blank=True, default="")
    certificate = models.BooleanField(_("issues a certificate"), default=False)
    certificate_text = models.TextField(_("certificate text"), blank=True, default="")
    active = models.BooleanField(_("offered"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place", "code"], name="hall_service_place_code"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(place__isnull=True), name="hall_service_default_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """One application (办件): online by a resident or registered at the window by staff."""

    service = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("applicant"),
    )
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    applicant_name = models.CharField(_("applicant"), max_length=64)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    details = models.TextField(_("what it is for"), blank=True, default="")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, editable=False)
    community = models.ForeignKey("places.Place", null=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    version = models.PositiveIntegerField(default=0)
    missing = models.JSONField(_("missing materials"), default=list, blank=True)
    agency_office = models.CharField(_("agency office"), max_length=80, blank=True, default="")
    refused_reason = models.TextField(_("reason"), blank=True, default="")
    submitted_at = models.DateTimeField(_("submitted at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(_("promised by"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.CharField(max_length=12, choices=Satisfaction.choices, blank=True, default="")
    rating_comment = models.TextField(blank=True, default="")
    rated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["place_path", "-id"], name="hall_app_path", opclasses=[*PATH_OPS, ""]),
            models.Index(fields=["applicant", "-id"], name="hall_app_applicant"),
            models.Index(
                fields=["due_on"], name="hall_app_open_due",
                condition=models.Q(status__in=["submitted", "missing", "accepted", "in_progress"]),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.applicant_name}"

    @property
    def audit_repr(self) -> str:
        """The audit log's name for it: ``#id``, not the applicant's name (no free text that may name a person)."""
        return f"#{self.pk}"


class ApplicationEvent(EventRow):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


class CertificateSerial(models.Model):
    """The last serial number drawn per community and year (the counter behind 证字第 N 号)."""

    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="hall_serial_unique")]

    def __str__(self) -> str:
        return f"{self.community_id}/{self.year}: {self.last}"


class Certificate(models.Model):
    """A certificate (证明) issued when an application of a certificate service is done, or a certificate of
    completion (结业证书) when a class finishes: one numbering, one PDF, one public check."""

    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="certificate"
    )
    enrolment = models.OneToOneField(
        "hall.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="certificate"
    )
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    number = models.CharField(_("number"), max_length=80, unique=True)
    code = models.CharField(max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=80)
    holder_name = models.CharField(max_length=64)
    text = models.TextField()
    issuer_name = models.CharField(_("issued by"), max_length=100)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.TextField(blank=True, default="")

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "serial"], name="hall_certificate_serial"),
            models.CheckConstraint(
                condition=models.Q(application__isnull=False, enrolment__isnull=True)
                | models.Q(application__isnull=True, enrolment__isnull=False),
                name="hall_certificate_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def subject_path(self) -> str:
        """The place path of what it certifies (the application's place, the class's place)."""
        subject: Any = self.application if self.application_id is not None else self.enrolment
        return str(subject.place_path)

    @property
    def holder_id(self) -> int | None:
        """The account of the person it was issued to (told when it is revoked)."""
        if self.application_id is not None:
            return self.application.applicant_id  # type: ignore[union-attr]
        return self.enrolment.user_id  # type: ignore[union-attr]


def _all_week() -> list[int]:
    return [0, 1, 2, 3, 4, 5, 6]


class Room(models.Model):
    """A room of a neighbourhood centre (议事厅, 小讲堂, 阅览室, 棋牌室, 瑜伽室, 舞蹈室) that people book."""

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    place_path = models.CharField(max_length=255, editable=False)
    centre = models.CharField(_("centre"), max_length=80)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=RoomKind.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))
    weekdays = models.JSONField(_("open on"), default=_all_week)  # 0 = Monday
    needs_approval = models.BooleanField(_("bookings need approval"), default=False)
    active = models.BooleanField(default=True)
    description = models.TextField(_("description"), blank=True, default="")

    objects = RoomQuerySet.as_manager()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["place_path", "centre", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="hall_room_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.name}"


class BookingSeries(models.Model):
    """A recurring booking (every Tuesday 9–11): the rule; each date is its own ``Booking``."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="series")
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()
    first = models.DateField()
    last = models.DateField()
    purpose = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.room_id} weekday {self.weekday} {self.start}-{self.end}"


class Booking(models.Model):
    """One booking of a room. Two bookings that hold their slot (pending or confirmed) never overlap: a
    PostgreSQL exclusion constraint (migration 0004), and on SQLite the check inside the IMMEDIATE
    transaction that serialises writers (``room_book``)."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    place_path = models.CharField(max_length=255, editable=False)
    series = models.ForeignKey(BookingSeries, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="bookings")
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("booked by"))
    booker_name = models.CharField(_("booked by"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveSmallIntegerField(_("attendees"), default=0)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    source = models.CharField(max_length=80, blank=True, default="")  # "deliberation.meeting:12"
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.PENDING)
    version = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["room", "starts_at"], name="hall_booking_room_start",
                         condition=models.Q(status__in=["pending", "confirmed"])),
            models.Index(fields=["booker", "-starts_at"], name="hall_booking_booker"),
            models.Index(fields=["place_path", "status"], name="hall_booking_path", opclasses=[*PATH_OPS, ""]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")), name="hall_booking_span"),
        ]

    def __str__(self) -> str:
        return f"{self.room_id} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingEvent(EventRow):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.kind}"


# --- classes (培训班: employment and skills classes, interest classes of the 讲师团) --------------------------------


class Course(models.Model):
    """A class (培训班/兴趣班) a community runs: a quota, sessions, enrolment on the phone or at the desk,
    attendance by QR code, a certificate of completion for those who attended enough."""

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    place_path = models.CharField(max_length=255, editable=False)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=CourseKind.choices)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True, default="")
    lecturer = models.CharField(_("lecturer"), max_length=80, blank=True, default="")
    venue = models.CharField(_("venue"), max_length=80, blank=True, default="")
    quota = models.PositiveSmallIntegerField(_("quota"))
    enrolled = models.PositiveSmallIntegerField(_("enrolled"), default=0, editable=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    min_attendance = models.PositiveSmallIntegerField(_("attendance needed for the certificate (%)"), default=80)
    status = models.CharField(_("status"), max_length=12, choices=CourseStatus.choices, default=CourseStatus.OPEN)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["place_path", "starts_on"], name="hall_course_path",
                         opclasses=[*PATH_OPS, ""]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(enrolled__lte=models.F("quota")), name="hall_course_quota"),
            models.CheckConstraint(condition=models.Q(starts_on__lte=models.F("ends_on")), name="hall_course_span"),
        ]

    def __str__(self) -> str:
        return self.title


class CourseEvent(EventRow):
    """The class's timeline: its transitions, and its enrolments' (``data["enrolment"]``)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="events")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.course_id} {self.kind}"


class CourseSession(models.Model):
    """One session of a class; its ``code`` is the QR code the enrolled scan to record attendance."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    topic = models.CharField(_("topic"), max_length=120, blank=True, default="")
    code = models.CharField(max_length=32, unique=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")), name="hall_session_span"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Enrolment(models.Model):
    """A person's place in a class: a resident on the phone, or a walk-in registered by staff."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    place_path = models.CharField(max_length=255, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.ENROLLED)
    version = models.PositiveIntegerField(default=0)
    enrolled_at = models.DateTimeField(_("enrolled at"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "-id"], name="hall_enrolment_user")]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"], condition=models.Q(status__in=["enrolled", "completed"]),
                name="hall_enrolment_once",
            ),
            models.UniqueConstraint(
                fields=["course", "person"], condition=models.Q(status__in=["enrolled", "completed"]),
                name="hall_enrolment_person_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.name}"


class Attendance(models.Model):
    """One enrolled person present at one session (scanned the session's QR code, or marked by staff)."""

    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    at = models.DateTimeField()
    by_qr = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="hall_attendance_once")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.enrolment_id}"
