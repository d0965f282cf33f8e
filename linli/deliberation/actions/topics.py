"""Topics (议题): raise one (a resident, the grid, staff) or turn a case into one; support it (once per
household); the transitions of ``workflow.TOPIC_TRANSITIONS`` through the one runner. A topic whose
support reaches its threshold is put on the agenda by the system in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.inserts import insert_many
from linli.core.workflow import Outcome, Spec, run
from linli.deliberation.access import can_manage_path, can_raise
from linli.deliberation.actions._common import (
    authenticated,
    clean_text,
    community_of,
    page_url,
    place_of,
    required_text,
    voter_of,
)
from linli.deliberation.models import Topic, TopicEvent, TopicSupport
from linli.deliberation.workflow import (
    PERM_MANAGE,
    SUPPORT_STATUSES,
    TOPIC_TRANSITIONS,
    TopicSource,
    TopicStatus,
)
from linli.notifications.actions import notice_queue


def default_threshold() -> int:
    return int(getattr(settings, "LINLI_TOPIC_SUPPORT_THRESHOLD", 10))


def _text(topic: Topic) -> str:
    return _("Topic “%(title)s”: %(status)s") % {"title": topic.title, "status": topic.get_status_display()}


# --- the transitions -----------------------------------------------------------------------------------------


def _note(topic: Topic, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    return Outcome(note=clean_text(data.get("note")), notify=[("topic", [topic.raised_by_id], _text(topic))])


def _decide(topic: Topic, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    topic.decision_note = clean_text(data.get("note"))
    return Outcome(note=topic.decision_note, notify=[("topic", [topic.raised_by_id], _text(topic))])


def _reject(topic: Topic, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    topic.reason = clean_text(data.get("reason"), limit=300)
    return Outcome(note=topic.reason, notify=[("topic", [topic.raised_by_id], _text(topic))])


def _reopen(topic: Topic, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    topic.reason = ""
    return Outcome()


def _merge(topic: Topic, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    """Merge into another open topic of the same community: the households that supported this one support
    that one (each household still once), and that one may reach its threshold."""
    into_id = str(getattr(data.get("into"), "pk", data.get("into")))
    target = Topic.objects.select_for_update().filter(pk=int(into_id)).first() if into_id.isdigit() else None
    if target is None or target.pk == topic.pk or target.community_id != topic.community_id:
        raise Invalid(_("Choose another topic of the same community."), fields={"into": [_("Not found.")]})
    if target.status not in SUPPORT_STATUSES:
        raise Refused(_("That topic is no longer open: merge into an open one."), code="refused_transition")
    keys = set(TopicSupport.objects.filter(topic=target).values_list("voter_key", flat=True))
    moved = [
        TopicSupport(topic=target, voter_key=s.voter_key, person_id=s.person_id, user_id=s.user_id, at=s.at)
        for s in TopicSupport.objects.filter(topic=topic).exclude(voter_key__in=keys)
    ]
    insert_many(moved)
    count = TopicSupport.objects.filter(topic=target).count()
    Topic.objects.filter(pk=target.pk).update(support_count=count, version=F("version") + 1, updated_at=now)
    topic.merged_into = target
    return Outcome(
        note=_("Merged into “%(title)s”") % {"title": target.title},
        data={"into": target.pk, "supports_moved": len(moved)},
        notify=[("topic", [topic.raised_by_id], _text(topic))],
        after=[lambda _t: _maybe_schedule(target.pk)],
    )


def _spec() -> Spec:
    return Spec(
        model=Topic,
        event_model=TopicEvent,
        event_fk="topic",
        table=TOPIC_TRANSITIONS,
        apply={
            "hear": _note,
            "schedule": _note,
            "debate": _note,
            "decide": _decide,
            "close": _note,
            "merge": _merge,
            "reject": _reject,
            "reopen": _reopen,
            "withdraw": _note,
        },
        audit_prefix="deliberation.topic",
        noun=_("topic"),
        related=("community",),
        url=lambda obj: page_url("topic_detail", obj.pk),
    )


def topic_transition(*, topic: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Topic:
    """The one door for every row of ``TOPIC_TRANSITIONS``."""
    return run(_spec(), obj=topic, name=name, actor=actor, data=data)


def _maybe_schedule(topic_id: int) -> None:
    """Put the topic on the agenda (as the system) when its support has reached the threshold."""
    topic = Topic.objects.filter(pk=topic_id).only("status", "support_count", "support_threshold").first()
    if (
        topic is not None
        and topic.status == TopicStatus.OPEN
        and topic.support_threshold > 0
        and topic.support_count >= topic.support_threshold
    ):
        run(_spec(), obj=topic_id, name="schedule", actor=None, data={"note": _("Support threshold reached")})


# --- raising a topic -------------------------------------------------------------------------------------------


def _source_of(actor: Any, place: Any) -> str:
    perms: frozenset[str] = getattr(actor, "perms", frozenset())
    if PERM_MANAGE in perms and can_manage_path(actor, place.path):
        return TopicSource.STAFF
    if "registry.change" in perms and getattr(actor, "scope", None) and actor.scope.covers_path(place.path):
        return TopicSource.GRID
    return TopicSource.RESIDENT


def _community_member(actor: Any, community: Any) -> bool:
    scope = getattr(actor, "scope", None)
    if scope is None:
        return False
    return any(p.startswith(community.path) or community.path.startswith(p) for p in scope.place_paths)


@transaction.atomic
def topic_raise(
    *,
    actor: Any,
    title: str,
    description: str = "",
    place: Any = None,
    support_threshold: int | None = None,
    source: str | None = None,
) -> Topic:
    """Raise a topic (居民提事 / 网格听事): residents, grid workers and staff (``topics.raise``) of the
    community. ``place`` (the community, a compound, a building...) defaults to the raiser's own place.
    The source follows the raiser's role; a system door (``actor=None``: the demo, an import) names it."""
    if actor is not None and not can_raise(actor):
        raise PermissionDenied(_("You may not raise topics."))
    title = required_text(title, field="title", limit=100)
    description = clean_text(description)
    if place in (None, ""):
        paths = getattr(getattr(actor, "scope", None), "place_paths", ())
        if not paths:
            raise Invalid(_("Choose the place."), fields={"place": [_("This field is required.")]})
        from linli.places.selectors import places_by_paths

        where = places_by_paths([paths[0]]).get()
    else:
        where = place_of(place)
    community = community_of(where)
    if actor is not None and not _community_member(actor, community):
        raise Invalid(_("This place is outside your community."), fields={"place": [_("Not found.")]})
    threshold = default_threshold()
    if support_threshold not in (None, ""):
        if actor is not None and not can_manage_path(actor, community.path):
            raise PermissionDenied(_("Only community staff set the support threshold."))
        try:
            threshold = int(support_threshold)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise Invalid(_("Enter a whole number."), fields={"support_threshold": [_("Enter a whole number.")]}) from exc
        if not 0 <= threshold <= 100000:
            raise Invalid(_("Enter a whole number."), fields={"support_threshold": [_("Between 0 and 100000.")]})
    return _create(
        actor=actor,
        title=title,
        description=description,
        place=where,
        community=community,
        source=_source_of(actor, where) if actor is not None else (source if source in TopicSource.values else TopicSource.STAFF),
        threshold=threshold,
    )


def _create(*, actor, title, description, place, community, source, threshold, case=None, raised_by=None,
            raised_by_name="") -> Topic:
    """A resident's topic waits for the grid (网格听事); the grid's, staff's and a case's are open at once."""
    now = timezone.now()
    raiser = raised_by if raised_by is not None else (actor if authenticated(actor) else None)
    topic = Topic.objects.create(
        title=title,
        description=description,
        source=source,
        community=community,
        community_path=community.path,
        place=place,
        place_path=place.path,
        case=case,
        raised_by=raiser,
        raised_by_name=(raised_by_name or (getattr(raiser, "display_name", "") or str(raiser or "")))[:64],
        support_threshold=threshold,
        status=TopicStatus.RAISED if source == TopicSource.RESIDENT else TopicStatus.OPEN,
    )
    TopicEvent.objects.create(
        topic=topic,
        kind="raise",
        actor=actor if authenticated(actor) else None,
        actor_name=(actor.get_username() if authenticated(actor) else "system")[:150],
        at=now,
        to_status=topic.status,
        data={"source": source, "case": getattr(case, "pk", None)},
    )
    audit_record(
        action="deliberation.topic_raise",
        actor=actor,
        actor_name="" if actor is not None else "system",
        target=topic,
        detail={"source": source, "case": getattr(case, "pk", None)},
    )
    return topic


@transaction.atomic
def topic_from_case(*, actor: Any, case: Any, title: str = "", description: str = "") -> Topic:
    """Staff turn a resident's case into a topic (a matter for the community to deliberate, not a repair):
    the topic keeps the link to the case (both timelines show it) and is the resident's topic."""
    from linli.cases.access import access_case

    if actor is None:
        raise PermissionDenied(_("Only community staff may do this here."))
    try:
        found = access_case(actor, getattr(case, "pk", case))
    except Exception as exc:  # Http404: missing or out of scope look the same
        raise NotFound(_("Not found.")) from exc
    where = found.place or found.grid or found.community
    if where is None:
        raise Invalid(_("The case has no place: it cannot become a topic."))
    community = community_of(where)
    if not can_manage_path(actor, community.path):
        raise PermissionDenied(_("Only community staff may do this here."))
    existing = Topic.objects.filter(case=found).exclude(status=TopicStatus.WITHDRAWN).first()
    if existing is not None:
        raise Refused(_("This case is already topic #%(id)s.") % {"id": existing.pk}, code="duplicate")
    topic = _create(
        actor=actor,
        title=clean_text(title, limit=100) or found.title,
        description=clean_text(description) or found.description,
        place=where,
        community=community,
        source=TopicSource.CASE,
        threshold=default_threshold(),
        case=found,
        raised_by=found.reporter if found.reporter_id else None,
        raised_by_name=found.reporter_name,
    )
    notice_queue(
        ref=f"deliberation.topic:{topic.pk}",
        kind="topic",
        user_ids=[found.reporter_id],
        text=_("Your matter “%(title)s” will be deliberated by the community.") % {"title": found.title},
        url=page_url("topic_detail", topic.pk),
        exclude=getattr(actor, "pk", None),
    )
    return topic


# --- support (附议) ---------------------------------------------------------------------------------------------


def topic_support(*, actor: Any, topic: Any) -> Topic:
    """A resident supports a topic of their community: once per household whatever the races (a unique
    constraint), while the topic is open or on the agenda. Reaching the threshold puts it on the agenda."""
    if not can_raise(actor):
        raise PermissionDenied(_("You may not support topics."))
    pk = getattr(topic, "pk", topic)
    person, key = voter_of(actor)
    with transaction.atomic():
        if not Topic.objects.visible_to(actor).filter(pk=pk).exists():
            raise NotFound(_("Not found."))
        locked = Topic.objects.select_for_update().get(pk=pk)
        if locked.status not in SUPPORT_STATUSES:
            raise Refused(_("This topic no longer gathers support."), code="refused_transition")
        if not person.place_path.startswith(locked.community_path):
            raise Refused(_("Only residents of the community support its topics."), code="not_eligible")
        now = timezone.now()
        try:
            with transaction.atomic():
                TopicSupport.objects.create(topic=locked, voter_key=key, person=person, user=actor, at=now)
        except IntegrityError as exc:
            raise Refused(_("Your household already supports this topic."), code="duplicate") from exc
        Topic.objects.filter(pk=pk).update(support_count=F("support_count") + 1, version=F("version") + 1, updated_at=now)
        TopicEvent.objects.create(
            topic=locked, kind="support", actor=actor, actor_name=actor.get_username()[:150], at=now, data={"key": key}
        )
        audit_record(action="deliberation.topic_support", actor=actor, target=locked, detail={"household": key})
        _maybe_schedule(pk)
    return Topic.objects.get(pk=pk)


def topic_supported_by(topic: Topic, actor: Any) -> bool:
    """Whether the actor's household supports the topic already."""
    try:
        _person, key = voter_of(actor)
    except Invalid:
        return False
    return TopicSupport.objects.filter(topic=topic, voter_key=key).exists()
