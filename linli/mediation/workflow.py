"""Disputes (矛盾纠纷): their states and the one transition table.

    registered (受理登记: filed) → accept (受理; the one-month clock starts) | refuse (不予受理, reason)
    accepted → triage (分流): on the spot 当场调 | a dedicated session 专题调 | joint mediation with the
               司法所 / 派出所 → mediating;  referral to a court or a department → referred
    mediating → session (date, place, participants, notes; the state stays)
              → settle (达成协议: written or oral terms) → settled
              → fail (调解不成, reason) → failed
    settled → follow_up (回访: fulfilled or not) → followed_up
    followed_up | failed | referred → archive (归档) → archived
    side paths: withdraw (申请人撤回, reason) before a result; assign (lead mediator and helpers) and
    extend (both parties' consent recorded) while open; escalate (the overdue task, the system only).

``TRANSITIONS`` is the only place that says what may happen: the actions run it through
``linli.core.workflow.run``, the pages and the API render buttons from ``available_actions`` and the tests
iterate over every (state, action) pair.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.workflow import Transition, available, covers, perms_of, table, transition

PERM_VIEW = "mediation.view"  # the ledger within one's scope
PERM_REPORT = "mediation.report"  # file disputes and screen one's grid (grid workers)
PERM_HANDLE = "mediation.handle"  # work disputes: accept, triage, sessions, agreements (mediators, staff)
PERM_MANAGE = "mediation.manage"  # the mediation team and the figures (community and street staff)
PERM_UNMASK = "mediation.unmask"  # see the parties' names and phones (audited)


class DisputeKind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbours")  # 邻里
    PROPERTY = "property", _("Property management")  # 物业
    FAMILY = "family", _("Family")  # 家庭
    MARRIAGE = "marriage", _("Marriage")  # 婚姻
    LAND = "land", _("Housing and land")  # 房屋土地
    LABOUR = "labour", _("Labour")  # 劳动
    CONSUMER = "consumer", _("Consumer")  # 消费
    OTHER = "other", _("Other")  # 其他


class DisputeSource(models.TextChoices):
    SCREENING = "screening", _("Screening")  # 排查
    CASE = "case", _("A case")  # 诉求/事件
    WALK_IN = "walk_in", _("Walk-in")  # 来访
    HOTLINE = "hotline", _("12345 hotline")
    POLICE = "police", _("Police referral")  # 公安移交
    COURT = "court", _("Court referral")  # 法院委派


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Method(models.TextChoices):
    """分流: how the dispute is mediated."""

    ON_SPOT = "on_spot", _("On the spot")  # 当场调 (小事)
    SESSION = "session", _("Dedicated session")  # 专题调 (大事)
    JOINT_JUDICIAL = "joint_judicial", _("Joint with the judicial office")  # 联调: 司法所
    JOINT_POLICE = "joint_police", _("Joint with the police station")  # 联调: 派出所
    REFERRAL = "referral", _("Referral to a court or a department")  # 移交


MEDIATED_METHODS = frozenset(set(Method.values) - {Method.REFERRAL})


class DisputeStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 登记待受理
    ACCEPTED = "accepted", _("Accepted")  # 已受理
    MEDIATING = "mediating", _("Mediating")  # 调解中
    SETTLED = "settled", _("Agreement reached")  # 达成协议
    FAILED = "failed", _("Mediation failed")  # 调解不成
    REFERRED = "referred", _("Referred")  # 已移交
    FOLLOWED_UP = "followed_up", _("Followed up")  # 已回访
    ARCHIVED = "archived", _("Archived")  # 已归档
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回
    REFUSED = "refused", _("Not accepted")  # 不予受理


class Outcome(models.TextChoices):
    SETTLED = "settled", _("Agreement reached")
    FAILED = "failed", _("Mediation failed")


class AgreementForm(models.TextChoices):
    WRITTEN = "written", _("Written agreement")  # 书面协议 (人民调解协议书)
    ORAL = "oral", _("Oral agreement")  # 口头协议 (recorded)


S = DisputeStatus
OPEN = frozenset({S.REGISTERED, S.ACCEPTED, S.MEDIATING})
# The one-month clock runs while the dispute is accepted and not yet settled or failed.
CLOCK = frozenset({S.ACCEPTED, S.MEDIATING})
FINAL = frozenset({S.ARCHIVED, S.WITHDRAWN, S.REFUSED})


def is_handler(dispute: Any, user: Any) -> bool:
    """A mediator or community staff (``mediation.handle``) whose scope covers the dispute."""
    return PERM_HANDLE in perms_of(user) and covers(user, dispute.place_path)


def is_reporter(dispute: Any, user: Any) -> bool:
    """Whoever filed it (a grid worker may withdraw what they filed by mistake before it is accepted)."""
    return dispute.created_by_id is not None and dispute.created_by_id == user.pk


def guard_extension(dispute: Any, user: Any) -> Any:
    if dispute.extended:
        return _("The deadline was already extended once.")
    return None


def guard_withdraw(dispute: Any, user: Any) -> Any:
    """The one who filed it withdraws it only before it is accepted; afterwards the mediators do (for the
    applicant who withdraws)."""
    if user is None or dispute.status == DisputeStatus.REGISTERED or is_handler(dispute, user):
        return None
    return _("Once accepted, only the mediators record a withdrawal.")


class EscalationLevel(models.TextChoices):
    """How far an overdue dispute has been escalated: the grid, then the community, then the street."""

    GRID = "grid", _("Escalated to the grid")
    COMMUNITY = "community", _("Escalated to the community")
    STREET = "street", _("Escalated to the street")


# The ladder: (level, days past the deadline, who is told: the permission and the kinds of place their role
# is bound to). The team (lead mediator and helpers) is told at every level. ``LINLI_DISPUTE_ESCALATION_DAYS``
# ({"grid": 1, "community": 8, "street": 15}) moves the days.
ESCALATION_LADDER: tuple[tuple[str, int, str, frozenset[str]], ...] = (
    (EscalationLevel.GRID, 1, PERM_REPORT, frozenset({"grid"})),
    (EscalationLevel.COMMUNITY, 8, PERM_MANAGE, frozenset({"community"})),
    (EscalationLevel.STREET, 15, PERM_MANAGE, frozenset({"street"})),
)


def escalation_ladder() -> list[tuple[str, int, str, frozenset[str]]]:
    from django.conf import settings

    days = getattr(settings, "LINLI_DISPUTE_ESCALATION_DAYS", None) or {}
    return [(level, int(days.get(str(level), n)), perm, kinds) for level, n, perm, kinds in ESCALATION_LADDER]


def escalation_rank(level: str) -> int:
    """0 for not escalated, 1 grid, 2 community, 3 street."""
    return next((i + 1 for i, (lv, *_rest) in enumerate(ESCALATION_LADDER) if lv == level), 0)


def escalation_due(days_overdue: int) -> str:
    """The highest level a dispute this many days past its deadline should have reached ("" for none)."""
    reached = ""
    for level, days, _perm, _kinds in escalation_ladder():
        if days_overdue >= days:
            reached = level
    return reached


_t = transition

TRANSITIONS: dict[str, Transition] = table(
    [
        _t("accept", _("Accept"), [S.REGISTERED], S.ACCEPTED, [is_handler], style="primary", fields=["lead"]),
        _t("refuse", _("Do not accept"), [S.REGISTERED], S.REFUSED, [is_handler], ["reason"], style="danger"),
        _t("assign", _("Assign mediators"), [S.REGISTERED, S.ACCEPTED, S.MEDIATING], None, [is_handler], ["lead"],
           fields=["helpers"]),
        _t("triage", _("Triage"), [S.ACCEPTED], S.MEDIATING, [is_handler], ["method"], style="primary",
           fields=["note"]),
        _t("refer", _("Refer to a court or department"), [S.ACCEPTED, S.MEDIATING], S.REFERRED, [is_handler],
           ["referred_to"], style="warning", fields=["note"]),
        _t("session", pgettext_lazy("mediation", "Record a session"), [S.MEDIATING], None, [is_handler],
           ["held_on", "notes"],
           style="primary", fields=["venue", "participants"]),
        _t("settle", _("Agreement reached"), [S.MEDIATING], S.SETTLED, [is_handler], ["form", "terms"],
           style="success", fields=["facts", "performance_due"]),
        _t("fail", _("Mediation failed"), [S.MEDIATING], S.FAILED, [is_handler], ["reason"], style="danger"),
        _t("extend", _("Extend the deadline"), [S.ACCEPTED, S.MEDIATING], None, [is_handler],
           ["applicant_consent", "respondent_consent"], guard=guard_extension, fields=["note"]),
        _t("follow_up", _("Follow up"), [S.SETTLED], S.FOLLOWED_UP, [is_handler], ["fulfilled", "note"],
           style="primary"),
        _t("archive", _("Archive"), [S.FOLLOWED_UP, S.FAILED, S.REFERRED], S.ARCHIVED, [is_handler],
           style="secondary"),
        _t("withdraw", _("Withdraw"), [S.REGISTERED, S.ACCEPTED, S.MEDIATING], S.WITHDRAWN,
           [is_handler, is_reporter], ["reason"], guard=guard_withdraw, style="danger"),
        _t("escalate", _("Escalate as overdue"), [S.ACCEPTED, S.MEDIATING], None, []),
    ]
)
ACTION_NAMES: tuple[str, ...] = tuple(TRANSITIONS)
# What the event list calls the first event (not a transition).
FILED = "file"


def event_label(kind: str) -> Any:
    if kind in TRANSITIONS:
        return TRANSITIONS[kind].label
    return {FILED: _("Registered"), "case": _("Turned into a dispute"),
            "screening": _("Found in screening")}.get(kind, kind)


def available_actions(dispute: Any, user: Any) -> list[Transition]:
    return available(TRANSITIONS, dispute, user)
