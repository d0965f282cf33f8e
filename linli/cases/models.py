"""The closed loop's data: cases, their events (the timeline), photos, summons, supports ("me too"),
supervisions, categories, escalation marks.

States and the transition table live in ``workflow.py``; every write goes through ``actions``.

Scope: a case carries ``place_path``, the path of the most precise place known (house, building,
grid or community), so ``visible_to(user)`` is one indexed prefix test (see ``access.py``).

Deadlines (see ``deadlines.py``): ``sign_due`` and ``return_due`` start at dispatch; ``handle_due`` and
``feedback_due`` at the report; ``*_warn_at`` is when the yellow light turns on (the last 25% of the
allowed time). Parking stops the clock: ``parked_at`` is set while parked and ``parked_seconds`` adds
up the time spent parked; unparking moves the deadlines by the office time parked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.cases.access import CaseQuerySet, CategoryQuerySet
from linli.cases.workflow import (
    OPEN_STATUSES,
    CaseStatus,
    Channel,
    ClosedReason,
    ExtensionState,
    OwnerKind,
    Satisfaction,
    SummonsStatus,
)
from linli.core.fields import EncryptedTextField, LookupHashField

PATH_OPS = ["varchar_pattern_ops"]  # PostgreSQL: LIKE 'prefix%' uses the index (ignored on SQLite)
OPEN_Q = Q(status__in=sorted(OPEN_STATUSES))
# The worklists' state sets, written once so that a query's term and its partial index's condition are
# the same expression (SQLite uses a partial index only when the query repeats its condition).
# The dispatch desk: to accept (reported), to dispatch (accepted, also a returned case), to verify
# (reported back) and to close (rated).
DESK_STATUSES = sorted([CaseStatus.ACCEPTED, CaseStatus.REPORTED, CaseStatus.REPORTED_BACK, CaseStatus.RATED])
DESK_Q = Q(status__in=DESK_STATUSES)
HANDLE_DUE_STATUSES = sorted(  # the handle deadline is watched (the overdue list)
    [CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.SIGNED, CaseStatus.HANDLING]
)
HANDLE_DUE_Q = Q(status__in=HANDLE_DUE_STATUSES)
# The states in which an open case whose handle deadline has passed counts as overdue in the KPIs (应结案:
# due and not closed; parked stops the clock).
OVERDUE_KPI_STATUSES = sorted(
    [CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.SIGNED, CaseStatus.HANDLING,
     CaseStatus.REPORTED_BACK, CaseStatus.VERIFIED, CaseStatus.RATED]
)


class Category(models.Model):
    """大类/小类: a top-level category (no parent) and its subcategories. Deadlines are set on each."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    name = models.CharField(_("name"), max_length=64)
    code = models.CharField(_("code"), max_length=32, unique=True)
    keywords = models.CharField(_("search words"), max_length=200, blank=True, default="")
    sign_hours = models.PositiveSmallIntegerField(_("sign deadline (working hours)"), default=2)
    handle_days = models.PositiveSmallIntegerField(_("handle deadline (working days)"), default=5)
    feedback_days = models.PositiveSmallIntegerField(_("reply-to-resident deadline (working days)"), default=3)
    default_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("default department"),
    )
    # When set, filing is blocked and this notice shown instead (gas leak: call the emergency line).
    emergency_notice = models.TextField(_("emergency notice"), blank=True, default="")
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate radius (m)"), default=200)
    duplicate_days = models.PositiveSmallIntegerField(_("duplicate window (days)"), default=7)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_emergency(self) -> bool:
        return bool(self.emergency_notice.strip())


class CaseSequence(models.Model):
    """The last case number issued in a district in a year: numbers read 2026-330106-000123 (year, the
    district's GB/T 2260 code, the sequence), or 2026-000123 where no district is known. One row per
    district, drawn by one statement at the end of the intake transaction (``actions.intake``), so that a
    city's intakes never queue behind one row."""

    district = models.CharField(max_length=6, blank=True, default="")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="cases_sequence_district_year")]

    def __str__(self) -> str:
        return f"{self.district or '-'} {self.year}: {self.last}"


class Case(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # The number of the ticket in the system it came from (12345, Open311): importing it twice is a no-op.
    external_id = models.CharField(_("external number"), max_length=64, blank=True, default="")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True, default="")
    # rjieba tokens of title + description (space separated), for duplicate suggestions.
    tokens = models.TextField(blank=True, default="", editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    # The most precise place given (house, building or compound), and the grid and community that
    # routing resolved; place_path is the path of the most precise of them (scope).
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    grid = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    community = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    # The kind of the compound the case lies in (三区), as routing found it at intake ("" outside any
    # compound): the KPIs break down by it.
    compound_kind = models.CharField(_("compound kind"), max_length=16, blank=True, default="", editable=False)
    # Why the case went where it went: [{"msg": msgid, "params": {...}}], translated when shown.
    routing = models.JSONField(default=list, blank=True, editable=False)
    suggested_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    suggested_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_cases",
        verbose_name=_("reporter"),
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=64, blank=True, default="")
    reporter_phone = EncryptedTextField(_("reporter's phone"), blank=True, default="")
    reporter_phone_hash = LookupHashField(source="reporter_phone")
    # The staff member who entered it (patrol, visit, on behalf of a resident).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    private = models.BooleanField(_("private (not on the public board)"), default=False)

    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED, editable=False
    )
    # Compare-and-set counter: every transition moves it by one.
    version = models.PositiveIntegerField(default=0, editable=False)
    owner_kind = models.CharField(_("owner kind"), max_length=16, choices=OwnerKind.choices, blank=True, default="")
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_cases",
        verbose_name=_("owner"),
    )
    owner_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="owned_cases",
        verbose_name=_("owning department"),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    support_count = models.PositiveIntegerField(_("me too"), default=0, editable=False)

    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    dispatched_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    handled_at = models.DateTimeField(null=True, blank=True, editable=False)  # reported back
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    rated_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    first_reply_at = models.DateTimeField(null=True, blank=True, editable=False)

    sign_due = models.DateTimeField(_("sign by"), null=True, blank=True, editable=False)
    sign_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    handle_due = models.DateTimeField(_("handle by"), null=True, blank=True, editable=False)
    handle_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    feedback_due = models.DateTimeField(_("reply by"), null=True, blank=True, editable=False)
    return_due = models.DateTimeField(_("return by"), null=True, blank=True, editable=False)
    parked_at = models.DateTimeField(null=True, blank=True, editable=False)
    parked_seconds = models.PositiveIntegerField(default=0, editable=False)

    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases", editable=False
    )
    reopen_count = models.PositiveSmallIntegerField(default=0, editable=False)
    rework_count = models.PositiveSmallIntegerField(default=0, editable=False)
    return_count = models.PositiveSmallIntegerField(default=0, editable=False)
    supervision_count = models.PositiveSmallIntegerField(default=0, editable=False)
    extension_state = models.CharField(
        max_length=16, choices=ExtensionState.choices, blank=True, default=ExtensionState.NONE, editable=False
    )
    extension_days = models.PositiveSmallIntegerField(default=0, editable=False)  # requested or last approved
    extension_count = models.PositiveSmallIntegerField(default=0, editable=False)  # approved extensions
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True, default="", editable=False
    )
    solved = models.BooleanField(_("solved"), null=True, blank=True, editable=False)
    closed_reason = models.CharField(
        _("closed as"), max_length=16, choices=ClosedReason.choices, blank=True, default="", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["place_path", "-id"], name="cases_case_path", opclasses=[*PATH_OPS, ""]),
            models.Index(fields=["place_path", "status"], name="cases_case_path_open", opclasses=[*PATH_OPS, ""],
                         condition=OPEN_Q),
            models.Index(fields=["owner_user", "-id"], name="cases_case_owner_open", condition=OPEN_Q),  # "mine"
            models.Index(fields=["reporter", "-id"], name="cases_case_reporter"),
            models.Index(fields=["handle_due"], name="cases_case_handle_due_open", condition=HANDLE_DUE_Q),
            # Worklists, newest first (selectors.page_rows reads the ids in a subquery, then the rows): open
            # cases by id (broad scopes walk it and stop at a page), with the columns of the scope
            # (place_path OR reporter OR owner) and of the overdue test, so that the walk reads the index alone:
            # a grid worker's list filters ~4,600 entries to find 51 at 1,000,000 cases, 8–75 ms when each
            # entry looked up its row on SQLite, 0.5 ms from the index (migration 0016); the dispatch desk under a
            # community or grid (its ids come from the index alone); a department's open cases by id.
            models.Index(fields=["-id", "place_path", "reporter", "owner_user", "status", "sign_due", "handle_due"],
                         name="cases_case_open_id", condition=OPEN_Q),
            models.Index(fields=["place_path", "status"], name="cases_case_desk", opclasses=[*PATH_OPS, ""],
                         condition=DESK_Q),
            models.Index(fields=["owner_department", "-id"], name="cases_case_dept_open", condition=OPEN_Q),
            # The supervision list's supervised branch (督办): cases supervised at least once, newest first
            # (few; the branch filters the open ones). Its condition is that one term, which the query
            # writes literally: with the open states in it too, SQLite weighed it against
            # cases_case_open_id and, its statistics empty while nothing was supervised, walked every open case.
            models.Index(fields=["-id"], name="cases_case_supervised", condition=Q(supervision_count__gt=0)),
            models.Index(fields=["sign_due"], name="cases_case_sign_due_open", condition=Q(status="dispatched")),
            # The KPI page's overdue cases of the current hour (the hours before come from the counters:
            # linli/cases/open_counts.py).
            models.Index(fields=["handle_due"], name="cases_case_handle_due_kpi",
                         condition=Q(status__in=OVERDUE_KPI_STATUSES)),
            models.Index(fields=["category", "reported_at"], name="cases_case_category_at"),
            models.Index(fields=["reporter_phone_hash", "reported_at"], name="cases_case_phone_at"),
            models.Index(fields=["verified_at"], name="cases_case_verified_at", condition=Q(status="verified")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="cases_case_external_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Remember the columns the open-cases counters count the row under (``linli.cases.open_counts``)."""
        from linli.cases.open_counts import loaded_row

        obj = super().from_db(db, field_names, values, **kwargs)
        row = loaded_row(field_names, values)
        if row is not None:
            obj.__dict__["_counted_row"] = row
        return obj

    @property
    def audit_repr(self) -> str:
        """The audit log's name for it: the number, not the title (no free text that may name a person)."""
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_contact(self) -> bool:
        """Somebody can rate it: a resident's account or phone."""
        return self.reporter_id is not None or bool(self.reporter_phone_hash)


class EventKind(models.TextChoices):
    """The kinds of timeline rows: every action name of the table, plus what the system does."""

    CREATED = "created", _("Reported")
    ACCEPT = "accept", _("Accepted")
    REFUSE = "refuse", _("Not accepted")
    MERGE = "merge", _("Merged")
    MERGED_IN = "merged_in", _("Duplicate merged in")
    DISPATCH = "dispatch", _("Dispatched")
    SIGN = "sign", _("Signed for")
    RETURN = "return", _("Returned")
    HANDLE = "handle", _("Handling started")
    REPORT = "report", _("Reported back")
    VERIFY = "verify", _("Verified")
    REWORK = "rework", _("Sent back for rework")
    RATE = "rate", _("Rated")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")
    EXTEND = "extend", _("Extension requested")
    EXTEND_APPROVE = "extend_approve", _("Extension approved")
    EXTEND_REJECT = "extend_reject", _("Extension rejected")
    PARK = "park", _("Parked")
    UNPARK = "unpark", _("Resumed")
    SUPERVISE = "supervise", _("Supervised")
    SUMMON = "summon", _("Departments summoned")
    SUMMON_SIGN = "summon_sign", _("Summons signed for")
    SUMMON_ANSWER = "summon_answer", _("Summons answered")
    COMMENT = "comment", _("Note")
    SUPPORT = "support", _("Me too")
    ESCALATE = "escalate", _("Escalated")
    PHOTO = "photo", _("Photos added")


class CaseEvent(models.Model):
    """One row per thing that happened to a case. ``note`` is internal (staff only); ``reply`` is what
    the resident reads."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, default="")
    at = models.DateTimeField(_("time"))
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    note = models.TextField(_("internal note"), blank=True, default="")
    reply = models.TextField(_("public reply"), blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="cases_event_case_at"),
            models.Index(fields=["kind", "at"], name="cases_event_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def is_public(self) -> bool:
        return bool(self.reply)


def _photo_path(instance: CasePhoto, filename: str) -> str:
    return f"cases/{instance.created_at:%Y/%m}/{filename}"


class CasePhoto(models.Model):
    """A photo of the report or of the work reported back: re-encoded as JPEG without EXIF (location,
    camera) and scaled down (see ``actions.photos``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="photos")
    # No database constraint: on PostgreSQL the events are partitioned by month (linli/core/partitions.py)
    # and their key is (id, at); events are never deleted, so the reference cannot dangle.
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="photos", db_constraint=False
    )
    image = models.FileField(upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name or ""


class CaseSummons(models.Model):
    """吹哨报到: one department summoned onto a case, with its own instruction (what the community asks
    of it), its own deadline and its own state."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="summons")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="summons")
    status = models.CharField(max_length=16, choices=SummonsStatus.choices, default=SummonsStatus.SUMMONED)
    instruction = models.TextField(_("instruction"))
    due = models.DateTimeField(_("answer by"))
    summoned_at = models.DateTimeField()
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, default="")

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summons")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"], condition=~Q(status="answered"), name="cases_summons_one_open"
            ),
        ]
        indexes = [models.Index(fields=["department", "status"], name="cases_summons_dept_status")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department_id} {self.status}"

    @property
    def is_overdue(self) -> bool:
        """Not answered and past its deadline (the escalation task records it once per deadline)."""
        from django.utils import timezone

        return self.status != SummonsStatus.ANSWERED and timezone.now() > self.due


class CaseSupport(models.Model):
    """我也遇到 ("me too"): one per household (``h:<id>``), or per user (``u:<id>``) or phone
    (``p:<hash>``) for people not in the registry."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="supports")
    supporter_key = models.CharField(max_length=80)
    household = models.ForeignKey(
        "residents.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "supporter_key"], name="cases_support_one_per_supporter"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.supporter_key}"


class CaseSupervision(models.Model):
    """督办: a note and a new deadline from the street or the community."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="supervisions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.TextField()
    old_due = models.DateTimeField(null=True, blank=True)
    new_due = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class EscalationLevel(models.TextChoices):
    SIGN = "sign", _("Not signed for in time")
    HANDLE = "handle", _("Not handled in time")
    FEEDBACK = "feedback", _("Resident not answered in time")
    SUMMONS = "summons", _("Summons not answered in time")


class EscalationMark(models.Model):
    """One row per (case, level, deadline) escalated: the escalation task inserts it in the same
    transaction as the event and the notice, so a rerun or a crash never escalates twice or skips."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="escalations")
    level = models.CharField(max_length=16, choices=EscalationLevel.choices)
    due = models.DateTimeField()
    # The summons escalated (level "summons"), else 0: part of the unique key (0, not NULL, so that the
    # key holds on every database).
    summons_key = models.PositiveBigIntegerField(default=0)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "level", "due", "summons_key"], name="cases_escalation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.level} {self.due}"


from linli.cases.models_kpi import CaseStateCount, KpiAreaDelta, KpiAreaRollup, KpiRollup  # noqa: E402,F401  (KPI rollups: linli/cases/kpi.py)
