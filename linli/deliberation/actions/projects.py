"""Community projects (微改造, 口袋公园, 停车场): proposal → deliberation → vote → funding → milestones →
completion → residents' evaluation.

- ``project_propose`` (a resident or staff), ``project_from_decision`` (a decision opens a project, in
  funding: the community has decided);
- ``project_transition``: every row of ``workflow.PROJECT_TRANSITIONS`` through the one runner;
- money through the one ledger (``actions.ledger``): ``project_money_in`` (residents' contributions,
  donations, the community budget), ``project_pay`` (payments out: never below zero);
- ``milestone_add`` / ``milestone_reach`` with photos (``linli.core.uploads.photo_clean``: pixels checked
  before decoding, no EXIF);
- ``project_rate``: a household of the community evaluates the completed project, once.

Notices go through the notifications outbox (the runner's default sink), inside the transaction.
"""

from __future__ import annotations

import datetime
import secrets
from datetime import datetime as DateTime
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.uploads import photo_clean
from linli.core.workflow import Outcome, Spec, event_write, run
from linli.deliberation.access import can_raise
from linli.deliberation.actions._common import (
    authenticated,
    clean_text,
    community_of,
    place_of,
    require_manage,
    required_text,
    voter_of,
)
from linli.deliberation.actions.ledger import fen_of, ledger_create, ledger_post
from linli.deliberation.models import (
    Decision,
    LedgerEntry,
    Milestone,
    MilestonePhoto,
    Project,
    ProjectEvent,
    ProjectRating,
    Topic,
    Vote,
)
from linli.deliberation.workflow import (
    MILESTONE_STATUSES,
    MONEY_IN,
    MONEY_IN_STATUSES,
    MONEY_OUT_STATUSES,
    PROJECT_TRANSITIONS,
    DecisionStatus,
    EntryKind,
    LedgerKind,
    ProjectKind,
    ProjectStatus,
    Satisfaction,
)

MAX_PHOTOS = 9


def _text(project: Project) -> str:
    return _("Project “%(title)s”: %(status)s") % {"title": project.title, "status": project.get_status_display()}


def _url(project: Project) -> str:
    return reverse("deliberation:project_detail", args=[project.pk])


# --- the transitions ---------------------------------------------------------------------------------------


def _same_community(model: Any, value: Any, project: Project, field: str) -> Any:
    pk = str(getattr(value, "pk", value) or "")
    found = model.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    if found is None or found.community_id != project.community_id:
        raise Invalid(_("Choose one of the same community."), fields={field: [_("Not found.")]})
    return found


def _deliberate(project: Project, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    """Taken up: the project is public from here on (its page shows it from the proposal)."""
    if data.get("topic") not in (None, ""):
        project.topic = _same_community(Topic, data["topic"], project, "topic")
    project.public = True
    return Outcome(note=clean_text(data.get("note")), data={"topic": project.topic_id},
                   notify=[("project", [project.proposed_by_id], _text(project))])


def _put_to_vote(project: Project, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    vote = _same_community(Vote, data.get("vote"), project, "vote")
    if vote.status == "cancelled":
        raise Invalid(_("That vote was cancelled."), fields={"vote": [_("Choose another vote.")]})
    project.vote = vote
    return Outcome(data={"vote": vote.pk}, notify=[("project", [project.proposed_by_id], _text(project))])


def _note(project: Project, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    return Outcome(note=clean_text(data.get("note")), notify=[("project", [project.proposed_by_id], _text(project))])


def _complete(project: Project, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    project.outcome = clean_text(data.get("note"))
    return Outcome(note=project.outcome, notify=[("project", [project.proposed_by_id], _text(project))])


def _cancel(project: Project, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    project.reason = clean_text(data.get("reason"), limit=300)
    return Outcome(note=project.reason, notify=[("project", [project.proposed_by_id], _text(project))])


def project_spec() -> Spec:
    return Spec(
        model=Project,
        event_model=ProjectEvent,
        event_fk="project",
        table=PROJECT_TRANSITIONS,
        apply={
            "deliberate": _deliberate,
            "put_to_vote": _put_to_vote,
            "approve": _note,
            "start": _note,
            "complete": _complete,
            "close": _note,
            "cancel": _cancel,
        },
        audit_prefix="deliberation.project",
        noun=_("project"),
        related=("community", "ledger", "vote"),
        url=_url,
    )


def project_transition(*, project: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Project:
    """The one door for every row of ``PROJECT_TRANSITIONS``."""
    return run(project_spec(), obj=project, name=name, actor=actor, data=data)


def _event(project: Project, *, kind: str, actor: Any, note: str = "", data: dict | None = None, now=None) -> None:
    event_write(project_spec(), project, kind=kind, actor=actor, at=now or timezone.now(), note=note, data=data)


# --- proposing ---------------------------------------------------------------------------------------------------


def _budget(value: Any) -> int:
    if value in (None, ""):
        return 0
    return fen_of(value, field="budget")


def _new(*, actor: Any, title: str, description: str, kind: str, place: Any, budget_fen: int, status: str,
         public: bool, decision: Decision | None = None) -> Project:
    community = community_of(place)
    ledger = ledger_create(kind=LedgerKind.PROJECT, name=title, community=community)
    project = Project.objects.create(
        title=title, description=description, kind=kind, community=community, community_path=community.path,
        place=place, place_path=place.path, budget_fen=budget_fen, ledger=ledger, status=status, public=public,
        proposed_by=actor if authenticated(actor) else None,
        decision=decision, topic=getattr(decision, "topic", None), vote=getattr(decision, "vote", None),
    )
    return project


@transaction.atomic
def project_propose(*, actor: Any, title: str, kind: str, description: str = "", place: Any = None,
                    budget: Any = None) -> Project:
    """A resident or staff of the community proposes a project; staff take it up for deliberation."""
    from linli.deliberation.actions.topics import _community_member

    if actor is not None and not can_raise(actor):
        raise PermissionDenied(_("You may not propose projects."))
    title = required_text(title, field="title", limit=100)
    if kind not in ProjectKind.values:
        raise Invalid(_("Choose the kind of project."), fields={"kind": [_("Choose one.")]})
    where = place_of(place)
    community = community_of(where)
    if actor is not None and not _community_member(actor, community):
        raise Invalid(_("This place is outside your community."), fields={"place": [_("Not found.")]})
    project = _new(actor=actor, title=title, description=clean_text(description), kind=kind, place=where,
                   budget_fen=_budget(budget), status=ProjectStatus.PROPOSED, public=False)
    _event(project, kind="propose", actor=actor, data={"budget_fen": project.budget_fen})
    audit_record(action="deliberation.project_propose", actor=actor, actor_name="" if actor is not None else "system",
                 target=project, detail={"kind": kind})
    return project


@transaction.atomic
def project_from_decision(*, actor: Any, decision: Any, title: str, kind: str, budget: Any = None,
                          description: str = "", place: Any = None) -> Project:
    """A decision (定事) being carried out opens a project: public at once, raising its funds (the meeting
    or the vote behind the decision was its deliberation and its vote)."""
    d = Decision.objects.select_for_update(of=("self",)).select_related("community", "topic", "vote").filter(
        pk=getattr(decision, "pk", decision)).first()
    if d is None or (actor is not None and not Decision.objects.visible_to(actor).filter(pk=d.pk).exists()):
        raise NotFound(_("Not found."))
    require_manage(actor, d.community_path)
    if d.status != DecisionStatus.OPEN:
        raise Refused(_("This decision is no longer being carried out."), code="refused")
    if kind not in ProjectKind.values:
        raise Invalid(_("Choose the kind of project."), fields={"kind": [_("Choose one.")]})
    where = place_of(place) if place not in (None, "") else d.community
    if not where.path.startswith(d.community_path):
        raise Invalid(_("The place must lie within the community."), fields={"place": [_("Outside the community.")]})
    project = _new(actor=actor, title=required_text(title, field="title", limit=100),
                   description=clean_text(description) or d.text, kind=kind, place=where, budget_fen=_budget(budget),
                   status=ProjectStatus.FUNDING, public=True, decision=d)
    _event(project, kind="open", actor=actor, data={"decision": d.pk, "budget_fen": project.budget_fen})
    from linli.deliberation.actions.meetings import DecisionEvent
    from linli.deliberation.actions.meetings import _event as decision_event

    decision_event(DecisionEvent, "decision", d, kind="project", actor=actor, data={"project": project.pk})
    audit_record(action="deliberation.project_open", actor=actor, actor_name="" if actor is not None else "system",
                 target=project, detail={"decision": d.pk})
    return project


# --- money -------------------------------------------------------------------------------------------------------


def _locked_project(project: Any, actor: Any) -> Project:
    pk = getattr(project, "pk", project)
    if actor is not None and not Project.objects.visible_to(actor).filter(pk=pk).exists():
        raise NotFound(_("Not found."))
    found = Project.objects.select_related("ledger").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    require_manage(actor, found.community_path)
    return found


def project_money_in(*, actor: Any, project: Any, kind: str, amount: Any, counterparty: str = "", note: str = "",
                     person: Any = None) -> LedgerEntry:
    """Staff record money received for the project: a residents' contribution, a donation, the community
    budget. While funds are raised and during the works."""
    if kind not in MONEY_IN:
        raise Invalid(_("Choose the kind of entry."), fields={"kind": [_("Choose one.")]})
    with transaction.atomic():
        p = _locked_project(project, actor)
        if p.status not in MONEY_IN_STATUSES:
            raise Refused(_("The project does not take money now."), code="refused")
        entry = ledger_post(ledger=p.ledger_id, kind=kind, amount_fen=fen_of(amount), actor=actor,
                            counterparty=counterparty, note=note, person=person)
        _event(p, kind="money_in", actor=actor, data={"entry": entry.pk, "kind": kind, "amount_fen": entry.amount_fen})
    return entry


def project_pay(*, actor: Any, project: Any, amount: Any, counterparty: str, note: str = "") -> LedgerEntry:
    """Staff record a payment out of the project's money (to the builder, a refund): refused when it
    exceeds the balance, whatever the races."""
    with transaction.atomic():
        p = _locked_project(project, actor)
        if p.status not in MONEY_OUT_STATUSES:
            raise Refused(_("The project makes no payments now."), code="refused")
        counterparty = required_text(counterparty, field="counterparty", limit=100)
        entry = ledger_post(ledger=p.ledger_id, kind=EntryKind.PAYMENT, amount_fen=fen_of(amount), actor=actor,
                            counterparty=counterparty, note=note)
        _event(p, kind="payment", actor=actor, data={"entry": entry.pk, "amount_fen": entry.amount_fen})
    return entry


# --- milestones --------------------------------------------------------------------------------------------------


def _date(value: Any, field: str, *, required: bool) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if value in (None, ""):
        if required:
            raise Invalid(_("Enter a date."), fields={field: [_("This field is required.")]})
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(_("Enter a date."), fields={field: [_("Enter a date such as 2026-05-10.")]}) from None


def _attach(milestone: Milestone, files: list[Any], now: DateTime) -> list[MilestonePhoto]:
    if len(files) > MAX_PHOTOS:
        raise Invalid(_("At most %(n)d photos.") % {"n": MAX_PHOTOS}, fields={"photos": [_("At most %(n)d photos.") % {"n": MAX_PHOTOS}]})
    cleaned = [photo_clean(f, field="photos") for f in files]  # every file checked before anything is stored
    out = []
    for c in cleaned:
        photo = MilestonePhoto(milestone=milestone, width=c.width, height=c.height, size=len(c.data), created_at=now)
        photo.image.save(f"{secrets.token_hex(8)}.jpg", ContentFile(c.data), save=False)
        photo.save()
        out.append(photo)
    return out


@transaction.atomic
def milestone_add(*, actor: Any, project: Any, title: str, planned_on: Any = None, done_on: Any = None,
                  note: str = "", photos: list[Any] | None = None) -> Milestone:
    """A milestone of the works (planned for a date; reached on a date, with photos)."""
    p = _locked_project(project, actor)
    if p.status not in MILESTONE_STATUSES:
        raise Refused(_("Milestones are recorded while the project is funded and built."), code="refused")
    title = required_text(title, field="title", limit=100)
    planned, done = _date(planned_on, "planned_on", required=False), _date(done_on, "done_on", required=False)
    if planned is None and done is None:
        raise Invalid(_("Enter a date."), fields={"planned_on": [_("When is it planned, or when was it reached?")]})
    now = timezone.now()
    m = Milestone.objects.create(project=p, title=title, note=clean_text(note, limit=500), planned_on=planned, done_on=done)
    attached = _attach(m, list(photos or []), now)
    _event(p, kind="milestone", actor=actor, note=title, now=now,
           data={"milestone": m.pk, "done_on": done.isoformat() if done else None, "photos": len(attached)})
    audit_record(action="deliberation.project_milestone", actor=actor, target=p, detail={"milestone": m.pk})
    return m


@transaction.atomic
def milestone_reach(*, actor: Any, milestone: Any, done_on: Any, note: str = "", photos: list[Any] | None = None) -> Milestone:
    """Mark a milestone reached on a date, with its photos."""
    m = Milestone.objects.select_related("project").filter(pk=getattr(milestone, "pk", milestone)).first()
    if m is None:
        raise NotFound(_("Not found."))
    p = _locked_project(m.project_id, actor)
    if p.status not in MILESTONE_STATUSES:
        raise Refused(_("Milestones are recorded while the project is funded and built."), code="refused")
    reached = _date(done_on, "done_on", required=True)
    assert reached is not None
    m.done_on = reached
    if note:
        m.note = clean_text(note, limit=500)
    m.save(update_fields=["done_on", "note"])
    now = timezone.now()
    attached = _attach(m, list(photos or []), now)
    _event(p, kind="milestone_reached", actor=actor, note=m.title, now=now,
           data={"milestone": m.pk, "done_on": reached.isoformat(), "photos": len(attached)})
    audit_record(action="deliberation.project_milestone", actor=actor, target=p, detail={"milestone": m.pk})
    return m


# --- the residents' evaluation -------------------------------------------------------------------------------------


def project_rate(*, actor: Any, project: Any, satisfaction: str, comment: str = "") -> ProjectRating:
    """A household of the community rates the completed project (群众评事), once."""
    pk = getattr(project, "pk", project)
    person, key = voter_of(actor)
    if satisfaction not in Satisfaction.values:
        raise Invalid(_("Choose how satisfied you are."), fields={"satisfaction": [_("Choose one.")]})
    with transaction.atomic():
        if not Project.objects.visible_to(actor).filter(pk=pk).exists():
            raise NotFound(_("Not found."))
        p = Project.objects.select_for_update().get(pk=pk)
        if p.status != ProjectStatus.COMPLETED:
            raise Refused(_("A project is rated once its works are completed."), code="refused")
        if not person.place_path.startswith(p.community_path):
            raise Refused(_("Only residents of the community rate its projects."), code="not_eligible")
        now = timezone.now()
        try:
            with transaction.atomic():
                rating = ProjectRating.objects.create(project=p, voter_key=key, person=person, satisfaction=satisfaction,
                                                      comment=clean_text(comment, limit=300), at=now)
        except IntegrityError as exc:
            raise Refused(_("Your household has already rated this project."), code="duplicate") from exc
        good = satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
        Project.objects.filter(pk=pk).update(rating_count=F("rating_count") + 1,
                                             satisfied_count=F("satisfied_count") + int(good))
        _event(p, kind="rate", actor=actor, now=now, data={"satisfaction": satisfaction})
        audit_record(action="deliberation.project_rate", actor=actor, target=p, detail={"household": key})
    return rating
