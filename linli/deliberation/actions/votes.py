"""Votes (表决): create one with its eligibility and its quorum and majority as data; open it (the roll is
drawn from the registry and frozen); cast online (one verified ballot per household, person or owner,
changed until the close), enter paper ballots (staff, each audited); close (the tally, stored with its
computation); publish.

No ballot is ever counted twice: the database holds one ballot per (vote, roll entry) (a unique
constraint), and a ballot locks the vote row, so a close waits for ballots in flight and a ballot after
the close is refused.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, Refused
from linli.core.inserts import insert_many
from linli.core.masking import mask_name
from linli.core.workflow import Outcome, Spec, run
from linli.deliberation.access import can_manage_path
from linli.deliberation.actions._common import (
    authenticated,
    clean_text,
    community_of,
    page_url,
    place_of,
    require_manage,
    required_text,
    voter_of,
)
from linli.deliberation.models import Ballot, RollEntry, RollMember, Topic, Vote, VoteEvent
from linli.deliberation.rules import ABSTAIN, AGREE, DISAGREE, Rule, tally_compute
from linli.deliberation.workflow import (
    RULE_PRESETS,
    VOTE_TRANSITIONS,
    BallotChannel,
    Electorate,
    VoteRule,
    VoteStatus,
)


def yes_no_options() -> list[list[str]]:
    return [[AGREE, _("Agree")], [DISAGREE, _("Disagree")], [ABSTAIN, _("Abstain")]]


def _aware(value: Any, field: str) -> datetime:
    try:
        moment: datetime | None = value if isinstance(value, datetime) else parse_datetime(str(value or ""))
    except ValueError:  # well formed but no such date
        moment = None
    if moment is None:
        raise Invalid(_("Enter a date and time."), fields={field: [_("Enter a date and time.")]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# --- creating a vote -------------------------------------------------------------------------------------------


@transaction.atomic
def vote_create(
    *,
    actor: Any,
    title: str,
    place: Any,
    electorate: str,
    rule: str,
    closes_at: Any,
    question: str = "",
    topic: Any = None,
    options: list[str] | None = None,
    secret: bool = True,
    online: bool = True,
    paper: bool = True,
    quorum: tuple[int, int, bool] | None = None,
    majority: tuple[int, int, bool] | None = None,
    by_area: bool = False,
) -> Vote:
    """A draft vote. ``electorate``: residents (adults, one vote each), households (one per household) or
    owners (of the houses under ``place``, by floor area and head count). ``rule``: a preset
    (``VoteRule``) or ``custom`` with ``quorum``/``majority`` = (num, den, strict). ``options``: labels of
    a choice among several (honours); without them the vote is agree / disagree / abstain."""
    errors: dict[str, list[str]] = {}
    title = required_text(title, field="title", limit=100)
    where = place_of(place)
    community = community_of(where)
    require_manage(actor, community.path)
    if actor is not None and not can_manage_path(actor, where.path):
        raise Invalid(_("This place is outside your area."), fields={"place": [_("Not found.")]})
    if electorate not in Electorate.values:
        errors["electorate"] = [_("Choose who votes.")]
    if rule not in VoteRule.values:
        errors["rule"] = [_("Choose the rule.")]
    if rule in (VoteRule.OWNERS_ORDINARY, VoteRule.OWNERS_SPECIAL) and electorate != Electorate.OWNERS:
        errors["rule"] = [_("The owners' rules (Civil Code Art. 278) are for votes of owners.")]
    moment = None
    try:
        moment = _aware(closes_at, "closes_at")
        if moment <= timezone.now():
            errors["closes_at"] = [_("The close must be in the future.")]
    except Invalid as exc:
        errors.update(exc.fields)
    if rule == VoteRule.CUSTOM:
        for name, frac in (("quorum", quorum), ("majority", majority)):
            if not frac or len(frac) != 3:
                errors[name] = [_("Give a fraction.")]
                continue
            num, den, _strict = frac
            if not (isinstance(num, int) and isinstance(den, int) and 0 <= num <= den and 0 < den <= 1000):
                errors[name] = [_("A fraction between 0 and 1, such as 2/3.")]
    labels = [clean_text(o, limit=60) for o in (options or []) if clean_text(o)]
    if options is not None and options and len(labels) < 2:
        errors["options"] = [_("Give at least two options.")]
    if len(labels) > 50:
        errors["options"] = [_("At most 50 options.")]
    if not (online or paper):
        errors["online"] = [_("Allow online voting, paper ballots or both.")]
    linked = None
    if topic not in (None, ""):
        linked = Topic.objects.filter(pk=getattr(topic, "pk", topic), community=community).first()
        if linked is None:
            errors["topic"] = [_("Not found.")]
    if errors:
        raise Invalid(_("Please check the vote."), fields=errors)
    if rule == VoteRule.CUSTOM:
        qn, qd, qs = quorum  # type: ignore[misc]
        mn, md, ms = majority  # type: ignore[misc]
        area = bool(by_area and electorate == Electorate.OWNERS)
    else:
        qn, qd, qs, mn, md, ms, area = RULE_PRESETS[rule]
    opts = [[f"o{i + 1}", label] for i, label in enumerate(labels)] if labels else yes_no_options()
    vote = Vote.objects.create(
        title=title,
        question=clean_text(question),
        topic=linked,
        community=community,
        community_path=community.path,
        place=where,
        place_path=where.path,
        electorate=electorate,
        rule=rule,
        quorum_num=qn,
        quorum_den=qd,
        quorum_strict=bool(qs),
        majority_num=mn,
        majority_den=md,
        majority_strict=bool(ms),
        by_area=area,
        options=opts,
        yes_no=not labels,
        secret=bool(secret),
        online=bool(online),
        paper=bool(paper),
        closes_at=moment or timezone.now(),
        created_by=actor if authenticated(actor) else None,
    )
    VoteEvent.objects.create(
        vote=vote,
        kind="create",
        actor=actor if authenticated(actor) else None,
        actor_name=(actor.get_username() if authenticated(actor) else "system")[:150],
        at=timezone.now(),
        to_status=vote.status,
    )
    audit_record(
        action="deliberation.vote_create",
        actor=actor,
        actor_name="" if actor is not None else "system",
        target=vote,
        detail={"electorate": electorate, "rule": rule, "topic": getattr(linked, "pk", None)},
    )
    return vote


# --- the roll ---------------------------------------------------------------------------------------------------


def _cm2(area: Any) -> int:
    return int((Decimal(str(area)) * 100).to_integral_value()) if area not in (None, "") else 0


def roll_draw(vote: Vote) -> tuple[int, int]:
    """Draw the roll of ``vote`` from the registry (once, when it opens); returns (heads, area in 0.01 m²).

    - residents: one entry per person aged 18 or older living under the place;
    - households: one entry per active household under the place, cast by any adult member;
    - owners: one entry per owner of the houses under the place, by the rule of the Supreme People's
      Court's interpretation on building ownership (Art. 8, 9): the area is that of the houses, the head
      count one per house, except that one owner of several houses counts once (houses sharing an owner
      are one entry: their areas summed, one head); any of the entry's owners casts its ballot.
    """
    from linli.residents import selectors as registry

    today = timezone.localdate()
    entries: list[tuple[str, str, int | None, int, list[int]]] = []  # key, label, household, area, persons
    if vote.electorate == Electorate.RESIDENTS:
        entries = [(f"p{pid}", mask_name(name), None, 0, [pid]) for pid, name in registry.electorate_residents(vote.place_path, today)]
    elif vote.electorate == Electorate.HOUSEHOLDS:
        entries = [(f"h{hid}", number, hid, 0, members) for hid, number, members in registry.electorate_households(vote.place_path, today)]
    else:
        rows = registry.electorate_owners(vote.place_path)
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        houses: dict[int, tuple[str, Any]] = {}
        owners_of: dict[int, list[int]] = defaultdict(list)
        first_house_of_person: dict[int, int] = {}
        for house_id, name, area, pid in rows:
            houses[house_id] = (name, area)
            owners_of[house_id].append(pid)
            find(house_id)
            if pid in first_house_of_person:
                a, b = find(first_house_of_person[pid]), find(house_id)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first_house_of_person[pid] = house_id
        groups: dict[int, list[int]] = defaultdict(list)
        for house_id in houses:
            groups[find(house_id)].append(house_id)
        for root, group in sorted(groups.items()):
            persons = sorted({p for h in group for p in owners_of[h]})
            label = "、".join(houses[h][0] for h in sorted(group))[:120]
            area = sum(_cm2(houses[h][1]) for h in group)
            entries.append((f"o{root}", label, None, area, persons))
    made = insert_many(
        [{"vote_id": vote.pk, "key": k, "label": label[:120], "household_id": h, "heads": 1, "area_cm2": a}
         for k, label, h, a, _p in entries],
        model=RollEntry, batch_size=2000,
    )
    if made and made[0].pk is None:  # backends that do not return ids
        made = list(RollEntry.objects.filter(vote=vote).order_by("id"))
    members: list[dict[str, int]] = []
    seen: set[int] = set()
    for entry, (_k, _l, _h, _a, persons) in zip(made, entries, strict=True):
        for pid in persons:
            if pid not in seen:  # a person casts for one entry of a vote
                seen.add(pid)
                members.append({"vote_id": vote.pk, "entry_id": entry.pk, "person_id": pid})
    insert_many(members, model=RollMember, batch_size=2000)
    return len(entries), sum(a for _k, _l, _h, a, _p in entries)


# --- the transitions --------------------------------------------------------------------------------------------


def vote_sums(vote_id: int) -> dict[str, tuple[int, int]]:
    """choice → (heads, area) of the ballots cast: one GROUP BY on (vote, choice)."""
    rows = (
        Ballot.objects.filter(vote_id=vote_id)
        .order_by()
        .values("choice")
        .annotate(h=Sum("heads"), a=Sum("area_cm2"))
        .values_list("choice", "h", "a")
    )
    return {choice: (int(h or 0), int(a or 0)) for choice, h, a in rows}


def vote_tally(vote: Vote) -> dict[str, Any]:
    """The result of ``vote`` now, with its computation."""
    return tally_compute(
        Rule.of(vote),
        roll_heads=vote.roll_heads,
        roll_area=vote.roll_area_cm2,
        sums=vote_sums(vote.pk),
        options=[(k, label) for k, label in vote.options],
        yes_no=vote.yes_no,
    )


def _open(vote: Vote, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    if vote.closes_at <= now:
        raise Refused(_("The close is already past: change the vote's close first."), code="refused_transition")
    heads, area = roll_draw(vote)
    if heads == 0:
        raise Refused(_("Nobody is eligible under this place: the roll is empty."), code="refused_transition")
    if vote.by_area and area == 0:
        raise Refused(_("No floor area is recorded for these houses: the area cannot be counted."), code="refused_transition")
    vote.roll_heads, vote.roll_area_cm2, vote.opened_at = heads, area, now
    return Outcome(data={"roll_heads": heads, "roll_area_cm2": area})


def _close(vote: Vote, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    vote.result = vote_tally(vote)
    vote.passed = vote.result["passed"]
    vote.closed_at = now
    return Outcome(data={"passed": vote.passed, "part_heads": vote.result["part_heads"]})


def _publish(vote: Vote, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    """The result is public: the resident who raised the vote's topic is told."""
    raiser = Topic.objects.filter(pk=vote.topic_id).values_list("raised_by_id", flat=True).first() if vote.topic_id else None
    text = (_("The vote “%(title)s” passed.") if vote.passed else _("The vote “%(title)s” did not pass.")) % {"title": vote.title}
    return Outcome(notify=[("vote", [raiser], text)])


def _cancel(vote: Vote, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    vote.reason = clean_text(data.get("reason"), limit=300)
    return Outcome(note=vote.reason)


def _spec() -> Spec:
    return Spec(
        model=Vote,
        event_model=VoteEvent,
        event_fk="vote",
        table=VOTE_TRANSITIONS,
        apply={"open": _open, "close": _close, "publish": _publish, "cancel": _cancel},
        audit_prefix="deliberation.vote",
        noun=_("vote"),
        related=("community",),
        url=lambda obj: page_url("vote_detail", obj.pk),
    )


def vote_transition(*, vote: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Vote:
    """The one door for every row of ``VOTE_TRANSITIONS``."""
    return run(_spec(), obj=vote, name=name, actor=actor, data=data)


def votes_close_due(now: datetime | None = None) -> int:
    """Close the open votes whose time is up (a periodic task); returns how many."""
    now = now or timezone.now()
    done = 0
    for pk in Vote.objects.filter(status=VoteStatus.OPEN, closes_at__lte=now).values_list("pk", flat=True):
        try:
            vote_transition(vote=pk, name="close", actor=None)
            done += 1
        except Refused:
            continue
    return done


# --- ballots -----------------------------------------------------------------------------------------------------


def _check_choice(vote: Vote, choice: str) -> str:
    keys = [k for k, _label in vote.options]
    if choice not in keys:
        raise Invalid(_("Choose one of the options."), fields={"choice": [_("Not an option.")]})
    return choice


def _lock_open_vote(pk: Any) -> Vote:
    try:
        vote = Vote.objects.select_for_update().get(pk=pk)
    except (Vote.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Not found.")) from exc
    if vote.status != VoteStatus.OPEN:
        raise Refused(_("This vote is not open."), code="refused_transition")
    if vote.closes_at <= timezone.now():
        raise Refused(_("This vote has closed."), code="refused_transition")
    return vote


def _write_ballot(vote: Vote, entry: RollEntry, *, choice: str, channel: str, actor: Any, person_id: int | None,
                  paper_number: str = "") -> tuple[Ballot, bool]:
    """Insert or change the entry's one ballot (the caller holds the vote's lock)."""
    now = timezone.now()
    ballot = Ballot.objects.filter(vote=vote, entry=entry).first()
    if ballot is None:
        try:
            with transaction.atomic():
                return Ballot.objects.create(
                    vote=vote, entry=entry, choice=choice, heads=entry.heads, area_cm2=entry.area_cm2,
                    channel=channel, paper_number=paper_number, person_id=person_id,
                    cast_by=actor if authenticated(actor) else None, cast_at=now, changed_at=now,
                ), True
        except IntegrityError:  # cast meanwhile by another connection: change that one
            ballot = Ballot.objects.get(vote=vote, entry=entry)
    if ballot.channel == BallotChannel.PAPER and channel == BallotChannel.ONLINE:
        raise Refused(_("A paper ballot was entered for you: it counts and cannot be changed online."), code="refused")
    if ballot.channel == BallotChannel.ONLINE and channel == BallotChannel.PAPER:
        raise Refused(_("This voter has voted online; a paper ballot would count twice."), code="duplicate")
    Ballot.objects.filter(pk=ballot.pk).update(
        choice=choice, revision=ballot.revision + 1, changed_at=now, person_id=person_id,
        cast_by=actor if authenticated(actor) else None, paper_number=paper_number or ballot.paper_number,
    )
    ballot.refresh_from_db()
    return ballot, False


def ballot_cast(*, actor: Any, vote: Any, choice: str) -> Ballot:
    """A resident votes online (phone): the login must be a person on the vote's roll; one ballot per roll
    entry (household, person or owner), changed by voting again until the close."""
    pk = getattr(vote, "pk", vote)
    person, _key = voter_of(actor)
    with transaction.atomic():
        if not Vote.objects.visible_to(actor).filter(pk=pk).exists():
            raise NotFound(_("Not found."))
        locked = _lock_open_vote(pk)
        if not locked.online:
            raise Refused(_("This vote is on paper only."), code="refused")
        _check_choice(locked, choice)
        member = RollMember.objects.select_related("entry").filter(vote=locked, person=person).first()
        if member is None:
            raise Refused(_("You are not on this vote's roll."), code="not_eligible")
        ballot, first = _write_ballot(locked, member.entry, choice=choice, channel=BallotChannel.ONLINE,
                                      actor=actor, person_id=person.pk)
        audit_record(
            action="deliberation.ballot_cast" if first else "deliberation.ballot_change",
            actor=actor,
            target=locked,
            detail={"entry": member.entry.key, **({} if locked.secret else {"choice": choice})},
        )
    return ballot


def ballot_enter_paper(*, actor: Any, vote: Any, entry: Any, choice: str, paper_number: str) -> Ballot:
    """Staff enter a paper ballot from the printed roll (``entry``: the roll line's id). Each entry is
    audited with the ballot's number; a correction re-enters the same line."""
    pk = getattr(vote, "pk", vote)
    paper_number = required_text(paper_number, field="paper_number", limit=32)
    with transaction.atomic():
        if not Vote.objects.visible_to(actor).filter(pk=pk).exists():
            raise NotFound(_("Not found."))
        locked = _lock_open_vote(pk)
        require_manage(actor, locked.community_path)
        if not locked.paper:
            raise Refused(_("This vote takes no paper ballots."), code="refused")
        _check_choice(locked, choice)
        entry_id = str(getattr(entry, "pk", entry))
        line = RollEntry.objects.filter(vote=locked, pk=int(entry_id)).first() if entry_id.isdigit() else None
        if line is None:
            raise Invalid(_("Choose a line of the roll."), fields={"entry": [_("Not found.")]})
        ballot, first = _write_ballot(locked, line, choice=choice, channel=BallotChannel.PAPER, actor=actor,
                                      person_id=None, paper_number=paper_number)
        audit_record(
            action="deliberation.ballot_paper" if first else "deliberation.ballot_paper_correct",
            actor=actor,
            target=locked,
            detail={"entry": line.key, "paper_number": paper_number, **({} if locked.secret else {"choice": choice})},
        )
    return ballot


def ballot_of(vote: Vote, actor: Any) -> Ballot | None:
    """The ballot counted for the actor's roll entry (their household's), if any."""
    try:
        person, _key = voter_of(actor)
    except Invalid:
        return None
    member = RollMember.objects.filter(vote=vote, person=person).first()
    if member is None:
        return None
    return Ballot.objects.filter(vote=vote, entry_id=member.entry_id).first()


def roll_stats(vote: Vote) -> dict[str, int]:
    """How many ballots are in, and how many of them on paper (never what they say)."""
    agg = Ballot.objects.filter(vote=vote).aggregate(
        n=Count("id"), paper=Count("id", filter=Q(channel=BallotChannel.PAPER))
    )
    return {"ballots": agg["n"] or 0, "paper": agg["paper"] or 0}
