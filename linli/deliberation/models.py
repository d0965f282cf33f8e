"""Deliberation (议事协商): topics (议题) and their support, votes (表决) with their roll and ballots.

Scope: every row carries ``community_path`` (its community's place path; the community's residents and
staff see it) and ``place_path`` (the place it concerns). No business logic here: the actions write,
the tables in ``workflow.py`` decide.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import EventRow
from linli.deliberation.access import (
    CommunityScoped,
    DecisionQuerySet,
    ExpertQuerySet,
    FundQuerySet,
    HonourQuerySet,
    LedgerQuerySet,
    MeetingQuerySet,
    ProjectQuerySet,
    TopicQuerySet,
    VoteQuerySet,
)
from linli.deliberation.workflow import (
    BallotChannel,
    DecisionStatus,
    Electorate,
    EntryKind,
    ExpertKind,
    FundProgramme,
    HonourStatus,
    LedgerKind,
    MeetingKind,
    MeetingStatus,
    NomineeKind,
    ParticipantRole,
    ProjectKind,
    ProjectStatus,
    Satisfaction,
    TopicSource,
    TopicStatus,
    VoteRule,
    VoteStatus,
)

PATH_OPS = ["varchar_pattern_ops"]  # PostgreSQL: LIKE 'prefix%' uses the index (ignored on SQLite)


class EventFields(EventRow):
    """The columns of every typed event row (``linli.core.models.EventRow``), named in the user's language."""

    kind = models.CharField(_("event"), max_length=24)
    at = models.DateTimeField(_("time"))

    class Meta(EventRow.Meta):
        abstract = True


class Topic(models.Model):
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True, default="")
    source = models.CharField(_("source"), max_length=16, choices=TopicSource.choices, editable=False)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    place_path = models.CharField(max_length=255, editable=False, default="")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    raised_by_name = models.CharField(max_length=64, blank=True, default="", editable=False)
    support_count = models.PositiveIntegerField(default=0, editable=False)
    support_threshold = models.PositiveIntegerField(_("support needed for the agenda"), default=10)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_topics", editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.RAISED, editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="", editable=False)
    decision_note = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["community_path", "-id"], name="delib_topic_comm", opclasses=[*PATH_OPS, ""]),
            models.Index(fields=["case"], name="delib_topic_case"),
        ]

    def __str__(self) -> str:
        return self.title


class TopicSupport(models.Model):
    """A household's support of a topic (附议). ``voter_key`` is ``h<household id>`` (or ``p<person id>`` for
    a person in no household): one row per household whatever the races (the unique constraint)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    voter_key = models.CharField(max_length=24)
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "voter_key"], name="delib_support_once_per_household")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.voter_key}"


class TopicEvent(EventFields):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="events")

    class Meta(EventFields.Meta):
        indexes = [models.Index(fields=["topic", "at"], name="delib_topic_event")]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.kind}"


class Vote(models.Model):
    title = models.CharField(_("title"), max_length=100)
    question = models.TextField(_("question"), blank=True, default="")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="votes")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("who votes: the place")
    )
    place_path = models.CharField(max_length=255, editable=False, default="")
    electorate = models.CharField(_("who votes"), max_length=16, choices=Electorate.choices)
    rule = models.CharField(_("rule"), max_length=16, choices=VoteRule.choices)
    # The quorum and the majority, as data: (num/den, strict: ">" rather than "≥"); ``by_area``: the floor
    # area must pass as well as the head count (owners, Civil Code Art. 278).
    quorum_num = models.PositiveSmallIntegerField(default=1)
    quorum_den = models.PositiveSmallIntegerField(default=2)
    quorum_strict = models.BooleanField(default=True)
    majority_num = models.PositiveSmallIntegerField(default=1)
    majority_den = models.PositiveSmallIntegerField(default=2)
    majority_strict = models.BooleanField(default=True)
    by_area = models.BooleanField(default=False)
    options = models.JSONField(default=list)  # [[key, label], ...]; the first is "agree" in a yes/no vote
    yes_no = models.BooleanField(default=True)  # agree / disagree / abstain; else a choice among options
    secret = models.BooleanField(_("secret ballot"), default=True)
    online = models.BooleanField(_("online voting"), default=True)
    paper = models.BooleanField(_("paper ballots"), default=True)
    closes_at = models.DateTimeField(_("closes at"))
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    roll_heads = models.PositiveIntegerField(default=0, editable=False)
    roll_area_cm2 = models.BigIntegerField(default=0, editable=False)  # floor area in 0.01 m²
    result = models.JSONField(default=dict, blank=True, editable=False)
    passed = models.BooleanField(null=True, editable=False)
    reason = models.CharField(max_length=300, blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=VoteStatus.choices, default=VoteStatus.DRAFT, editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community_path", "-id"], name="delib_vote_comm", opclasses=[*PATH_OPS, ""])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum_den__gt=0, majority_den__gt=0), name="delib_vote_fractions"
            ),
            models.CheckConstraint(
                condition=models.Q(quorum_num__lte=models.F("quorum_den"), majority_num__lte=models.F("majority_den")),
                name="delib_vote_fractions_at_most_one",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def option_label(self, key: str) -> str:
        return dict((k, v) for k, v in self.options).get(key, key)


class RollEntry(models.Model):
    """One line of the roll (选民名册), drawn from the registry when the vote opens: a person, a household,
    or an owner (one or more houses of the same owners: area summed, one head)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="roll")
    key = models.CharField(max_length=24)  # p<person id> / h<household id> / o<first house id>
    label = models.CharField(max_length=120)  # the house(s) or household; masked names only
    household = models.ForeignKey(
        "residents.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    heads = models.PositiveIntegerField(default=1)
    area_cm2 = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["vote", "key"], name="delib_roll_key_once")]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.key}"

    @property
    def area_m2(self) -> str:
        from linli.deliberation.rules import m2

        return m2(self.area_cm2)


class RollMember(models.Model):
    """Who may cast the ballot of a roll entry (the person, the household's adults, the house's owners):
    a person belongs to one entry of a vote."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "person"], name="delib_roll_person_once")]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.person_id}"


class Ballot(models.Model):
    """The one ballot of a roll entry. Cast again before the close, it is changed, never doubled: the
    unique constraint on (vote, entry) holds whatever the races. ``heads``/``area_cm2`` are copied from the
    roll so the tally is one GROUP BY over this table."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=16)
    heads = models.PositiveIntegerField(default=1)
    area_cm2 = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=8, choices=BallotChannel.choices)
    paper_number = models.CharField(max_length=32, blank=True, default="")
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1)
    cast_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "entry"], name="delib_ballot_once_per_entry")]
        indexes = [models.Index(fields=["vote", "choice"], name="delib_ballot_tally")]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.entry_id}"


class VoteEvent(EventFields):
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="events")

    class Meta(EventFields.Meta):
        indexes = [models.Index(fields=["vote", "at"], name="delib_vote_event")]

    def __str__(self) -> str:
        return f"{self.vote_id} {self.kind}"


class Meeting(models.Model):
    """A deliberation meeting (议事会) of a community: its participants by role, the agenda from topics,
    the minutes, the decisions. A residents' day (居民议事日) is open to every resident of the community."""

    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=100)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("location"), max_length=100, blank=True, default="")
    minutes = models.TextField(_("minutes"), blank=True, default="", editable=False)
    reason = models.CharField(max_length=300, blank=True, default="", editable=False)
    checkin_token = models.CharField(max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED, editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community_path", "-id"], name="delib_meeting_comm", opclasses=[*PATH_OPS, ""])]

    def __str__(self) -> str:
        return self.title


class MeetingEvent(EventFields):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")

    class Meta(EventFields.Meta):
        indexes = [models.Index(fields=["meeting", "at"], name="delib_meeting_event")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.kind}"


class Participant(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("role"), max_length=16, choices=ParticipantRole.choices)
    name = models.CharField(_("name"), max_length=64)
    organisation = models.CharField(_("unit"), max_length=100, blank=True, default="")
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invited = models.BooleanField(default=True)
    signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], condition=models.Q(person__isnull=False), name="delib_participant_person_once"),
            models.UniqueConstraint(fields=["meeting", "user"], condition=models.Q(user__isnull=False), name="delib_participant_user_once"),
        ]

    def __str__(self) -> str:
        return self.name


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(_("discussion"), blank=True, default="")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "topic"], name="delib_agenda_topic_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.topic_id}"


class Decision(models.Model):
    """A decision (定事) of a meeting or a vote, with an owner and a deadline; carried out (办事: it may
    open cases or a project) and evaluated by residents afterwards (评事)."""

    text = models.TextField(_("decision"))
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    vote = models.ForeignKey(Vote, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner_name = models.CharField(_("owner"), max_length=64)
    deadline = models.DateField(_("deadline"))
    outcome = models.TextField(blank=True, default="", editable=False)
    reason = models.CharField(max_length=300, blank=True, default="", editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    satisfied_count = models.PositiveIntegerField(default=0, editable=False)  # satisfied + basically
    status = models.CharField(
        _("status"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.OPEN, editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community_path", "status"], name="delib_decision_comm", opclasses=[*PATH_OPS, ""])]

    def __str__(self) -> str:
        return self.text[:40]


class DecisionEvent(EventFields):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="events")

    class Meta(EventFields.Meta):
        indexes = [models.Index(fields=["decision", "at"], name="delib_decision_event")]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.kind}"


class DecisionCase(models.Model):
    """A case the decision opened (办事 through the closed loop)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="cases")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.decision_id}:{self.case_id}"


class DecisionRating(models.Model):
    """A household's evaluation of a carried-out decision (群众评事): once per household."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="ratings")
    voter_key = models.CharField(max_length=24)
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices)
    comment = models.CharField(max_length=300, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision", "voter_key"], name="delib_rating_once_per_household")]

    def __str__(self) -> str:
        return f"{self.decision_id}:{self.voter_key}"


# --- money: one ledger kind for projects and funds ---------------------------------------------------------------


class Ledger(models.Model):
    """The money of a project or a fund (分账). ``balance_fen`` is the sum of its entries, moved in the same
    transaction as each entry by a conditional UPDATE (``balance + amount >= 0``); a CHECK constraint
    keeps it from going below zero whatever the races. Amounts are integers in fen (分)."""

    kind = models.CharField(max_length=8, choices=LedgerKind.choices, editable=False)
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    balance_fen = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(balance_fen__gte=0), name="delib_ledger_never_negative")]

    def __str__(self) -> str:
        return self.name


class LedgerEntry(models.Model):
    """One line of a ledger: money in (a positive amount) or out (negative). Append-only below the
    application (triggers, migration 0004): a mistake is corrected by a further entry."""

    # What the anonymisation after the retention period may blank (core.append_only.redaction; the
    # database's triggers allow nothing else: migration 0007).
    redactable_fields = ("counterparty", "note", "actor_name")

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    balance_after_fen = models.BigIntegerField()
    # Who gave or was paid, as the ledger shows it to staff ("张先生", "某某物业公司"); never on a public page.
    counterparty = models.CharField(_("from / to"), max_length=100, blank=True, default="")
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ledger", "id"], name="delib_entry_ledger")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="payment", amount_fen__lt=0)
                    | (~models.Q(kind="payment") & models.Q(amount_fen__gt=0))
                ),
                name="delib_entry_sign_by_kind",
            ),
            models.CheckConstraint(condition=models.Q(balance_after_fen__gte=0), name="delib_entry_balance_after"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_id}:{self.amount_fen}"


# --- community projects ---------------------------------------------------------------------------------------------


class Project(models.Model):
    """A community project (微改造, 口袋公园, 停车场) from the proposal to the residents' evaluation; its money
    in its own ledger, its progress in milestones with photos."""

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=ProjectKind.choices)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    place_path = models.CharField(max_length=255, editable=False, default="")
    budget_fen = models.BigIntegerField(_("budget (fen)"), default=0)
    ledger = models.OneToOneField(Ledger, on_delete=models.PROTECT, related_name="project", editable=False)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="projects", editable=False)
    vote = models.ForeignKey(Vote, null=True, blank=True, on_delete=models.PROTECT, related_name="projects", editable=False)
    decision = models.ForeignKey(
        "Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="projects", editable=False
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    public = models.BooleanField(default=False, editable=False)
    outcome = models.TextField(blank=True, default="", editable=False)
    reason = models.CharField(max_length=300, blank=True, default="", editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    satisfied_count = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED, editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("community project")
        verbose_name_plural = _("community projects")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community_path", "-id"], name="delib_project_comm", opclasses=[*PATH_OPS, ""])]
        constraints = [models.CheckConstraint(condition=models.Q(budget_fen__gte=0), name="delib_project_budget")]

    def __str__(self) -> str:
        return self.title

    def raised_fen(self) -> int:
        """Money that came in (contributions, donations, budget); lists annotate it as ``raised_sum``."""
        if hasattr(self, "raised_sum"):
            return int(self.raised_sum or 0)
        total = self.ledger.entries.filter(amount_fen__gt=0).aggregate(s=models.Sum("amount_fen"))["s"]
        return int(total or 0)


class ProjectEvent(EventFields):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")

    class Meta(EventFields.Meta):
        indexes = [models.Index(fields=["project", "at"], name="delib_project_event")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind}"


class Milestone(models.Model):
    """A step of the works (开工, 主体完成, 验收...): planned for a date, reached on a date, with photos."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=100)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    done_on = models.DateField(_("reached on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return self.title


def _milestone_photo_path(instance: MilestonePhoto, filename: str) -> str:
    return f"deliberation/projects/{instance.milestone.project_id}/{filename}"


class MilestonePhoto(models.Model):
    """A photo of a milestone, cleaned by ``linli.core.uploads.photo_clean`` (pixels checked before decoding,
    no EXIF): shown wherever the project is (its public page too)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=_milestone_photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.image.name or ""


class ProjectRating(models.Model):
    """A household's evaluation of a completed project (群众评事): once per household."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    voter_key = models.CharField(max_length=24)
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices)
    comment = models.CharField(max_length=300, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "voter_key"], name="delib_project_rating_once")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.voter_key}"


# --- funds (党员扶助基金 and the like) ----------------------------------------------------------------------------


class Fund(models.Model):
    """A community fund: donations in and payments out in its ledger (the same ledger kind as projects)."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, default="")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    ledger = models.OneToOneField(Ledger, on_delete=models.PROTECT, related_name="fund", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community_path", "-id"], name="delib_fund_comm", opclasses=[*PATH_OPS, ""])]

    def __str__(self) -> str:
        return self.name


class FundRun(models.Model):
    """One payment run of a programme for a year: its list drawn from the registry at run time."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="runs")
    programme = models.CharField(_("programme"), max_length=32, choices=FundProgramme.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount_fen = models.BigIntegerField(_("per person (fen)"))
    eligible = models.PositiveIntegerField(default=0)  # drawn from the registry
    paid = models.PositiveIntegerField(default=0)  # paid by this run (the others were paid before)
    total_fen = models.BigIntegerField(default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.fund_id}:{self.programme}:{self.year}"


class FundPayment(models.Model):
    """A person paid by a programme in a year: once, whatever the runs and the races (unique constraint)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="payments")
    run = models.ForeignKey(FundRun, on_delete=models.PROTECT, related_name="payments")
    programme = models.CharField(max_length=32, choices=FundProgramme.choices)
    year = models.PositiveSmallIntegerField()
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "programme", "year", "person"], name="delib_fund_paid_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.programme}:{self.year}:{self.person_id}"


# --- honours chosen by residents ----------------------------------------------------------------------------------


class HonourCategory(models.Model):
    """An honour a community awards each year (好婆婆, 好媳妇, 最美家庭 by default; staff add more)."""

    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    nominee_kind = models.CharField(_("who is nominated"), max_length=16, choices=NomineeKind.choices)
    seats = models.PositiveSmallIntegerField(_("winners per year"), default=1)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityScoped.as_manager()

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="delib_honour_category_unique"),
            models.CheckConstraint(condition=models.Q(seats__gte=1, seats__lte=20), name="delib_honour_seats"),
        ]

    def __str__(self) -> str:
        return self.name


class HonourRound(models.Model):
    """A community's yearly round: nominations, one vote per category, the winners published."""

    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    public = models.BooleanField(default=False, editable=False)
    reason = models.CharField(max_length=300, blank=True, default="", editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=HonourStatus.choices, default=HonourStatus.NOMINATING, editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HonourQuerySet.as_manager()

    class Meta:
        verbose_name = _("honours round")
        verbose_name_plural = _("honours rounds")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["community_path", "-id"], name="delib_honour_comm", opclasses=[*PATH_OPS, ""])]
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="delib_honour_round_yearly")]

    def __str__(self) -> str:
        return self.title


class HonourEvent(EventFields):
    round = models.ForeignKey(HonourRound, on_delete=models.PROTECT, related_name="events")

    class Meta(EventFields.Meta):
        indexes = [models.Index(fields=["round", "at"], name="delib_honour_event")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind}"


class HonourContest(models.Model):
    """A category of a round put to the residents: its vote (the app's one vote machinery)."""

    round = models.ForeignKey(HonourRound, on_delete=models.CASCADE, related_name="contests")
    category = models.ForeignKey(HonourCategory, on_delete=models.PROTECT, related_name="+")
    vote = models.OneToOneField(Vote, on_delete=models.PROTECT, related_name="honour_contest")

    class Meta:
        ordering = ["category_id"]
        constraints = [models.UniqueConstraint(fields=["round", "category"], name="delib_honour_contest_unique")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.category_id}"


class HonourNomination(models.Model):
    """A nominee of a category (a registry person or household), named masked (``label``). Each household
    nominates once per category and round; a nominee is on the list once however many nominate them."""

    round = models.ForeignKey(HonourRound, on_delete=models.CASCADE, related_name="nominations")
    category = models.ForeignKey(HonourCategory, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("residents.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    nominee_key = models.CharField(max_length=24)  # p<person> or h<household>
    label = models.CharField(_("nominee"), max_length=60)  # masked name (and the building)
    reason = models.CharField(_("why"), max_length=300)
    nominators = models.PositiveIntegerField(default=1, editable=False)
    option_key = models.CharField(max_length=8, blank=True, default="", editable=False)  # the vote's option
    won = models.BooleanField(default=False, editable=False)
    votes = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "category", "nominee_key"], name="delib_honour_nominee_once"),
            models.CheckConstraint(condition=models.Q(person__isnull=False) | models.Q(household__isnull=False),
                                   name="delib_honour_nominee_someone"),
        ]

    def __str__(self) -> str:
        return self.label


class HonourNominator(models.Model):
    """Who nominated (one household once per category and round, whatever the races)."""

    round = models.ForeignKey(HonourRound, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(HonourCategory, on_delete=models.PROTECT, related_name="+")
    nomination = models.ForeignKey(HonourNomination, on_delete=models.CASCADE, related_name="nominated_by")
    voter_key = models.CharField(max_length=24)  # h<household> or p<person>
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "category", "voter_key"], name="delib_honour_nominator_once"),
        ]

    def __str__(self) -> str:
        return self.voter_key


# --- the think tank (智囊团) -------------------------------------------------------------------------------------------


class Expert(models.Model):
    """A member of a community's think tank: a retired cadre, teacher, lawyer or technician with fields. The
    name is shown masked to those who may not unmask; ``user`` (found by the phone staff give, which is not
    kept) receives invitations and may record their own opinions."""

    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("background"), max_length=16, choices=ExpertKind.choices)
    specialties = models.CharField(_("fields"), max_length=200)  # 、-separated: 城市规划、物业纠纷
    title = models.CharField(_("title or work unit"), max_length=100, blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("think-tank expert")
        verbose_name_plural = _("think-tank experts")
        ordering = ["id"]
        indexes = [models.Index(fields=["community_path", "id"], name="delib_expert_comm", opclasses=[*PATH_OPS, ""])]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def field_list(self) -> list[str]:
        return [f.strip() for f in self.specialties.replace(",", "、").replace("，", "、").split("、") if f.strip()]


class ExpertInvitation(models.Model):
    """An expert invited to give an opinion on a topic (told through the outbox)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="expert_invitations")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["topic", "expert"], name="delib_expert_invited_once")]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.expert_id}"


class ExpertOpinion(models.Model):
    """An invited expert's opinion on a topic (recorded by the expert or by staff for them)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="expert_opinions")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="opinions")
    text = models.TextField(_("opinion"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["topic", "at"], name="delib_expert_opinion_topic")]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.expert_id}"
