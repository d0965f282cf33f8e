"""Building cross-evaluation rounds (楼栋互评): their states and their one transition table.

    open → close (scores end; any time by the organiser, or by the task on the closing day) → closed
         → cancel (reason) → cancelled
    closed → publish (the ranking and the red flags are fixed) → published
           → reopen (back to open, before publication) → open

A round belongs to one compound and one month. It is opened by the compound's party branch (its
secretary, or a secretary above it) or by staff holding ``evaluation.manage`` over the compound (who
also act for the owners' committee). Buildings score each other on score sheets (``sheet_submit``,
not a transition: one sheet per building per round, enforced by the database).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import Transition, available, table, transition

PERM_VIEW = "evaluation.view"
PERM_MANAGE = "evaluation.manage"
PERM_SCORE = "evaluation.score"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open for scores")
    CLOSED = "closed", _("Scores closed")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Organiser(models.TextChoices):
    BRANCH = "branch", _("Party branch")  # 小区党支部
    COMMITTEE = "committee", _("Owners' committee")  # 业委会
    COMMUNITY = "community", _("Community")


S = RoundStatus

TIE_RULE_LABEL = _(
    "Ranked by the weighted total (each criterion's mean score as a share of its maximum, times its weight, "
    "over the sum of the weights, on 100). Equal totals are separated by the mean on the heaviest criterion, "
    "then the next heaviest, and so on; then by the number of sheets that scored the building; then by the "
    "building's name in natural order. The top three hang the red flag."
)


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def is_organiser(rnd: Any, user: Any) -> bool:
    """Staff with ``evaluation.manage`` over the compound, or the secretary of a party organisation at or
    above it (the branch that opened the round)."""
    scope = getattr(user, "scope", None)
    if PERM_MANAGE in _perms(user) and scope is not None and scope.covers_path(rnd.place_path):
        return True
    from linli.party.selectors import leads_org_over

    return leads_org_over(user, rnd.place_path)


def needs_a_sheet(rnd: Any, user: Any) -> Any:
    """A round nobody scored has nothing to publish."""
    return None if rnd.sheets.exists() else _("No building has scored: there is nothing to publish.")


TRANSITIONS: dict[str, Transition] = table(
    [
        transition("close", _("Close scoring"), [S.OPEN], S.CLOSED, [is_organiser], style="primary"),
        transition("reopen", _("Reopen scoring"), [S.CLOSED], S.OPEN, [is_organiser], ["reason"]),
        transition("publish", _("Publish the ranking"), [S.CLOSED], S.PUBLISHED, [is_organiser], guard=needs_a_sheet,
                   style="success"),
        transition("cancel", _("Cancel the round"), [S.OPEN, S.CLOSED], S.CANCELLED, [is_organiser], ["reason"],
                   style="danger"),
    ]
)


def available_actions(rnd: Any, user: Any) -> list[Transition]:
    return available(TRANSITIONS, rnd, user)


# --- inspection campaigns (专项整治, 创文创卫, 环境整治) ------------------------------------------------------------
#
#     draft → start → running → finish → finished
#     draft | running → cancel (reason) → cancelled
#
# Inspections are recorded while the campaign runs (``inspection_submit``, not a transition); every failed
# item becomes one case through the cases' own intake.

PERM_CAMPAIGN = "evaluation.campaign"  # organise campaigns (street and community staff)


class CampaignKind(models.TextChoices):
    CIVILISED_CITY = "civilised_city", _("Civilised and hygienic city (创文创卫)")
    ENVIRONMENT = "environment", _("Environment clean-up (环境整治)")
    SPECIAL = "special", _("Special rectification (专项整治)")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


C = CampaignStatus


def is_campaign_organiser(campaign: Any, user: Any) -> bool:
    scope = getattr(user, "scope", None)
    return PERM_CAMPAIGN in _perms(user) and scope is not None and scope.covers_path(campaign.place_path)


CAMPAIGN_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("start", _("Start the campaign"), [C.DRAFT], C.RUNNING, [is_campaign_organiser], style="primary"),
        transition("finish", _("Finish the campaign"), [C.RUNNING], C.FINISHED, [is_campaign_organiser],
                   style="success"),
        transition("cancel", _("Cancel the campaign"), [C.DRAFT, C.RUNNING], C.CANCELLED, [is_campaign_organiser],
                   ["reason"], style="danger"),
    ]
)


def available_campaign_actions(campaign: Any, user: Any) -> list[Transition]:
    return available(CAMPAIGN_TRANSITIONS, campaign, user)


# --- satisfaction surveys: open → close → closed (→ reopen) ----------------------------------------------------

SURVEY_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("close", _("Close the survey"), ["open"], "closed", [is_organiser], style="primary"),
        transition("reopen", _("Reopen the survey"), ["closed"], "open", [is_organiser], ["reason"]),
    ]
)


# --- party members' half-year evaluations (双报到, 五亮五共) -------------------------------------------------------
#
#     draft → comment (grade, comment) → commented → confirm → confirmed (carried in the employer report)
#     commented → return (reason) → draft
#
# Drafts are prepared from the service record (``member_evaluations_prepare``, not a transition: figures only).


class MemberEvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("To comment")
    COMMENTED = "commented", _("Commented")
    CONFIRMED = "confirmed", _("Confirmed")


class MemberGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")  # 优秀
    GOOD = "good", _("Good")  # 良好
    FAIR = "fair", _("Fair")  # 一般
    POOR = "poor", _("Poor")  # 较差


def is_member_evaluator(ev: Any, user: Any) -> bool:
    """Community staff (``evaluation.manage``) over the member's community."""
    scope = getattr(user, "scope", None)
    return PERM_MANAGE in _perms(user) and scope is not None and scope.covers_path(ev.place_path)


M = MemberEvaluationStatus

MEMBER_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("comment", _("Comment and grade"), [M.DRAFT], M.COMMENTED, [is_member_evaluator],
                   ["grade", "comment"], style="primary", fields=("grade", "comment")),
        transition("confirm", _("Confirm for the employer report"), [M.COMMENTED], M.CONFIRMED,
                   [is_member_evaluator], style="success"),
        transition("return", _("Back to comment"), [M.COMMENTED], M.DRAFT, [is_member_evaluator], ["reason"]),
    ]
)


def available_member_actions(ev: Any, user: Any) -> list[Transition]:
    return available(MEMBER_TRANSITIONS, ev, user)


# --- commitments (亮承诺): a member's own waits for the community's approval before it is shown -------------------
#
#     pending → approve → approved (shown on the building's page and QR page, rated, counted as kept)
#     pending | approved → withdraw (reason) → withdrawn (not shown; the member may make another)
#
# A commitment made by staff is approved as it is made (the runner, as that staff member).


class CommitmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Not shown")


def is_commitment_approver(c: Any, user: Any) -> bool:
    """Community staff (``evaluation.manage``) over the commitment's building."""
    scope = getattr(user, "scope", None)
    return PERM_MANAGE in _perms(user) and scope is not None and scope.covers_path(c.place_path)


CS = CommitmentStatus

COMMITMENT_TRANSITIONS: dict[str, Transition] = table(
    [
        transition("approve", _("Approve and show"), [CS.PENDING], CS.APPROVED, [is_commitment_approver],
                   style="success"),
        transition("withdraw", _("Do not show"), [CS.PENDING, CS.APPROVED], CS.WITHDRAWN, [is_commitment_approver],
                   ["reason"], style="danger"),
    ]
)


def available_commitment_actions(c: Any, user: Any) -> list[Transition]:
    return available(COMMITMENT_TRANSITIONS, c, user)
