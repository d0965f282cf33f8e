"""Reads of deliberation: scoped lists (querysets the one pager pages: core.ui.page_rows, core.api.paged), a
topic's and a vote's page data."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from linli.deliberation.models import Topic, TopicEvent, Vote
from linli.deliberation.workflow import TopicStatus, VoteStatus

PAGE_SIZE = 30


def topic_list(user: Any, *, status: str = "") -> QuerySet[Topic]:
    qs: QuerySet[Topic] = Topic.objects.visible_to(user).select_related("community")
    if status in TopicStatus.values:
        qs = qs.filter(status=status)
    return qs


def topic_events(topic: Topic) -> list[TopicEvent]:
    from linli.deliberation.workflow import TOPIC_TRANSITIONS

    rows = list(topic.events.select_related("actor").order_by("at", "id")[:500])
    statuses = dict(TopicStatus.choices)
    for e in rows:
        e.label = str(TOPIC_TRANSITIONS[e.kind].label) if e.kind in TOPIC_TRANSITIONS else _event_label(e.kind)  # type: ignore[attr-defined]
        e.to_label = str(statuses.get(e.to_status, e.to_status))  # type: ignore[attr-defined]
    return rows


def topic_think_tank(topic: Topic, user: Any, *, manage: bool) -> dict[str, Any]:
    """The think tank on a topic's page: the experts invited (masked), their opinions, whom staff may still
    invite, and which invited expert the viewer is (to record their own opinion). Bounded."""
    from linli.core.masking import mask_name
    from linli.deliberation.actions.experts import OPINION_STATUSES
    from linli.deliberation.models import Expert, ExpertInvitation, ExpertOpinion

    invitations = list(ExpertInvitation.objects.filter(topic=topic).select_related("expert").order_by("id")[:50])
    opinions = list(ExpertOpinion.objects.filter(topic=topic).select_related("expert").order_by("at", "id")[:100])
    for row in [*invitations, *opinions]:
        row.expert.shown = mask_name(row.expert.name)  # type: ignore[attr-defined]
    open_for = topic.status in OPINION_STATUSES
    invited_ids = {i.expert_id for i in invitations}
    candidates = []
    if manage and open_for:
        candidates = list(Expert.objects.filter(community_id=topic.community_id, active=True)
                          .exclude(pk__in=sorted(invited_ids)).order_by("id")[:100])
        for e in candidates:
            e.shown = mask_name(e.name)  # type: ignore[attr-defined]
    uid = getattr(user, "pk", None)
    own = [i.expert for i in invitations if uid is not None and i.expert.user_id == uid]
    return {
        "expert_invitations": invitations,
        "expert_opinions": opinions,
        "expert_candidates": candidates,
        "expert_recorders": ([i.expert for i in invitations] if manage else own) if open_for else [],
    }


def vote_list(user: Any, *, status: str = "") -> QuerySet[Vote]:
    qs: QuerySet[Vote] = Vote.objects.visible_to(user).select_related("community", "place")
    if status in VoteStatus.values:
        qs = qs.filter(status=status)
    return qs


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


def project_entries(project: Any) -> QuerySet[Any]:
    """The ledger's entries, for the one pager (newest first)."""
    return project.ledger.entries.all()


def projects_with_raised(qs: Any) -> Any:
    """The projects with the money raised annotated (one query for a page, not one per project)."""
    from django.db.models import Q, Sum

    return qs.annotate(raised_sum=Sum("ledger__entries__amount_fen", filter=Q(ledger__entries__amount_fen__gt=0)))


# --- one timeline: case → topic → meeting → vote → decision → project → milestones → result ----------------------


def _stage(stage: str, title: str, url: str, status: str, events: list[tuple[Any, str, str]]) -> dict[str, Any]:
    from linli.deliberation.workflow import (
        DECISION_TRANSITIONS,
        MEETING_TRANSITIONS,
        TOPIC_TRANSITIONS,
        VOTE_TRANSITIONS,
    )

    table = {"topic": TOPIC_TRANSITIONS, "meeting": MEETING_TRANSITIONS, "vote": VOTE_TRANSITIONS,
             "decision": DECISION_TRANSITIONS}.get(stage, {})
    labelled = [(at, str(table[kind].label) if kind in table else _event_label(kind, stage), note) for at, kind, note in events]
    return {"stage": stage, "title": title, "url": url, "status": status,
            "events": sorted(labelled, key=lambda e: (e[0] is None, e[0]))}


def _event_label(kind: Any, stage: str = "") -> str:
    from django.utils.translation import gettext as _

    if stage == "vote" and kind == "create":
        return _("Vote drafted")
    return {
        "raise": _("Topic raised"), "support": _("Supported by a household"), "record": _("Decision recorded"),
        "case": _("Case opened"), "project": _("Project opened"), "rate": _("Evaluated by a household"),
        "agenda": _("Put on the agenda"), "invite": _("Participant invited"), "signin": _("Signed in"),
        "create": _("Planned"), "decision": _("Decision recorded"),
        "ballot": _("Ballot"), "paper": _("Paper ballot"),
        "expert_invite": _("Expert invited"), "expert_opinion": _("Expert's opinion"),
        "nominate": _("Nomination"),
    }.get(str(kind), str(kind))


def deliberation_timeline(user: Any, *, topic: Any = None, project: Any = None, decision: Any = None) -> list[dict[str, Any]]:
    """Everything that happened to one matter, in order, on one page: the case it came from, the topic, the
    meetings that had it on their agenda, its votes, the decisions, the projects they opened, their milestones
    and the residents' evaluation. Each object only when ``user`` may see it; each list bounded."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from linli.deliberation.models import Decision, Meeting, Project

    if project is not None:
        decision = decision or project.decision
        topic = topic or project.topic or getattr(project.decision, "topic", None)
    if decision is not None and topic is None:
        topic = decision.topic
    stages: list[dict[str, Any]] = []
    if topic is not None and topic.case_id:
        from linli.cases.access import can_view_case
        from linli.cases.selectors import public_events

        case = topic.case
        if can_view_case(user, case):
            stages.append(_stage("case", f"{case.number} {case.title}", reverse("cases:case", args=[case.pk]),
                                 case.get_status_display(),
                                 [(e.at, e.get_kind_display(), e.reply or "") for e in public_events(case)[:100]]))
    if topic is not None:
        stages.append(_stage("topic", topic.title, reverse("deliberation:topic_detail", args=[topic.pk]),
                             topic.get_status_display(), [(e.at, e.kind, e.note) for e in topic_events(topic)[:100]]))
    meetings = Meeting.objects.visible_to(user)
    meeting_ids: set[int] = set()
    if topic is not None:
        meeting_ids |= set(topic.agenda_items.values_list("meeting_id", flat=True)[:20])
    if decision is not None and decision.meeting_id:
        meeting_ids.add(decision.meeting_id)
    for m in meetings.filter(pk__in=sorted(meeting_ids)).order_by("starts_at")[:20]:
        stages.append(_stage("meeting", m.title, reverse("deliberation:meeting_detail", args=[m.pk]), m.get_status_display(),
                             [(m.starts_at, _("Meeting"), m.location)] + [(e.at, e.kind, e.note) for e in m.events.all()[:50]]))
    vote_ids: set[int] = set()
    if topic is not None:
        vote_ids |= set(topic.votes.values_list("id", flat=True)[:20])
    for obj in (decision, project):
        if obj is not None and obj.vote_id:
            vote_ids.add(obj.vote_id)
    for v in Vote.objects.visible_to(user).filter(pk__in=sorted(vote_ids)).order_by("id")[:20]:
        stages.append(_stage("vote", v.title, reverse("deliberation:vote_detail", args=[v.pk]), v.get_status_display(),
                             [(e.at, e.kind, e.note) for e in v.events.all()[:50]]))
    decisions = Decision.objects.visible_to(user)
    dq = decisions.filter(topic=topic) if topic is not None else decisions.none()
    if decision is not None:
        dq = dq | decisions.filter(pk=decision.pk)
    decision_list = list(dq.distinct().order_by("id")[:20])
    for d in decision_list:
        stages.append(_stage("decision", d.text[:60], reverse("deliberation:decision_detail", args=[d.pk]),
                             d.get_status_display(), [(e.at, e.kind, e.note) for e in d.events.all()[:50]]))
    projects = Project.objects.visible_to(user)
    pq = projects.filter(decision__in=decision_list) | (projects.filter(topic=topic) if topic is not None else projects.none())
    if project is not None:
        pq = pq | projects.filter(pk=project.pk)
    for p in pq.distinct().order_by("id")[:10]:
        events = [e for e in project_events(p) if e.kind not in ("milestone", "milestone_reached", "rate")]
        stages.append(_stage("project", p.title, reverse("deliberation:project_detail", args=[p.pk]), p.get_status_display(),
                             [(e.at, e.label, e.note) for e in events]))  # type: ignore[attr-defined]
        milestones = project_milestones(p)
        if milestones:
            stages.append(_stage("milestones", p.title, reverse("deliberation:project_detail", args=[p.pk]),
                                 _("%(done)d of %(all)d reached") % {"done": sum(1 for m in milestones if m.done_on),
                                                                     "all": len(milestones)},
                                 [(m.done_on or m.planned_on, m.title,
                                   _("reached") if m.done_on else _("planned")) for m in milestones]))
        if p.rating_count:
            stages.append(_stage("result", p.title, reverse("deliberation:project_detail", args=[p.pk]),
                                 _("%(s)d of %(n)d households are satisfied") % {"s": p.satisfied_count, "n": p.rating_count},
                                 [(p.updated_at, _("Evaluated by residents"), p.outcome)]))
    for d in decision_list:
        if d.rating_count:
            stages.append(_stage("result", d.text[:60], reverse("deliberation:decision_detail", args=[d.pk]),
                                 _("%(s)d of %(n)d households are satisfied") % {"s": d.satisfied_count, "n": d.rating_count},
                                 [(d.updated_at, _("Evaluated by residents"), d.outcome)]))
    return stages
