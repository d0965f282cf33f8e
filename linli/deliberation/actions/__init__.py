"""Every write of deliberation: ``<entity>_<verb>(*, ..., actor)``; transitions through the one runner.

- topics: ``topic_raise``, ``topic_from_case``, ``topic_support``, ``topic_transition``;
- meetings: ``meeting_create``, ``residents_days_schedule``, ``participant_add``, ``meeting_signin``,
  ``agenda_add``, ``meeting_transition``; decisions: ``decision_record``, ``decision_transition``,
  ``decision_open_case``, ``decision_rate``;
- projects: ``project_propose``, ``project_from_decision``, ``project_transition``, ``project_money_in``,
  ``project_pay``, ``milestone_add``, ``milestone_reach``, ``project_rate``; money: ``ledger_post``,
  ``ledger_reconcile``; funds: ``fund_create``, ``fund_money_in``, ``fund_pay``, ``fund_payment_run``;
- honours: ``honour_category_add``, ``honour_category_update``, ``honour_category_retire``, ``honour_round_create``, ``honour_nominate``, ``honour_transition``,
  ``honours_count_closed`` (the periodic task);
- the think tank: ``expert_add``, ``expert_update``, ``expert_invite``, ``expert_opinion_record``;
- votes: ``vote_create``, ``vote_transition``, ``ballot_cast``, ``ballot_enter_paper``, ``votes_close_due``.
"""

from linli.deliberation.actions.experts import expert_add, expert_invite, expert_opinion_record, expert_update
from linli.deliberation.actions.funds import fund_create, fund_money_in, fund_pay, fund_payment_run
from linli.deliberation.actions.honours import (
    honour_categories_ensure,
    honour_category_add,
    honour_category_retire,
    honour_category_update,
    honour_nominate,
    honour_round_create,
    honour_transition,
    honours_count_closed,
)
from linli.deliberation.actions.ledger import (
    fen_of,
    ledger_post,
    ledger_post_many,
    ledger_reconcile,
    ledger_totals,
    yuan,
)
from linli.deliberation.actions.meetings import (
    agenda_add,
    decision_open_case,
    decision_rate,
    decision_record,
    decision_transition,
    meeting_create,
    meeting_signin,
    meeting_transition,
    participant_add,
    residents_day_date,
    residents_days_schedule,
)
from linli.deliberation.actions.projects import (
    milestone_add,
    milestone_reach,
    project_from_decision,
    project_money_in,
    project_pay,
    project_propose,
    project_rate,
    project_transition,
)
from linli.deliberation.actions.topics import (
    topic_from_case,
    topic_raise,
    topic_support,
    topic_supported_by,
    topic_transition,
)
from linli.deliberation.actions.votes import (
    ballot_cast,
    ballot_enter_paper,
    ballot_of,
    roll_stats,
    vote_create,
    vote_sums,
    vote_tally,
    vote_transition,
    votes_close_due,
)

__all__ = [
    "expert_add",
    "expert_invite",
    "expert_opinion_record",
    "expert_update",
    "honour_categories_ensure",
    "honour_category_add",
    "honour_category_retire",
    "honour_category_update",
    "honour_nominate",
    "honour_round_create",
    "honour_transition",
    "honours_count_closed",
    "fund_create",
    "fund_money_in",
    "fund_pay",
    "fund_payment_run",
    "fen_of",
    "ledger_post",
    "ledger_post_many",
    "ledger_reconcile",
    "ledger_totals",
    "yuan",
    "milestone_add",
    "milestone_reach",
    "project_from_decision",
    "project_money_in",
    "project_pay",
    "project_propose",
    "project_rate",
    "project_transition",
    "agenda_add",
    "decision_open_case",
    "decision_rate",
    "decision_record",
    "decision_transition",
    "meeting_create",
    "meeting_signin",
    "meeting_transition",
    "participant_add",
    "residents_day_date",
    "residents_days_schedule",
    "ballot_cast",
    "ballot_enter_paper",
    "ballot_of",
    "roll_stats",
    "topic_from_case",
    "topic_raise",
    "topic_support",
    "topic_supported_by",
    "topic_transition",
    "vote_create",
    "vote_sums",
    "vote_tally",
    "vote_transition",
    "votes_close_due",
]
