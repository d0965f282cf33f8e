"""Reads of deliberation: scoped lists paged by keyset, a topic's and a vote's page data."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from linli.core.batches import keyset_page
from linli.deliberation.models import Topic, TopicEvent, Vote
from linli.deliberation.workflow import TopicStatus, VoteStatus

PAGE_SIZE = 30


def topic_page(user: Any, *, status: str = "", after: int | None = None, size: int = PAGE_SIZE) -> tuple[list[Topic], int | None]:
    qs: QuerySet[Topic] = Topic.objects.visible_to(user).select_related("community")
    if status in TopicStatus.values:
        qs = qs.filter(status=status)
    return keyset_page(qs, after=after, size=size)


def topic_events(topic: Topic) -> list[TopicEvent]:
    return list(topic.events.select_related("actor").order_by("at", "id")[:500])


def vote_page(user: Any, *, status: str = "", after: int | None = None, size: int = PAGE_SIZE) -> tuple[list[Vote], int | None]:
    qs: QuerySet[Vote] = Vote.objects.visible_to(user).select_related("community", "place")
    if status in VoteStatus.values:
        qs = qs.filter(status=status)
    return keyset_page(qs, after=after, size=size)


def votes_of_topic(topic: Topic) -> list[Vote]:
    return list(topic.votes.order_by("-id")[:50])


# --- projects --------------------------------------------------------------------------------------------------

# What the public page shows of a project's timeline (no money details, no ratings by household, no actor).
PUBLIC_PROJECT_EVENTS = frozenset(
    {"propose", "open", "deliberate", "put_to_vote", "approve", "start", "milestone", "milestone_reached", "complete",
     "close", "cancel"}
)


def project_event_label(kind: str) -> str:
    from django.utils.translation import gettext as _

    from linli.deliberation.workflow import PROJECT_TRANSITIONS

    if kind in PROJECT_TRANSITIONS:
        return str(PROJECT_TRANSITIONS[kind].label)
    return {
        "propose": _("Proposed"),
        "open": _("Opened by a decision"),
        "milestone": _("Milestone"),
        "milestone_reached": _("Milestone reached"),
        "money_in": _("Money received"),
        "payment": _("Payment"),
        "rate": _("Evaluated by a household"),
    }.get(kind, kind)


def project_events(project: Any, *, public: bool = False) -> list[Any]:
    from linli.deliberation.models import ProjectEvent

    qs = ProjectEvent.objects.filter(project=project)
    if public:
        rows = list(qs.filter(kind__in=sorted(PUBLIC_PROJECT_EVENTS)).only("kind", "at", "note", "to_status", "from_status")
                    .order_by("at", "id")[:500])
    else:
        rows = list(qs.select_related("actor").order_by("at", "id")[:500])
    for e in rows:
        e.label = project_event_label(e.kind)  # type: ignore[attr-defined]
    return rows


def project_milestones(project: Any) -> list[Any]:
    return list(project.milestones.prefetch_related("photos").order_by("planned_on", "id")[:100])


def project_entries(project: Any, limit: int = 200) -> list[Any]:
    """The ledger's latest entries (newest first), bounded."""
    return list(project.ledger.entries.order_by("-id")[:limit])


def projects_with_raised(qs: Any) -> Any:
    """The projects with the money raised annotated (one query for a page, not one per project)."""
    from django.db.models import Q, Sum

    return qs.annotate(raised_sum=Sum("ledger__entries__amount_fen", filter=Q(ledger__entries__amount_fen__gt=0)))
