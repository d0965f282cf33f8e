"""Honours chosen by residents (好婆婆, 好媳妇, 最美家庭 and the categories staff add), once a year per community.

- ``honour_category_add`` (staff; the three defaults are added to a community by its first round);
- ``honour_round_create`` (staff: one round per community and year, taking nominations);
- ``honour_nominate``: a resident names a registry person (or the household of one) of the community by full
  name (and the house when several share it); the nominee is listed masked; each household nominates once per
  category, a nominee is listed once however many nominate them;
- ``honour_transition``: every row of ``workflow.HONOUR_TRANSITIONS`` through the one runner. Opening the vote
  creates one vote per category with two nominees or more through the app's own vote machinery (households of
  the community, one vote each, the nominees as options); counting closes them and marks the winners
  (``seats`` per category, ties at the last seat included); publishing publishes the votes and the round's
  public page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.masking import mask_name
from linli.core.workflow import Outcome, Spec, event_write, run
from linli.deliberation.access import can_raise
from linli.deliberation.actions._common import (
    authenticated,
    clean_text,
    page_url,
    place_of,
    require_manage,
    voter_of,
)
from linli.deliberation.models import (
    HonourCategory,
    HonourContest,
    HonourEvent,
    HonourNomination,
    HonourNominator,
    HonourRound,
)
from linli.deliberation.workflow import (
    DEFAULT_HONOUR_CATEGORIES,
    HONOUR_TRANSITIONS,
    Electorate,
    HonourStatus,
    NomineeKind,
    VoteRule,
    VoteStatus,
)
from linli.residents.selectors import active_persons_named, household_get

MAX_CATEGORIES = 30


def _community(value: Any):
    from linli.places.kinds import PlaceKind

    place = place_of(value, field="community")
    if place.kind != PlaceKind.COMMUNITY:
        raise Invalid(_("Choose a community."), fields={"community": [_("Choose a community.")]})
    return place


def honour_categories_ensure(community: Any) -> list[HonourCategory]:
    """The community's categories, the three defaults added when it has none (the first round does it)."""
    if not HonourCategory.objects.filter(community=community).exists():
        for name, kind, description in DEFAULT_HONOUR_CATEGORIES:
            HonourCategory.objects.get_or_create(
                community=community, name=name,
                defaults={"community_path": community.path, "nominee_kind": kind, "description": description},
            )
    return list(HonourCategory.objects.filter(community=community, active=True).order_by("id"))


@transaction.atomic
def honour_category_add(*, actor: Any, community: Any, name: str, nominee_kind: str, description: str = "",
                        seats: Any = 1) -> HonourCategory:
    """Staff add an honour to their community (the defaults are there first)."""
    where = _community(community)
    require_manage(actor, where.path)
    honour_categories_ensure(where)
    errors: dict[str, list[str]] = {}
    name = clean_text(name, limit=40)
    if not name:
        errors["name"] = [_("This field is required.")]
    if nominee_kind not in NomineeKind.values:
        errors["nominee_kind"] = [_("Choose one.")]
    try:
        n = int(str(seats or 1))
    except ValueError:
        n = 0
    if not 1 <= n <= 20:
        errors["seats"] = [_("Between 1 and 20.")]
    if HonourCategory.objects.filter(community=where).count() >= MAX_CATEGORIES:
        errors["name"] = [_("At most %(n)d honours per community.") % {"n": MAX_CATEGORIES}]
    if errors:
        raise Invalid(_("Please check the honour."), fields=errors)
    try:
        with transaction.atomic():
            category = HonourCategory.objects.create(
                community=where, community_path=where.path, name=name, nominee_kind=nominee_kind,
                description=clean_text(description, limit=200), seats=n,
            )
    except IntegrityError as exc:
        raise Invalid(_("This honour exists already."), fields={"name": [_("This honour exists already.")]}) from exc
    audit_record(action="deliberation.honour_category_add", actor=actor, target=category, detail={"name": name})
    return category


def _locked_category(actor: Any, category: Any) -> HonourCategory:
    pk = str(getattr(category, "pk", category) or "")
    found = HonourCategory.objects.select_for_update().filter(pk=int(pk)).first() if pk.isdigit() else None
    if found is None:
        raise NotFound(_("Not found."))
    require_manage(actor, found.community_path)
    return found


@transaction.atomic
def honour_category_update(*, actor: Any, category: Any, name: str, description: str = "", seats: Any = 1) -> HonourCategory:
    """Staff correct an honour's name, description or winners per year (who is nominated stays: past
    nominations name people or families). Past rounds show the honour under its new name."""
    found = _locked_category(actor, category)
    errors: dict[str, list[str]] = {}
    name = clean_text(name, limit=40)
    if not name:
        errors["name"] = [_("This field is required.")]
    elif HonourCategory.objects.filter(community_id=found.community_id, name=name).exclude(pk=found.pk).exists():
        errors["name"] = [_("This honour exists already.")]
    try:
        n = int(str(seats or 1))
    except ValueError:
        n = 0
    if not 1 <= n <= 20:
        errors["seats"] = [_("Between 1 and 20.")]
    if errors:
        raise Invalid(_("Please check the honour."), fields=errors)
    before = {"name": found.name, "seats": found.seats}
    found.name, found.description, found.seats = name, clean_text(description, limit=200), n
    found.save(update_fields=["name", "description", "seats"])
    audit_record(action="deliberation.honour_category_update", actor=actor, target=found,
                 detail={"before": before, "name": name, "seats": n})
    return found


@transaction.atomic
def honour_category_retire(*, actor: Any, category: Any, active: bool = False) -> HonourCategory:
    """Staff retire an honour (no longer offered in a round's nominations or votes; past winners keep it) or
    bring it back (``active=True``)."""
    found = _locked_category(actor, category)
    if found.active != bool(active):
        found.active = bool(active)
        found.save(update_fields=["active"])
        audit_record(action="deliberation.honour_category_" + ("restore" if active else "retire"), actor=actor,
                     target=found, detail={"name": found.name})
    return found


@transaction.atomic
def honour_round_create(*, actor: Any, community: Any, year: Any, title: str = "") -> HonourRound:
    """Staff open the year's round of their community: it takes nominations at once."""
    where = _community(community)
    require_manage(actor, where.path)
    try:
        y = int(str(year))
    except ValueError:
        y = 0
    if not 2000 <= y <= 2100:
        raise Invalid(_("Please check the round."), fields={"year": [_("Enter a year.")]})
    honour_categories_ensure(where)
    title = clean_text(title, limit=100) or _("%(year)d honours of %(community)s") % {"year": y, "community": where.name}
    try:
        with transaction.atomic():
            rnd = HonourRound.objects.create(community=where, community_path=where.path, year=y, title=title,
                                             created_by=actor if authenticated(actor) else None)
    except IntegrityError as exc:
        raise Refused(_("The community has a round for %(year)d already.") % {"year": y}, code="duplicate") from exc
    event_write(_spec(), rnd, kind="create", actor=actor, at=timezone.now(), to_status=rnd.status)
    audit_record(action="deliberation.honour_round_create", actor=actor, actor_name="" if actor is not None else "system",
                 target=rnd, detail={"year": y})
    return rnd


# --- nominations ---------------------------------------------------------------------------------------------------


def _nominee(community: Any, kind: str, name: str, house: str) -> tuple[Any, Any, str, str]:
    """(person, household, key, masked label) of the named registry person of the community (or their
    household). Several people of that name: the house tells them apart."""
    from linli.residents.selectors import household_id_of

    found = active_persons_named(name, community.path)
    if house and len(found) > 1:
        found = [p for p in found if p.place is not None and house in f"{getattr(p.place.parent, 'name', '')}{p.place.name}"]
    if not found:
        raise Invalid(_("Nobody of this name lives in the community."), fields={"name": [_("Not found.")]})
    if len(found) > 1:
        raise Invalid(_("Several residents have this name: add their building and room."),
                      fields={"house": [_("Which house?")]})
    person = found[0]
    where = person.place
    building = where.parent.name if where is not None and where.kind == "house" and where.parent else ""
    where_suffix = f" · {building}" if building else ""
    label = mask_name(person.name) + where_suffix
    if kind == NomineeKind.HOUSEHOLD:
        hid = household_id_of(person)
        if hid is None:
            raise Invalid(_("This resident belongs to no household of the registry."), fields={"name": [_("No household.")]})
        household = household_get(hid)
        return None, household, f"h{hid}", _("%(name)s's family") % {"name": mask_name(person.name)} + where_suffix
    return person, None, f"p{person.pk}", label


def honour_nominate(*, actor: Any, round: Any, category: Any, name: str, reason: str, house: str = "") -> HonourNomination:  # noqa: A002
    """A resident of the community nominates a person or household for an honour: once per household and
    category (whatever the races); the same nominee named again gains a nominator."""
    if not can_raise(actor):
        raise PermissionDenied(_("You may not nominate."))
    person, voter_key = voter_of(actor)
    pk = getattr(round, "pk", round)
    with transaction.atomic():
        if not HonourRound.objects.visible_to(actor).filter(pk=pk).exists():
            raise NotFound(_("Not found."))
        rnd = HonourRound.objects.select_for_update().select_related("community").get(pk=pk)
        if rnd.status != HonourStatus.NOMINATING:
            raise Refused(_("Nominations are closed."), code="refused_transition")
        if not person.place_path.startswith(rnd.community_path):
            raise PermissionDenied(_("Only residents of the community nominate."))
        cat_id = str(getattr(category, "pk", category) or "")
        cat = HonourCategory.objects.filter(pk=int(cat_id), community=rnd.community, active=True).first() if cat_id.isdigit() else None
        errors: dict[str, list[str]] = {}
        if cat is None:
            errors["category"] = [_("Choose the honour.")]
        name = clean_text(name, limit=64)
        if not name:
            errors["name"] = [_("This field is required.")]
        reason = clean_text(reason, limit=300)
        if not reason:
            errors["reason"] = [_("This field is required.")]
        if errors:
            raise Invalid(_("Please check the nomination."), fields=errors)
        assert cat is not None
        if HonourNominator.objects.filter(round=rnd, category=cat, voter_key=voter_key).exists():
            raise Refused(_("Your household has nominated for this honour already."), code="duplicate")
        nominee_person, household, key, label = _nominee(rnd.community, cat.nominee_kind, name, clean_text(house, limit=40))
        nomination = HonourNomination.objects.filter(round=rnd, category=cat, nominee_key=key).first()
        if nomination is None:
            nomination = HonourNomination.objects.create(round=rnd, category=cat, person=nominee_person,
                                                         household=household, nominee_key=key, label=label[:60],
                                                         reason=reason)
        else:
            HonourNomination.objects.filter(pk=nomination.pk).update(nominators=F("nominators") + 1)
        try:
            with transaction.atomic():
                HonourNominator.objects.create(round=rnd, category=cat, nomination=nomination, voter_key=voter_key,
                                               user=actor)
        except IntegrityError as exc:
            raise Refused(_("Your household has nominated for this honour already."), code="duplicate") from exc
        event_write(_spec(), rnd, kind="nominate", actor=actor, at=timezone.now(),
                    data={"category": cat.pk, "nomination": nomination.pk})
        audit_record(action="deliberation.honour_nominate", actor=actor, target=rnd,
                     detail={"category": cat.pk, "nomination": nomination.pk})
    nomination.refresh_from_db()
    return nomination


# --- the round's transitions ------------------------------------------------------------------------------------


def _unique_labels(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}（{seen[label]}）")
    return out


def _open_vote(rnd: HonourRound, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    """One vote per category with two nominees or more: households of the community, one vote each."""
    from linli.deliberation.actions.votes import vote_create, vote_transition

    by_category: dict[int, list[HonourNomination]] = {}
    for n in (HonourNomination.objects.filter(round=rnd, category__active=True).select_related("category")
              .order_by("category_id", "id")):
        by_category.setdefault(n.category_id, []).append(n)
    opened, skipped = [], []
    for cat_id, nominees in by_category.items():
        if len(nominees) < 2:
            skipped.append(cat_id)
            continue
        category = nominees[0].category
        vote = vote_create(
            actor=actor, title=f"{rnd.title}：{category.name}"[:100], place=rnd.community,
            electorate=Electorate.HOUSEHOLDS, rule=VoteRule.CUSTOM, closes_at=data.get("closes_at"),
            question=category.description, options=_unique_labels([n.label for n in nominees]), secret=True,
            quorum=(0, 1, False), majority=(1, 2, True),
        )
        for i, n in enumerate(nominees):
            HonourNomination.objects.filter(pk=n.pk).update(option_key=f"o{i + 1}")
        HonourContest.objects.create(round=rnd, category=category, vote=vote)
        vote_transition(vote=vote.pk, name="open", actor=actor)
        opened.append(vote.pk)
    return Outcome(data={"votes": opened, "skipped_categories": skipped})


def _count(rnd: HonourRound, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    """Close each category's vote (unless the periodic close did) and mark its winners: the ``seats`` most
    voted nominees with at least one vote, ties at the last seat included."""
    from linli.deliberation.actions.votes import vote_transition
    from linli.deliberation.models import Vote

    winners: list[int] = []
    for contest in HonourContest.objects.filter(round=rnd).select_related("category"):
        vote = Vote.objects.get(pk=contest.vote_id)
        if vote.status == VoteStatus.OPEN:
            vote = vote_transition(vote=vote.pk, name="close", actor=actor)
        heads = {row["key"]: int(row["heads"]) for row in (vote.result or {}).get("options", [])}
        ranked = sorted((h for h in heads.values() if h > 0), reverse=True)
        cutoff = ranked[contest.category.seats - 1] if len(ranked) >= contest.category.seats else (ranked[-1] if ranked else 1)
        for n in HonourNomination.objects.filter(round=rnd, category=contest.category):
            got = heads.get(n.option_key, 0)
            won = got > 0 and got >= cutoff
            HonourNomination.objects.filter(pk=n.pk).update(votes=got, won=won)
            if won:
                winners.append(n.pk)
    return Outcome(data={"winners": winners})


def _publish(rnd: HonourRound, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    from linli.deliberation.actions.votes import vote_transition
    from linli.deliberation.models import Vote

    for vote_id in HonourContest.objects.filter(round=rnd).values_list("vote_id", flat=True):
        if Vote.objects.filter(pk=vote_id, status=VoteStatus.CLOSED).exists():
            vote_transition(vote=vote_id, name="publish", actor=actor)
    rnd.public, rnd.published_at = True, now
    nominators = list(HonourNominator.objects.filter(round=rnd).values_list("user_id", flat=True).distinct()[:5000])
    return Outcome(notify=[("honour", nominators, _("The winners of “%(title)s” are published.") % {"title": rnd.title})])


def _cancel(rnd: HonourRound, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    from linli.deliberation.actions.votes import vote_transition
    from linli.deliberation.models import Vote

    rnd.reason = clean_text(data.get("reason"), limit=300)
    for vote_id in HonourContest.objects.filter(round=rnd).values_list("vote_id", flat=True):
        if Vote.objects.filter(pk=vote_id, status__in=[VoteStatus.DRAFT, VoteStatus.OPEN]).exists():
            vote_transition(vote=vote_id, name="cancel", actor=actor, data={"reason": rnd.reason})
    return Outcome(note=rnd.reason)


def _spec() -> Spec:
    return Spec(
        model=HonourRound,
        event_model=HonourEvent,
        event_fk="round",
        table=HONOUR_TRANSITIONS,
        apply={"open_vote": _open_vote, "count": _count, "publish": _publish, "cancel": _cancel},
        audit_prefix="deliberation.honour",
        noun=_("honours round"),
        related=("community",),
        url=lambda obj: page_url("honour_detail", obj.pk),
    )


def honour_transition(*, round: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> HonourRound:  # noqa: A002
    """The one door for every row of ``HONOUR_TRANSITIONS``."""
    return run(_spec(), obj=round, name=name, actor=actor, data=data)


def honours_count_closed(limit: int = 200) -> int:
    """Count the voting rounds none of whose votes is still open (the periodic close closed them): the round's
    own "count" through the runner, by the system. Idempotent: a counted round is no longer voting, and a
    round another run counted meanwhile is refused and skipped. Returns how many were counted."""
    done = 0
    due = (
        HonourRound.objects.filter(status=HonourStatus.VOTING, contests__isnull=False)
        .exclude(contests__vote__status__in=[VoteStatus.DRAFT, VoteStatus.OPEN])
        .distinct().order_by("id").values_list("pk", flat=True)[:limit]
    )
    for pk in list(due):
        try:
            honour_transition(round=pk, name="count", actor=None)
            done += 1
        except Refused:
            continue
    return done

