"""Every write of deliberation: ``<entity>_<verb>(*, ..., actor)``; transitions through the one runner.

- topics: ``topic_raise``, ``topic_from_case``, ``topic_support``, ``topic_transition``;
- votes: ``vote_create``, ``vote_transition``, ``ballot_cast``, ``ballot_enter_paper``, ``votes_close_due``.
"""

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
