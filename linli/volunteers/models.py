"""Volunteers (志愿者), teams (志愿队), talent pools (人才库), activities (活动), sign-ups (报名) and the
activity's event timeline.

Scope: every row carries ``place_path`` (the volunteer's place, or the community of a team, pool or
activity) and is filtered by prefix through the querysets in ``access.py``. Volunteers are kept against
``residents.Person``; ``user`` is the account that registered (or that a person logged in with).
No business logic here: the actions (``actions/``) write, the table (``workflow.py``) decides.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import EventRow
from linli.volunteers.access import (
    ActivityQuerySet,
    SignupQuerySet,
    TalentPoolQuerySet,
    TeamQuerySet,
    VolunteerQuerySet,
)
from linli.volunteers.workflow import (
    ActivityArea,
    ActivityStatus,
    SignupStatus,
    VolunteerKind,
    VolunteerStatus,
)

PATH_OPS = ["varchar_pattern_ops"]  # PostgreSQL: LIKE 'prefix%' uses the index (ignored on SQLite)


class Skill(models.Model):
    """A skill a volunteer offers (data: the list ships in a data migration; staff may add more)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    person = models.OneToOneField(
        "residents.Person", on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("person")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=VolunteerKind.choices, default=VolunteerKind.RESIDENT
    )
    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, editable=False, default="")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=VolunteerStatus.choices,
        default=VolunteerStatus.ACTIVE,
        editable=False,
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="volunteers", verbose_name=_("skills"))
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    joined_on = models.DateField(_("joined on"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["place_path"], name="volunteers_vol_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return f"volunteer {self.pk}"


class Team(models.Model):
    name = models.CharField(_("name"), max_length=64)
    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, editable=False, default="")
    leader = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        verbose_name=_("leader"),
    )
    description = models.CharField(_("description"), max_length=300, blank=True, default="")
    members = models.ManyToManyField(Volunteer, through="TeamMember", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="volunteers_team_name_unique")
        ]
        indexes = [models.Index(fields=["place_path"], name="volunteers_team_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="team_memberships")
    joined_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="volunteers_team_member_unique")
        ]

    def __str__(self) -> str:
        return f"team {self.team_id} member {self.volunteer_id}"


class TalentPool(models.Model):
    """A talent pool (银发人才库, 讲师团): volunteers listed for what they can offer."""

    name = models.CharField(_("name"), max_length=64)
    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, editable=False, default="")
    description = models.CharField(_("description"), max_length=300, blank=True, default="")
    members = models.ManyToManyField(Volunteer, through="TalentPoolMember", related_name="talent_pools")

    objects = TalentPoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("talent pool")
        verbose_name_plural = _("talent pools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="volunteers_pool_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class TalentPoolMember(models.Model):
    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="pool_memberships")
    speciality = models.CharField(_("speciality"), max_length=120, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pool", "volunteer"], name="volunteers_pool_member_unique")
        ]

    def __str__(self) -> str:
        return f"pool {self.pool_id} member {self.volunteer_id}"


class Activity(models.Model):
    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, editable=False, default="")
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("team"),
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True, default="")
    location = models.CharField(_("location"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    quota = models.PositiveIntegerField(_("places"))
    waitlist = models.BooleanField(_("waiting list"), default=True)
    area = models.CharField(_("area"), max_length=16, choices=ActivityArea.choices)
    # Empty: the ``activity`` rule's points (linli.points) apply when the hours are verified.
    points = models.PositiveIntegerField(_("points per attendance"), null=True, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ActivityStatus.choices,
        default=ActivityStatus.DRAFT,
        editable=False,
    )
    checkin_token = models.CharField(max_length=48, unique=True, editable=False)
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    cancel_reason = models.CharField(max_length=300, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="volunteers_activity_ends_after"
            ),
            models.CheckConstraint(
                condition=models.Q(quota__gte=1), name="volunteers_activity_quota_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["place_path"], name="volunteers_act_path", opclasses=PATH_OPS),
            models.Index(fields=["status", "starts_at"], name="volunteers_act_status_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_hours(self):
        from decimal import Decimal

        return Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)


class ActivityEvent(EventRow):
    """One row per thing that happened to an activity (transitions, sign-ups, check-ins, verifications)."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=24)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["activity", "at"], name="volunteers_event_act_at")]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Signup(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    place_path = models.CharField(max_length=255, editable=False, default="")  # the activity's
    status = models.CharField(_("status"), max_length=16, choices=SignupStatus.choices, editable=False)
    signed_up_at = models.DateTimeField(_("signed up at"))  # the waiting list's order
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True, editable=False)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True, editable=False)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, null=True, blank=True, editable=False
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = SignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="volunteers_signup_unique"),
        ]
        indexes = [
            models.Index(fields=["activity", "status", "signed_up_at"], name="volunteers_signup_queue"),
            models.Index(fields=["volunteer", "status"], name="volunteers_signup_vol"),
        ]

    def __str__(self) -> str:
        return f"signup {self.pk}"

    @property
    def source(self) -> str:
        """The points and hours ledgers' idempotency key for this attendance."""
        return f"volunteers.signup:{self.pk}"


class VolunteerEvent(models.Model):
    """A volunteer's status step (paused, came back, left): who and when."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    note = models.CharField(max_length=300, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.kind}"
