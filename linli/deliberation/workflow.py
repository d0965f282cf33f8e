"""Deliberation (议事协商): the states and the transition tables of topics and votes.

Topics (议题)::

    raised (居民提事: seen by the raiser and the staff over its place) → hear (网格听事: the grid worker or
    staff over the place publish it to the community; topics raised by the grid, by staff or from a case
    start here) →
    open (征集中: residents support it, once per household)
      → agenda (列入议程: the support threshold is reached, or staff schedule it)
      → debated (议事: a meeting discussed it) → decided (定事) → closed (办结)
    side paths: merge (into another topic: its households' support moves over), reject (with a reason;
    staff may reopen it), withdraw (the resident who raised it, while it is open).

Votes (表决)::

    draft → open (the roll of who may vote is drawn from the registry) → closed (tallied) → published
    cancel from draft or open (with a reason).

``TOPIC_TRANSITIONS`` and ``VOTE_TRANSITIONS`` are the only place that says what may happen: the actions
run them through ``linli.core.workflow.run``, the pages render their buttons with ``available``, and the
tests walk every (state, action) pair. ``actor=None`` is the system (the support threshold, tasks).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import Transition, available, covers, perms_of, table, transition

PERM_RAISE = "topics.raise"  # residents, grid workers, staff: raise a topic, support one, vote
PERM_VIEW = "deliberation.view"  # staff: see the community's deliberation
PERM_MANAGE = "deliberation.manage"  # community staff: agenda, meetings, votes, projects, funds


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("Raised by a resident")  # 居民提事
    GRID = "grid", _("Raised by the grid")  # 网格听事
    STAFF = "staff", _("Raised by community staff")
    CASE = "case", _("From a case")


class TopicStatus(models.TextChoices):
    RAISED = "raised", _("Waiting for the grid")
    OPEN = "open", _("Gathering support")
    AGENDA = "agenda", _("On the agenda")
    DEBATED = "debated", _("Debated")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Done")
    MERGED = "merged", _("Merged")
    REJECTED = "rejected", _("Not taken up")
    WITHDRAWN = "withdrawn", _("Withdrawn")


T = TopicStatus
SUPPORT_STATUSES = frozenset({T.OPEN, T.AGENDA})
TOPIC_FINAL = frozenset({T.CLOSED, T.MERGED, T.WITHDRAWN})


def is_manager(obj: Any, user: Any) -> bool:
    """Community staff (``deliberation.manage``) over the object's community."""
    return PERM_MANAGE in perms_of(user) and covers(user, obj.community_path)


def is_raiser(topic: Any, user: Any) -> bool:
    return topic.raised_by_id is not None and topic.raised_by_id == user.pk


def is_hearer(topic: Any, user: Any) -> bool:
    """The grid worker (or staff) over the topic's place: 网格听事."""
    return PERM_VIEW in perms_of(user) and covers(user, topic.place_path)


_M = (is_manager,)

TOPIC_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("hear", _("Publish to the community"), [T.RAISED], T.OPEN, (is_hearer, is_manager), style="primary"),
        transition("schedule", _("Put on the agenda"), [T.OPEN], T.AGENDA, _M, style="primary"),
        transition("debate", _("Mark as debated"), [T.AGENDA], T.DEBATED, _M, fields=["note"]),
        transition("decide", _("Record the decision"), [T.DEBATED], T.DECIDED, _M, ["note"], style="primary"),
        transition("close", _("Close as done"), [T.DECIDED], T.CLOSED, _M, style="success", fields=["note"]),
        transition("merge", _("Merge into another topic"), [T.RAISED, T.OPEN, T.AGENDA], T.MERGED, _M, ["into"]),
        transition(
            "reject", _("Do not take up"), [T.RAISED, T.OPEN, T.AGENDA], T.REJECTED, (is_hearer, is_manager), ["reason"],
            style="danger",
        ),
        transition("reopen", _("Reopen"), [T.REJECTED], T.OPEN, _M),
        transition("withdraw", _("Withdraw"), [T.RAISED, T.OPEN], T.WITHDRAWN, (is_raiser,), style="danger"),
    ]
)


def topic_actions(topic: Any, user: Any) -> list[Transition]:
    return available(TOPIC_TRANSITIONS, topic, user)


# --- votes ------------------------------------------------------------------------------------------------


class Electorate(models.TextChoices):
    RESIDENTS = "residents", _("Adult residents of the place (one vote each)")
    HOUSEHOLDS = "households", _("Households of the place (one vote per household)")
    OWNERS = "owners", _("Owners of the compound (by floor area and head count)")


class VoteRule(models.TextChoices):
    """Presets of the quorum and majority (the numbers are stored on each vote: data, not code)."""

    # 城市居民委员会组织法 Art. 9: more than half present; decided by more than half of those present.
    RESIDENTS = "residents", _("Residents' meeting: more than half take part, more than half of them agree")
    # 民法典 Art. 278: two thirds of the area and the owners take part; more than half of the
    # participating area and owners agree.
    OWNERS_ORDINARY = "owners_ordinary", _("Owners (Civil Code Art. 278): ≥2/3 take part, >1/2 of them agree")
    # 民法典 Art. 278 (6)-(8): raising or using maintenance funds, rebuilding: three quarters of them.
    OWNERS_SPECIAL = "owners_special", _(
        "Owners, maintenance funds or rebuilding (Art. 278): ≥2/3 take part, ≥3/4 of them agree"
    )
    CUSTOM = "custom", _("Custom quorum and majority")


# (quorum num, den, strict, majority num, den, strict, by area too)
RULE_PRESETS: dict[str, tuple[int, int, bool, int, int, bool, bool]] = {
    VoteRule.RESIDENTS: (1, 2, True, 1, 2, True, False),
    VoteRule.OWNERS_ORDINARY: (2, 3, False, 1, 2, True, True),
    VoteRule.OWNERS_SPECIAL: (2, 3, False, 3, 4, False, True),
}


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Voting")
    CLOSED = "closed", _("Closed, counted")
    PUBLISHED = "published", _("Result published")
    CANCELLED = "cancelled", _("Cancelled")


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper ballot")


V = VoteStatus

VOTE_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("open", _("Open the vote"), [V.DRAFT], V.OPEN, _M, style="primary"),
        transition("close", _("Close and count"), [V.OPEN], V.CLOSED, _M, style="primary"),
        transition("publish", _("Publish the result"), [V.CLOSED], V.PUBLISHED, _M, style="success"),
        transition("cancel", _("Cancel the vote"), [V.DRAFT, V.OPEN], V.CANCELLED, _M, ["reason"], style="danger"),
    ]
)


def vote_actions(vote: Any, user: Any) -> list[Transition]:
    return available(VOTE_TRANSITIONS, vote, user)


# --- meetings and decisions ------------------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    RESIDENTS_DAY = "residents_day", _("Residents' day (居民议事日)")
    TWO_COMMITTEES = "two_committees", _("Two committees (两委会)")
    RESIDENT_REPS = "resident_reps", _("Residents' representatives (居民代表会)")
    PARTY_REPS = "party_reps", _("Party members' representatives (党员代表会)")
    TRIPARTITE = "tripartite", _("Tripartite council (三方议事会)")
    JOINT = "joint", _("Joint meeting of the big party committee (大党委联席会)")


# Meetings internal to the community's staff and invited participants (the others are public to the community).
INTERNAL_KINDS = frozenset({MeetingKind.TWO_COMMITTEES})


class ParticipantRole(models.TextChoices):
    RESIDENT_REP = "resident_rep", _("Residents' representative")
    PARTY_REP = "party_rep", _("Party members' representative")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    PROPERTY = "property", _("Property company")
    MERCHANT_REP = "merchant_rep", _("Merchants' representative")
    STAFF = "staff", _("Community staff")
    EXPERT = "expert", _("Think-tank expert")
    RESIDENT = "resident", _("Resident")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_SESSION = "in_session", _("In session")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


MS = MeetingStatus
SIGNIN_STATUSES = frozenset({MS.PLANNED, MS.IN_SESSION})

def _its_day_has_come(meeting: Any, user: Any) -> Any:
    """A meeting opens on its scheduled day (or later), never before."""
    from django.utils import timezone

    day = timezone.localtime(meeting.starts_at).date()
    if day > timezone.localdate():
        return _("The meeting is scheduled for %(day)s: it can be opened from that day on.") % {"day": day.isoformat()}
    return None


MEETING_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("start", _("Open the meeting"), [MS.PLANNED], MS.IN_SESSION, _M, guard=_its_day_has_come,
                   style="primary"),
        transition("finish", _("Close with the minutes"), [MS.IN_SESSION], MS.HELD, _M, ["minutes"], style="success"),
        transition("cancel", _("Cancel the meeting"), [MS.PLANNED], MS.CANCELLED, _M, ["reason"], style="danger"),
    ]
)


def meeting_actions(meeting: Any, user: Any) -> list[Transition]:
    return available(MEETING_TRANSITIONS, meeting, user)


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Being carried out")
    DONE = "done", _("Carried out")
    CANCELLED = "cancelled", _("Cancelled")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


DS = DecisionStatus

DECISION_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("carry_out", _("Mark as carried out"), [DS.OPEN], DS.DONE, _M, ["note"], style="success"),
        transition("cancel", _("Cancel the decision"), [DS.OPEN], DS.CANCELLED, _M, ["reason"], style="danger"),
    ]
)


def decision_actions(decision: Any, user: Any) -> list[Transition]:
    return available(DECISION_TRANSITIONS, decision, user)


# --- community projects (微改造, 口袋公园, 停车场) ---------------------------------------------------------------------
#
#   proposed (a resident's or staff's proposal: seen by the proposer and staff) → deliberating (议事: public from
#   here on) → voting (a vote of the community decides) → funding (筹资: residents' contributions, donations,
#   the community budget into the project's ledger) → in_progress (施工: milestones with photos and dates) →
#   completed (完工: residents evaluate, once per household) → closed (结项);
#   cancel from every state before the works start (the ledger must be empty: refund first).
#   A decision (定事) opens a project directly in funding: the community has decided already.


class ProjectKind(models.TextChoices):
    MICRO_RENEWAL = "micro_renewal", _("Micro-renewal (微改造)")
    POCKET_PARK = "pocket_park", _("Pocket park (口袋公园)")
    PARKING = "parking", _("Parking lot (停车场)")
    OTHER = "other", _("Other community project")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DELIBERATING = "deliberating", _("Being deliberated")
    VOTING = "voting", _("Put to the vote")
    FUNDING = "funding", _("Raising funds")
    IN_PROGRESS = "in_progress", _("Works in progress")
    COMPLETED = "completed", _("Completed: residents evaluate")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


P = ProjectStatus
# Money may come in while funds are raised and during the works; it goes out from funding on (a refund, a
# deposit) until the project is closed.
MONEY_IN_STATUSES = frozenset({P.FUNDING, P.IN_PROGRESS})
MONEY_OUT_STATUSES = frozenset({P.FUNDING, P.IN_PROGRESS, P.COMPLETED})
MILESTONE_STATUSES = frozenset({P.FUNDING, P.IN_PROGRESS})


def _vote_passed(project: Any, user: Any) -> Any:
    vote = project.vote
    if vote is None or vote.status not in ("closed", "published"):
        return _("The project's vote has not been counted yet.")
    if not vote.passed:
        return _("The vote did not approve the project.")
    return None


def _funded(project: Any, user: Any) -> Any:
    raised = project.raised_fen()
    if raised < project.budget_fen:
        return _("The funds raised do not cover the budget yet.")
    return None


def _ledger_empty(project: Any, user: Any) -> Any:
    if project.ledger.balance_fen != 0:
        return _("The project still holds money: refund or pay it out first.")
    return None


PROJECT_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("deliberate", _("Take up for deliberation"), [P.PROPOSED], P.DELIBERATING, _M, style="primary",
                   fields=["topic", "note"]),
        transition("put_to_vote", _("Put to the vote"), [P.DELIBERATING], P.VOTING, _M, ["vote"], style="primary"),
        transition("approve", _("Approved: raise the funds"), [P.VOTING], P.FUNDING, _M, guard=_vote_passed,
                   style="success"),
        transition("start", _("Start the works"), [P.FUNDING], P.IN_PROGRESS, _M, guard=_funded, style="primary"),
        transition("complete", _("Mark the works completed"), [P.IN_PROGRESS], P.COMPLETED, _M, ["note"],
                   style="success"),
        transition("close", _("Close the project"), [P.COMPLETED], P.CLOSED, _M, style="secondary"),
        transition("cancel", _("Cancel the project"), [P.PROPOSED, P.DELIBERATING, P.VOTING, P.FUNDING], P.CANCELLED,
                   _M, ["reason"], guard=_ledger_empty, style="danger"),
    ]
)


def project_actions(project: Any, user: Any) -> list[Transition]:
    return available(PROJECT_TRANSITIONS, project, user)


# --- money: one ledger kind for projects and funds -----------------------------------------------------------------


class LedgerKind(models.TextChoices):
    PROJECT = "project", _("Project")
    FUND = "fund", _("Fund")


class EntryKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Residents' contribution")
    DONATION = "donation", _("Donation")
    BUDGET = "budget", _("Community budget")
    PAYMENT = "payment", _("Payment")


MONEY_IN = frozenset({EntryKind.CONTRIBUTION, EntryKind.DONATION, EntryKind.BUDGET})


class FundProgramme(models.TextChoices):
    """Payment runs of a fund: who is paid is drawn from the registry; each person once per year."""

    MEDICAL_INSURANCE_70 = "medical_insurance_70", _("Medical insurance for residents aged 70 and over")


# (minimum age) of each programme
PROGRAMME_MIN_AGE: dict[str, int] = {FundProgramme.MEDICAL_INSURANCE_70: 70}


# --- honours chosen by residents (好婆婆, 好媳妇, 最美家庭, …) ---------------------------------------------------------
#
#   nominating (residents nominate registry persons or households, once per household and category) → voting (one
#   vote of the app's own machinery per category, options = the nominees, one vote per household) → counted (the
#   votes closed and tallied; the winners marked) → published (the public page shows the winners, names masked);
#   cancel while nominating or voting (with a reason: the open votes are cancelled too). One round per community
#   and year.


class NomineeKind(models.TextChoices):
    PERSON = "person", _("A resident")
    HOUSEHOLD = "household", _("A household")


# The categories every community has (staff add more): (name, nominee kind, description).
DEFAULT_HONOUR_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("好婆婆", NomineeKind.PERSON, "孝老爱亲、善待儿媳的婆婆"),
    ("好媳妇", NomineeKind.PERSON, "孝敬老人、和睦家庭的媳妇"),
    ("最美家庭", NomineeKind.HOUSEHOLD, "家风好、邻里和的家庭"),
)


class HonourStatus(models.TextChoices):
    NOMINATING = "nominating", _("Taking nominations")
    VOTING = "voting", _("Residents are voting")
    COUNTED = "counted", _("Counted")
    PUBLISHED = "published", _("Winners published")
    CANCELLED = "cancelled", _("Cancelled")


H = HonourStatus


def _has_contest(rnd: Any, user: Any) -> Any:
    """A vote needs at least two nominees in some category still awarded (a retired honour is not put to the vote)."""
    from linli.deliberation.models import HonourNomination

    counts = (HonourNomination.objects.filter(round_id=rnd.pk, category__active=True).order_by().values("category_id")
              .annotate(n=models.Count("id")).values_list("n", flat=True))
    if not any(n >= 2 for n in counts):
        return _("No category has two nominees yet: a vote needs at least two.")
    return None


HONOUR_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("open_vote", _("Close nominations and open the vote"), [H.NOMINATING], H.VOTING, _M,
                   ["closes_at"], guard=_has_contest, style="primary"),
        transition("count", _("Close the vote and count"), [H.VOTING], H.COUNTED, _M, style="primary"),
        transition("publish", _("Publish the winners"), [H.COUNTED], H.PUBLISHED, _M, style="success"),
        transition("cancel", _("Cancel the round"), [H.NOMINATING, H.VOTING], H.CANCELLED, _M, ["reason"],
                   style="danger"),
    ]
)


def honour_actions(rnd: Any, user: Any) -> list[Transition]:
    return available(HONOUR_TRANSITIONS, rnd, user)


# --- the think tank (智囊团) -----------------------------------------------------------------------------------------


class ExpertKind(models.TextChoices):
    RETIRED_CADRE = "retired_cadre", _("Retired cadre")
    TEACHER = "teacher", _("Teacher")
    LAWYER = "lawyer", _("Lawyer")
    TECHNICIAN = "technician", _("Technician")
    OTHER = "other", _("Other")
