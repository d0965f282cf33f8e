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
