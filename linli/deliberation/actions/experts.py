"""The think tank (智囊团): experts of a community (retired cadres, teachers, lawyers, technicians) with their
fields, invited to topics; their opinions recorded on the topic (its page and its timeline).

- ``expert_add`` / ``expert_update`` (staff): the phone staff give finds the expert's login (for the
  invitation and for recording their own opinion); the number itself is not kept;
- ``expert_invite`` (staff): the expert is told through the outbox; an event on the topic's timeline;
- ``expert_opinion_record``: the invited expert (their login) or staff for them; an event on the timeline.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import user_get, user_ids_by_phone_hashes
from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.masking import mask_name
from linli.deliberation.access import can_manage_path
from linli.deliberation.actions._common import authenticated, clean_text, page_url, place_of, require_manage
from linli.deliberation.models import Expert, ExpertInvitation, ExpertOpinion, Topic, TopicEvent
from linli.deliberation.workflow import ExpertKind, TopicStatus
from linli.notifications.actions import notice_queue

OPINION_STATUSES = frozenset({TopicStatus.OPEN, TopicStatus.AGENDA, TopicStatus.DEBATED})


def _user_by_phone(phone: str):
    from linli.core.crypto import lookup_hashes

    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    if not digits:
        return None
    ids = user_ids_by_phone_hashes(lookup_hashes(digits), active=True)
    return user_get(ids[0]) if ids else None


def _clean(name: Any, kind: Any, specialties: Any, title: Any, phone: Any) -> tuple[dict[str, Any], Any]:
    errors: dict[str, list[str]] = {}
    values = {
        "name": clean_text(name, limit=64),
        "kind": str(kind or ""),
        "specialties": clean_text(specialties, limit=200),
        "title": clean_text(title, limit=100),
    }
    if not values["name"]:
        errors["name"] = [_("This field is required.")]
    if values["kind"] not in ExpertKind.values:
        errors["kind"] = [_("Choose one.")]
    if not values["specialties"]:
        errors["specialties"] = [_("Name at least one field, such as 城市规划 or 物业纠纷.")]
    user = None
    if str(phone or "").strip():
        user = _user_by_phone(str(phone))
        if user is None:
            errors["phone"] = [_("No account has this mobile number.")]
    if errors:
        raise Invalid(_("Please check the expert."), fields=errors)
    return values, user


@transaction.atomic
def expert_add(*, actor: Any, community: Any, name: str, kind: str, specialties: str, title: str = "",
               phone: str = "") -> Expert:
    """Staff add an expert to their community's think tank."""
    from linli.places.kinds import PlaceKind

    where = place_of(community, field="community")
    if where.kind != PlaceKind.COMMUNITY:
        raise Invalid(_("Choose a community."), fields={"community": [_("Choose a community.")]})
    require_manage(actor, where.path)
    values, user = _clean(name, kind, specialties, title, phone)
    expert = Expert.objects.create(community=where, community_path=where.path, user=user, **values)
    audit_record(action="deliberation.expert_add", actor=actor, target=expert,
                 detail={"kind": expert.kind, "name": mask_name(expert.name), "login": bool(user)})
    return expert


@transaction.atomic
def expert_update(*, actor: Any, expert: Any, name: str, kind: str, specialties: str, title: str = "",
                  phone: str = "", active: bool = True) -> Expert:
    """Staff correct an expert (a blank phone keeps the login found before) or retire them (``active``)."""
    found = Expert.objects.select_for_update().filter(pk=getattr(expert, "pk", expert)).first()
    if found is None or (actor is not None and not Expert.objects.visible_to(actor).filter(pk=found.pk).exists()):
        raise NotFound(_("Not found."))
    require_manage(actor, found.community_path)
    values, user = _clean(name, kind, specialties, title, phone)
    for key, value in values.items():
        setattr(found, key, value)
    if user is not None:
        found.user = user
    found.active = bool(active)
    found.save()
    audit_record(action="deliberation.expert_update", actor=actor, target=found,
                 detail={"active": found.active, "login": bool(found.user_id)})
    return found


def _topic_event(topic: Topic, *, kind: str, actor: Any, note: str = "", data: dict | None = None) -> None:
    TopicEvent.objects.create(
        topic=topic, kind=kind, actor=actor if authenticated(actor) else None,
        actor_name=(actor.get_username() if authenticated(actor) else "system")[:150], at=timezone.now(),
        note=note, data=data or {},
    )


def _locked_topic(actor: Any, pk: Any) -> Topic:
    topic_id = getattr(pk, "pk", pk)
    if actor is not None and not Topic.objects.visible_to(actor).filter(pk=topic_id).exists():
        raise NotFound(_("Not found."))
    topic = Topic.objects.select_for_update().filter(pk=topic_id).first()
    if topic is None:
        raise NotFound(_("Not found."))
    return topic


@transaction.atomic
def expert_invite(*, actor: Any, topic: Any, expert: Any) -> ExpertInvitation:
    """Staff invite an expert of the topic's community to give an opinion; the expert is told."""
    t = _locked_topic(actor, topic)
    require_manage(actor, t.community_path)
    if t.status not in OPINION_STATUSES:
        raise Refused(_("Experts are invited while the topic is deliberated."), code="refused_transition")
    eid = str(getattr(expert, "pk", expert) or "")
    found = Expert.objects.filter(pk=int(eid), community_id=t.community_id, active=True).first() if eid.isdigit() else None
    if found is None:
        raise Invalid(_("Choose an expert of the community's think tank."), fields={"expert": [_("Not found.")]})
    try:
        with transaction.atomic():
            invitation = ExpertInvitation.objects.create(topic=t, expert=found, invited_by=actor if authenticated(actor) else None)
    except IntegrityError as exc:
        raise Refused(_("This expert is invited already."), code="duplicate") from exc
    _topic_event(t, kind="expert_invite", actor=actor, note=mask_name(found.name),
                 data={"expert": found.pk, "kind": found.kind})
    audit_record(action="deliberation.expert_invite", actor=actor, target=t, detail={"expert": found.pk})
    notice_queue(user_ids=[found.user_id], kind="expert", ref=f"deliberation.topic:{t.pk}",
                 text=_("You are invited to give your opinion on “%(title)s”.") % {"title": t.title},
                 url=page_url("topic_detail", t.pk), exclude=getattr(actor, "pk", None))
    return invitation


@transaction.atomic
def expert_opinion_record(*, actor: Any, topic: Any, expert: Any, text: str) -> ExpertOpinion:
    """An invited expert's opinion on the topic: the expert themself (their login) or staff for them."""
    t = _locked_topic(actor, topic)
    eid = str(getattr(expert, "pk", expert) or "")
    invitation = (ExpertInvitation.objects.select_related("expert").filter(topic=t, expert_id=int(eid)).first()
                  if eid.isdigit() else None)
    if invitation is None:
        raise Invalid(_("Only an invited expert's opinion is recorded."), fields={"expert": [_("Not invited.")]})
    found = invitation.expert
    own = authenticated(actor) and found.user_id == actor.pk
    if actor is not None and not own and not can_manage_path(actor, t.community_path):
        raise PermissionDenied(_("Only the expert or community staff record an opinion."))
    if t.status not in OPINION_STATUSES:
        raise Refused(_("The topic no longer takes opinions."), code="refused_transition")
    body = clean_text(text, limit=4000)
    if not body:
        raise Invalid(_("Some required fields are missing."), fields={"text": [_("This field is required.")]})
    opinion = ExpertOpinion.objects.create(topic=t, expert=found, text=body,
                                           recorded_by=actor if authenticated(actor) else None, at=timezone.now())
    _topic_event(t, kind="expert_opinion", actor=actor, note=body[:200],
                 data={"expert": found.pk, "opinion": opinion.pk, "kind": found.kind})
    audit_record(action="deliberation.expert_opinion", actor=actor, target=t,
                 detail={"expert": found.pk, "opinion": opinion.pk, "own": bool(own)})
    notice_queue(user_ids=[t.raised_by_id], kind="topic", ref=f"deliberation.topic:{t.pk}",
                 text=_("An expert gave an opinion on “%(title)s”.") % {"title": t.title},
                 url=page_url("topic_detail", t.pk), exclude=getattr(actor, "pk", None))
    return opinion
