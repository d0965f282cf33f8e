"""Evaluation (评价): building cross-evaluation rounds with the mobile red flag (流动小红旗).

- ``Criterion``: what buildings are scored on (安全, 卫生, 文明创建, …), each with a weight and a maximum;
  data that staff edit. A round keeps a copy of the criteria it opened with, so that editing them later
  never changes a published ranking.
- ``EvaluationRound``: one compound, one month; its state runs through the one transition runner.
- ``ScoreSheet``: what one building gave every other building of the compound in a round; one per
  building per round (a unique constraint), never its own building (a check constraint on each score).
- ``Score``: one number per (sheet, building scored, criterion).
- ``RoundResult``: the ranking fixed at publication, with the red flags.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import EventRow
from linli.evaluation.access import (
    CampaignQuerySet,
    CommitmentQuerySet,
    MemberEvaluationQuerySet,
    RoundQuerySet,
    SurveyQuerySet,
    TrainingQuerySet,
)
from linli.evaluation.workflow import (
    CampaignKind,
    CampaignStatus,
    CommitmentStatus,
    MemberEvaluationStatus,
    MemberGrade,
    Organiser,
    RoundStatus,
)

PATH_OPS = ["varchar_pattern_ops"]


class Criterion(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_score__gte=1), name="evaluation_criterion_max_positive"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="evaluation_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class EvaluationRound(models.Model):
    compound = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("compound")
    )
    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, editable=False, default="")
    month = models.DateField(_("month"))  # the first day of the month
    organiser = models.CharField(_("organised by"), max_length=16, choices=Organiser.choices)
    closes_on = models.DateField(_("scores close on"))
    criteria = models.JSONField(default=list, editable=False)  # [{code, name, weight, max_score}]
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN, editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "month"],
                condition=~Q(status=RoundStatus.CANCELLED),
                name="evaluation_one_round_per_compound_month",
            )
        ]
        indexes = [
            models.Index(fields=["place_path"], name="evaluation_round_path", opclasses=PATH_OPS),
            models.Index(fields=["month", "status"], name="evaluation_round_month"),
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.month:%Y-%m}"


class RoundEvent(EventRow):
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind}"


class ScoreSheet(models.Model):
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="sheets")
    building = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("scoring building")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_paper = models.BooleanField(_("entered from paper by staff"), default=False)
    submitted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(fields=["round", "building"], name="evaluation_one_sheet_per_building"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.building_id}"


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="+")
    scorer = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    criterion = models.CharField(max_length=32)
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "target", "criterion"], name="evaluation_one_score"),
            models.CheckConstraint(condition=~Q(scorer=F("target")), name="evaluation_never_scores_itself"),
        ]
        indexes = [models.Index(fields=["round", "target"], name="evaluation_score_target")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.criterion}={self.value}"


class RoundResult(models.Model):
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="results")
    building = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    total = models.DecimalField(max_digits=6, decimal_places=2)  # 0–100, the weighted mean over sheets
    sheets = models.PositiveSmallIntegerField(default=0)
    by_criterion = models.JSONField(default=dict)  # code → mean score
    red_flag = models.BooleanField(default=False)
    place_path = models.CharField(max_length=255, default="")
    month = models.DateField()

    class Meta:
        ordering = ["round", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "building"], name="evaluation_one_result"),
            models.UniqueConstraint(fields=["round", "rank"], name="evaluation_one_rank"),
        ]
        indexes = [models.Index(fields=["building", "month"], name="evaluation_result_building")]

    def __str__(self) -> str:
        return f"{self.round_id} #{self.rank} {self.building_id}"


# --- inspection campaigns ------------------------------------------------------------------------------------


class ChecklistTemplate(models.Model):
    """A checklist (创文 楼道检查表, 环境整治 检查表…): items, each filed as a case of its category when it fails."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=32)
    text = models.CharField(_("what is checked"), max_length=100)
    category = models.CharField(_("case category"), max_length=32)  # a cases category code (ENV.CLUTTER …)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="evaluation_item_code")]

    def __str__(self) -> str:
        return self.text


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices)
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("checklist"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("organised over"))  # a street or a community
    place_path = models.CharField(max_length=255, editable=False, default="")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection campaign")
        verbose_name_plural = _("inspection campaigns")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["place_path"], name="evaluation_campaign_path", opclasses=PATH_OPS)]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="evaluation_campaign_dates")]

    def __str__(self) -> str:
        return self.name


class CampaignEvent(EventRow):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind}"


class CampaignTarget(models.Model):
    """A compound or building the campaign inspects, and the inspector it is assigned to."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "place"], name="evaluation_target_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.place_id}"


class Inspection(models.Model):
    target = models.ForeignKey(CampaignTarget, on_delete=models.CASCADE, related_name="inspections")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    key = models.CharField(max_length=64)  # the form's one-time key: the same submission twice is one row
    inspected_at = models.DateTimeField()
    passed = models.PositiveSmallIntegerField(default=0)
    failed = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True, default="")
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-inspected_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="evaluation_inspection_key")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.inspected_at:%Y-%m-%d}"


class Finding(models.Model):
    """A failed item of a target in a campaign: one per (target, item), with the one case it filed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="findings")
    target = models.ForeignKey(CampaignTarget, on_delete=models.CASCADE, related_name="findings")
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    case_id = models.BigIntegerField(null=True, blank=True)  # cases.Case, read through the cases' selectors
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "item"], name="evaluation_one_finding")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.item_id}"


class RankingWeight(models.Model):
    """One component of the street's ranking of communities and grids, with its weight (data: staff edit
    the weights; a weight of 0 leaves the component out)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ranking weight")
        verbose_name_plural = _("ranking weights")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.name} ×{self.weight}"


# --- satisfaction surveys ----------------------------------------------------------------------------------------


class Questionnaire(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question: a choice among options, a scale (1..options count), or free text. The questionnaire's
    satisfaction question (``satisfied_options`` not empty) gives the monthly satisfaction rate."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=32)
    text = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=[("choice", _("Choice")), ("scale", _("Scale")),
                                                             ("text", _("Text"))])
    options = models.JSONField(default=list, blank=True)
    satisfied_options = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["questionnaire", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="evaluation_question_code")]

    def __str__(self) -> str:
        return self.text


class Survey(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, editable=False, default="")
    month = models.DateField(_("month"))
    sample_size = models.PositiveIntegerField(_("households sampled"))
    target_rate = models.DecimalField(_("target"), max_digits=4, decimal_places=3, default=0.95)
    status = models.CharField(_("status"), max_length=16, default="open", editable=False,
                              choices=[("open", _("Open")), ("closed", _("Closed"))])
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-month", "-id"]
        indexes = [models.Index(fields=["place_path"], name="evaluation_survey_path", opclasses=PATH_OPS)]
        constraints = [models.UniqueConstraint(fields=["community", "month", "questionnaire"], name="evaluation_survey_month")]

    def __str__(self) -> str:
        return f"{self.community} {self.month:%Y-%m}"


class SurveyEvent(EventRow):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.kind}"


class SurveyInvite(models.Model):
    """A sampled household and its one-time link (SMS or a printed QR slip); no personal data is kept here."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invites")
    household_id = models.BigIntegerField()
    label = models.CharField(max_length=120, blank=True, default="")  # the house, as the address reads
    token = models.CharField(max_length=32, unique=True)
    sms_at = models.DateTimeField(null=True, blank=True)  # the link was queued to the household by SMS

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "household_id"], name="evaluation_invite_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.household_id}"


class SurveyAnswer(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    household_id = models.BigIntegerField()
    channel = models.CharField(max_length=8, choices=[("link", _("Link")), ("phone", _("By phone")),
                                                      ("app", _("Logged in"))])
    answers = models.JSONField(default=dict)
    satisfied = models.BooleanField(null=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    answered_at = models.DateTimeField()
    case_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "household_id"], name="evaluation_one_answer_per_household")]
        indexes = [models.Index(fields=["survey", "satisfied"], name="evaluation_answer_satisfied")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.household_id}"


# --- staff training and the secretary's studio (书记工作室) -------------------------------------------------------


class TrainingKind(models.TextChoices):
    COURSE = "course", _("Course")
    LECTURE = "lecture", _("Secretary's lecture (书记讲堂)")
    SALON = "salon", _("Salon (沙龙)")
    MENTORING = "mentoring", _("Mentor and apprentice (师徒结对)")
    TACKLING = "tackling", _("Tackling a hard problem (难题攻坚)")


class TrainingSession(models.Model):
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=TrainingKind.choices)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("held by"))
    place_path = models.CharField(max_length=255, editable=False, default="")
    held_on = models.DateField(_("held on"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    teacher = models.CharField(_("teacher"), max_length=64, blank=True, default="")
    pair = models.ForeignKey("evaluation.MentorPair", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="sessions", verbose_name=_("mentor pair"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["place_path", "held_on"], name="evaluation_training_path")]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="evaluation_training_hours")]

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    year = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="evaluation_attend_once")]
        indexes = [models.Index(fields=["user", "year"], name="evaluation_attend_user_year")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.user_id}"


# --- party members serving the community (双报到, 五亮五共) ----------------------------------------------------------


class Commitment(models.Model):
    """亮承诺: what a party member promises the residents of a building for a year, shown with their
    identity (亮身份) on the building's page and its QR page."""

    member = models.ForeignKey("party.PartyMember", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party member"))
    building = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("building"))
    place_path = models.CharField(max_length=255, editable=False, default="")
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.CharField(_("commitment"), max_length=200)
    active = models.BooleanField(default=True)
    # A member's own commitment waits for the community's approval before it is shown (one made by staff
    # is approved as it is made); see ``workflow.COMMITMENT_TRANSITIONS``.
    status = models.CharField(_("status"), max_length=16, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.PENDING, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["year", "id"]
        indexes = [models.Index(fields=["place_path", "year"], name="evaluation_commit_path")]

    def __str__(self) -> str:
        return self.text


class CommitmentEvent(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, default="")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.kind}"


class CommitmentLog(models.Model):
    """亮行动, 亮业绩: what the member did against a commitment."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="logs")
    done_on = models.DateField(_("done on"))
    text = models.CharField(_("what was done"), max_length=300)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["commitment", "done_on"], name="evaluation_commitlog_day")]

    def __str__(self) -> str:
        return self.text


class CommitmentRating(models.Model):
    """效果共评: a household's rating of a commitment at the year's end, once per household."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="ratings")
    household_id = models.BigIntegerField()
    value = models.CharField(_("rating"), max_length=12, choices=[
        ("satisfied", _("Satisfied")), ("basically", _("Basically satisfied")), ("unsatisfied", _("Not satisfied"))])
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    rated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commitment", "household_id"],
                                               name="evaluation_commit_rated_once")]

    def __str__(self) -> str:
        return f"{self.commitment_id}/{self.household_id}"


class MemberEvaluation(models.Model):
    """A registered member's half year: the figures of their service record (read from party, points and
    the commitments at preparation) and the community's comment and grade; carried in the employer report."""

    member = models.ForeignKey("party.PartyMember", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party member"))
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    place_path = models.CharField(max_length=255, editable=False, default="")  # the community's path
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half year"))
    status = models.CharField(_("status"), max_length=16, choices=MemberEvaluationStatus.choices,
                              default=MemberEvaluationStatus.DRAFT, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    orders_done = models.PositiveIntegerField(default=0)
    orders_rated = models.PositiveIntegerField(default=0)
    orders_satisfied = models.PositiveIntegerField(default=0)
    wishes_done = models.PositiveIntegerField(default=0)
    hours = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    commitments = models.PositiveSmallIntegerField(default=0)
    commitments_kept = models.PositiveSmallIntegerField(default=0)
    grade = models.CharField(_("grade"), max_length=12, choices=MemberGrade.choices, blank=True, default="")
    comment = models.TextField(_("community's comment"), blank=True, default="")
    commented_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member's evaluation")
        verbose_name_plural = _("party members' evaluations")
        ordering = ["-year", "-half", "id"]
        indexes = [models.Index(fields=["place_path", "year", "half"], name="evaluation_membereval_path")]
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "half"], name="evaluation_member_once_a_half"),
            # A range, not IN (1, 2): Django's SQLite introspection cannot parse a list inside a CHECK.
            models.CheckConstraint(condition=Q(half__gte=1, half__lte=2), name="evaluation_member_half"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}H{self.half}"

    @property
    def satisfied_rate(self) -> float | None:
        return round(self.orders_satisfied / self.orders_rated, 4) if self.orders_rated else None


class MemberEvaluationEvent(EventRow):
    evaluation = models.ForeignKey(MemberEvaluation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.kind}"


class MentorPair(models.Model):
    """师徒结对: an experienced staff member and a new one, paired in the secretary's studio. Their mentoring
    sessions (a TrainingSession of kind mentoring naming the pair) count in both one's training hours."""

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("mentor"))
    apprentice = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("apprentice"))
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("held by"))
    place_path = models.CharField(max_length=255, editable=False, default="")
    started_on = models.DateField(_("paired on"))
    goal = models.CharField(_("goal"), max_length=200, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mentor pair")
        verbose_name_plural = _("mentor pairs")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("apprentice")), name="evaluation_pair_two_people"),
            models.UniqueConstraint(fields=["mentor", "apprentice"], condition=Q(active=True),
                                    name="evaluation_pair_once"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id}→{self.apprentice_id}"
