"""Disputes and mediation (PRODUCT.md §5): the mediation team, the dispute ledger (矛盾纠纷台账) with its
parties, sessions, agreements and timeline, and the monthly screening (排查) of each grid.

Parties are registry persons, or outsiders whose name and phone are stored encrypted (with lookup hashes)
and shown masked like the registry. Place paths (``place_path``) are plain columns until the shared place
path field of issue 11 lands."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.fields import EncryptedTextField, LookupHashField
from linli.mediation.access import (
    DisputeQuerySet,
    MediatorQuerySet,
    ScreeningQuerySet,
    TeamQuerySet,
)
from linli.mediation.workflow import (
    AgreementForm,
    DisputeKind,
    DisputeSource,
    DisputeStatus,
    EscalationLevel,
    Method,
    Outcome,
    RiskLevel,
)

PATH_OPS = ["varchar_pattern_ops"]


class MediatorKind(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    LEGAL_LITERATE = "legal_literate", _("Legally literate resident")  # 法律明白人
    PEOPLES_MEDIATOR = "peoples_mediator", _("People's mediator")  # 人民调解员
    LAWYER = "lawyer", _("Community lawyer or legal adviser")  # 社区律师/法律顾问
    POLICE = "police", _("Community police officer")  # 民警
    FAMILY_COUNSELLOR = "family_counsellor", _("Family education counsellor")  # 家庭教育指导师
    SOCIAL_WORKER = "social_worker", _("Social worker")  # 社工


class MediationTeam(models.Model):
    """A community's mediation team (百合园's 百·和, 城南's rule-of-law team)."""

    name = models.CharField(_("name"), max_length=120)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    description = models.TextField(_("description"), blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation team")
        verbose_name_plural = _("mediation teams")
        ordering = ["id"]
        indexes = [models.Index(fields=["place_path"], name="med_team_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    """A member of the mediation team: a login (to work the ledger), a registry person (to earn points),
    or both; the kinds they serve as, and the place they serve (a community or a grid)."""

    name = models.CharField(_("name"), max_length=64)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="mediators", verbose_name=_("account"))
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("person"))
    team = models.ForeignKey(MediationTeam, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="mediators", verbose_name=_("team"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("serves"))
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MediatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["id"]
        indexes = [models.Index(fields=["place_path"], name="med_mediator_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return self.name

    def kind_labels(self) -> list[str]:
        labels = dict(MediatorKind.choices)
        return [str(labels.get(k, k)) for k in self.kinds]


class Dispute(models.Model):
    """One row of the dispute ledger (矛盾纠纷台账)."""

    number = models.CharField(_("number"), max_length=32, blank=True, default="", editable=False)
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=DisputeKind.choices)
    facts = models.TextField(_("facts"))
    source = models.CharField(_("source"), max_length=16, choices=DisputeSource.choices,
                              default=DisputeSource.WALK_IN)
    risk = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW)
    amount = models.DecimalField(_("amount at stake (yuan)"), max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    status = models.CharField(_("status"), max_length=12, choices=DisputeStatus.choices,
                              default=DisputeStatus.REGISTERED, editable=False)
    # Where: the place it happened (a grid, compound, building or house) and the grid and community above.
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("place"))
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    grid = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("grid"), editable=False)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"), editable=False)
    compound = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("compound"), editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    # Links: the case it came from, the screening that found it.
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             editable=False)
    screening = models.ForeignKey("mediation.ScreeningRound", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="disputes", editable=False)
    # Who mediates.
    lead = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.PROTECT, related_name="leading",
                             verbose_name=_("lead mediator"), editable=False)
    helpers = models.ManyToManyField(Mediator, blank=True, related_name="helping", verbose_name=_("helpers"))
    # The workflow.
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, blank=True, default="",
                              editable=False)
    referred_to = models.CharField(_("referred to"), max_length=120, blank=True, default="", editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    due_on = models.DateField(_("due on"), null=True, blank=True, editable=False)
    extended = models.BooleanField(_("extended"), default=False, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How far up the ladder (grid → community → street) the overdue dispute has been escalated.
    escalation_level = models.CharField(_("escalated to"), max_length=16, choices=EscalationLevel.choices, blank=True,
                                        default="", editable=False)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True, default="",
                               editable=False)
    outcome_at = models.DateTimeField(_("result on"), null=True, blank=True, editable=False)
    fulfilled = models.BooleanField(_("agreement fulfilled"), null=True, blank=True, editable=False)
    followed_up_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    reason = models.TextField(_("reason"), blank=True, default="", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    reported_at = models.DateTimeField(_("registered at"), editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["place_path"], name="med_dispute_path", opclasses=PATH_OPS),
            models.Index(fields=["community", "reported_at"], name="med_dispute_comm_month"),
            models.Index(fields=["due_on"], name="med_dispute_open_due",
                         condition=models.Q(status__in=["accepted", "mediating"])),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(case__isnull=False),
                                    name="med_dispute_one_per_case"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")  # 申请人
    RESPONDENT = "respondent", _("Respondent")  # 被申请人


class DisputeParty(models.Model):
    """A party: a registry person, or an outsider whose name and phone are encrypted."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("person"))
    name = EncryptedTextField(_("name"), blank=True, default="")
    name_hash = LookupHashField(source="name")
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_hash = LookupHashField(source="phone")
    # An organisation party (a property company, an owners' committee, a shop): its name, not personal data.
    organisation = models.CharField(_("organisation"), max_length=120, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.dispute_id}:{self.role}"

    def full_name(self) -> str:
        """The plaintext name (only ever shown masked, or through the audited reveal)."""
        if self.organisation:
            return self.organisation
        if self.person is not None:
            return self.person.name
        return self.name


class DisputeEvent(models.Model):
    """The dispute's timeline: one row per transition (written by the runner) and per filing."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, default="")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12, blank=True, default="")
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dispute", "at"], name="med_event_dispute_at")]

    def __str__(self) -> str:
        return f"{self.dispute_id}:{self.kind}"


class MediationSession(models.Model):
    """A mediation session (调解记录): when, where, who, what was said."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    venue = models.CharField(_("place"), max_length=120, blank=True, default="")
    participants = models.TextField(_("participants"), blank=True, default="")
    notes = models.TextField(_("notes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.dispute_id}@{self.held_on}"


class Agreement(models.Model):
    """The mediation agreement (人民调解协议书), written (with a serial number per community and year) or
    oral (recorded as such)."""

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="agreement")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    form = models.CharField(_("form"), max_length=8, choices=AgreementForm.choices)
    serial = models.CharField(_("serial number"), max_length=40, blank=True, default="")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    facts = models.TextField(_("facts and issues"), blank=True, default="")
    terms = models.TextField(_("terms"))
    performance_due = models.DateField(_("to be fulfilled by"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "seq"], condition=models.Q(seq__isnull=False),
                                    name="med_agreement_serial"),
        ]

    def __str__(self) -> str:
        return self.serial or f"{self.dispute_id}"


class AgreementSequence(models.Model):
    """The last number drawn per community, year and kind ("dispute": the ledger number, "agreement": the
    agreement's serial), drawn under a row lock."""

    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "year", "kind"], name="med_seq_community_year")]

    def __str__(self) -> str:
        return f"{self.community_id}/{self.year}/{self.kind}={self.last}"


class ScreeningRound(models.Model):
    """A grid's screening (排查) of one month: done when the grid worker has gone through every compound
    or building (an entry each: the disputes found, or none)."""

    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    month = models.DateField(_("month"))  # the first day of the month
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", editable=False)
    # When the grid was reminded that the round is not finished (from the 25th; once a month: the reminder
    # claims the round with a conditional UPDATE, so a second or concurrent run of the task sends nothing).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening round")
        verbose_name_plural = _("screening rounds")
        ordering = ["-month", "id"]
        constraints = [models.UniqueConstraint(fields=["grid", "month"], name="med_screening_grid_month")]
        indexes = [models.Index(fields=["place_path"], name="med_screening_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return f"{self.grid_id}@{self.month:%Y-%m}"


class ScreeningEntry(models.Model):
    """One compound or building of a screening round: how many disputes were found (0: none found)."""

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="entries")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    found = models.PositiveIntegerField(_("disputes found"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round", "place"], name="med_screening_entry_place")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.place_id}={self.found}"
