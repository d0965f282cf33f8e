"""Every write to the closed loop: ``<entity>_<verb>(*, ..., actor)``; each writes its own audit row.

- intake: ``case_create`` (every door in);
- transitions: one ``case_<action>`` per row of ``workflow.TRANSITIONS`` and the generic
  ``case_transition(case=, name=, actor=, data=)``;
- duplicates: ``case_support`` ("me too"); merging is the ``merge`` transition;
- categories: ``category_create``, ``category_update``, ``categories_restore_default``;
- escalation and the rating window: ``cases_escalate`` / ``cases_close_unrated`` (run by tasks).

``actor=None`` is the system (tasks, imports, commands): no scope or role check.
"""

from linli.cases.actions.categories import category_create, category_update
from linli.cases.actions.duplicates import case_support
from linli.cases.actions.escalation import cases_close_unrated, cases_escalate
from linli.cases.actions.intake import case_create, case_number_next
from linli.cases.actions.photos import photos_attach
from linli.cases.actions.transitions import (
    case_accept,
    case_close,
    case_comment,
    case_dispatch,
    case_extend,
    case_extend_approve,
    case_extend_reject,
    case_handle,
    case_merge,
    case_park,
    case_rate,
    case_refuse,
    case_reopen,
    case_report,
    case_return,
    case_rework,
    case_sign,
    case_summon,
    case_summon_answer,
    case_summon_sign,
    case_supervise,
    case_transition,
    case_unpark,
    case_verify,
)
from linli.cases.defaults import categories_restore_default

__all__ = [
    "categories_restore_default",
    "case_accept",
    "case_close",
    "case_comment",
    "case_create",
    "case_dispatch",
    "case_extend",
    "case_extend_approve",
    "case_extend_reject",
    "case_handle",
    "case_merge",
    "case_number_next",
    "case_park",
    "case_rate",
    "case_refuse",
    "case_reopen",
    "case_report",
    "case_return",
    "case_rework",
    "case_sign",
    "case_summon",
    "case_summon_answer",
    "case_summon_sign",
    "case_supervise",
    "case_support",
    "case_transition",
    "case_unpark",
    "case_verify",
    "cases_close_unrated",
    "cases_escalate",
    "category_create",
    "category_update",
    "photos_attach",
]
