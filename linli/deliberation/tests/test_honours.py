"""Honours chosen by residents: the defaults and staff's own categories, one round per community and year,
nominations by residents (masked, once per household and category), the vote through the app's one vote
machinery (one ballot per household), the winners, the public page; every (state, action) pair of the
round's table."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.models import AuditEntry
from linli.deliberation.models import (
    Ballot,
    HonourCategory,
    HonourContest,
    HonourEvent,
    HonourNomination,
    HonourRound,
    Vote,
)
from linli.deliberation.workflow import HONOUR_TRANSITIONS, HonourStatus
from linli.notifications.models import Notice

PAIRS = [(state, name) for state in HonourStatus.values for name in HONOUR_TRANSITIONS]


def _closes():
    return (timezone.now() + datetime.timedelta(days=7)).isoformat()


@pytest.fixture
def honour_round(world, community_staff):
    from linli.deliberation.actions import honour_round_create

    return honour_round_create(actor=community_staff, community=world.community, year=2026)


def _category(rnd, name):
    return HonourCategory.objects.get(community=rnd.community, name=name)


@pytest.fixture
def nominated(honour_round, make_voter, make_person):
    """Three households nominate: two for 好婆婆 (two nominees), one for 最美家庭."""
    from linli.deliberation.actions import honour_nominate

    make_person("王秀英")
    make_person("李桂兰")
    voters = [make_voter() for _ in range(3)]
    granny = _category(honour_round, "好婆婆")
    honour_nominate(actor=voters[0], round=honour_round, category=granny, name="王秀英", reason="照顾瘫痪儿媳十年")
    honour_nominate(actor=voters[1], round=honour_round, category=granny, name="李桂兰", reason="帮邻居带孩子")
    honour_nominate(actor=voters[2], round=honour_round, category=_category(honour_round, "最美家庭"),
                    name=voters[0].person.name, reason="家风好")
    return voters


def test_the_first_round_adds_the_three_defaults_and_staff_add_more(honour_round, world, community_staff):
    from linli.deliberation.actions import honour_category_add

    names = list(HonourCategory.objects.filter(community=world.community).values_list("name", flat=True))
    assert names == ["好婆婆", "好媳妇", "最美家庭"]
    honour_category_add(actor=community_staff, community=world.community, name="好邻居", nominee_kind="person", seats=2)
    assert HonourCategory.objects.filter(community=world.community).count() == 4
    with pytest.raises(Invalid):  # twice
        honour_category_add(actor=community_staff, community=world.community, name="好邻居", nominee_kind="person")
    with pytest.raises(Invalid) as exc:
        honour_category_add(actor=community_staff, community=world.community, name="", nominee_kind="x", seats=99)
    assert {"name", "nominee_kind", "seats"} <= set(exc.value.fields)


def test_one_round_per_community_and_year(honour_round, world, community_staff, outsider, resident):
    from linli.deliberation.actions import honour_round_create

    with pytest.raises(Refused) as exc:
        honour_round_create(actor=community_staff, community=world.community, year=2026)
    assert exc.value.code == "duplicate"
    assert honour_round_create(actor=community_staff, community=world.community, year=2027).year == 2027
    with pytest.raises(PermissionDenied):
        honour_round_create(actor=outsider, community=world.community, year=2028)
    with pytest.raises(PermissionDenied):
        honour_round_create(actor=resident, community=world.community, year=2028)


def test_nomination_names_a_registry_person_masked_once_per_household(honour_round, make_voter, make_person):
    from linli.deliberation.actions import honour_nominate

    make_person("王秀英")
    first, second = make_voter(), make_voter()
    granny = _category(honour_round, "好婆婆")
    n = honour_nominate(actor=first, round=honour_round, category=granny, name="王秀英", reason="孝老爱亲")
    assert n.label == "王**" and n.person.name == "王秀英" and n.nominators == 1
    with pytest.raises(Refused) as exc:  # the household again, even for someone else
        honour_nominate(actor=first, round=honour_round, category=granny, name="王秀英", reason="再次")
    assert exc.value.code == "duplicate"
    again = honour_nominate(actor=second, round=honour_round, category=granny, name="王秀英", reason="同意")
    assert again.pk == n.pk and again.nominators == 2  # listed once
    with pytest.raises(Invalid) as exc:
        honour_nominate(actor=second, round=honour_round, category=_category(honour_round, "好媳妇"), name="不存在",
                        reason="x")
    assert "name" in exc.value.fields
    assert HonourNomination.objects.count() == 1


def test_a_household_honour_names_the_family_and_namesakes_need_the_house(honour_round, make_voter, make_person,
                                                                          make_house):
    from linli.deliberation.actions import honour_nominate

    a, b = make_house(name="101室"), make_house(name="202室")
    make_person("张伟", place=a)
    make_person("张伟", place=b)
    voter = make_voter()
    family = _category(honour_round, "最美家庭")
    with pytest.raises(Invalid) as exc:
        honour_nominate(actor=voter, round=honour_round, category=family, name="张伟", reason="家风好")
    assert "house" in exc.value.fields
    with pytest.raises(Invalid) as exc:  # found, but in no household
        honour_nominate(actor=voter, round=honour_round, category=family, name="张伟", house="202", reason="家风好")
    assert "name" in exc.value.fields
    n = honour_nominate(actor=voter, round=honour_round, category=_category(honour_round, "好婆婆"), name="张伟",
                        house="202", reason="热心")
    assert n.label == "张* · 1幢" and n.person.place_id == b.pk


def test_outsiders_and_closed_rounds_take_no_nomination(honour_round, make_voter, make_person, outsider,
                                                        community_staff, world):
    from linli.deliberation.actions import honour_nominate

    make_person("王秀英")
    granny = _category(honour_round, "好婆婆")
    with pytest.raises((NotFound, PermissionDenied, Invalid)):
        honour_nominate(actor=outsider, round=honour_round, category=granny, name="王秀英", reason="x")
    HonourRound.objects.filter(pk=honour_round.pk).update(status=HonourStatus.VOTING)
    with pytest.raises(Refused):
        honour_nominate(actor=make_voter(), round=honour_round, category=granny, name="王秀英", reason="x")
    assert not HonourNomination.objects.exists()


def test_the_vote_is_the_apps_vote_one_ballot_per_household(honour_round, nominated, community_staff, make_voter):
    from linli.deliberation.actions import ballot_cast, honour_transition

    husband = make_voter(household=nominated[0].household, new_household=False)
    with pytest.raises(Invalid):
        honour_transition(round=honour_round, name="open_vote", actor=community_staff, data={"closes_at": "soon"})
    rnd = honour_transition(round=honour_round, name="open_vote", actor=community_staff, data={"closes_at": _closes()})
    assert rnd.status == HonourStatus.VOTING
    [contest] = HonourContest.objects.filter(round=rnd)  # 最美家庭 has one nominee: no vote
    vote = contest.vote
    assert vote.status == "open" and vote.electorate == "households" and not vote.yes_no
    assert [label for _k, label in vote.options] == ["王**", "李**"]
    wang = HonourNomination.objects.get(round=rnd, label="王**", category=contest.category)
    li = HonourNomination.objects.get(round=rnd, label="李**")
    ballot_cast(actor=nominated[0], vote=vote.pk, choice=wang.option_key)
    ballot_cast(actor=husband, vote=vote.pk, choice=li.option_key)  # the same household: changes its one ballot
    ballot_cast(actor=nominated[1], vote=vote.pk, choice=wang.option_key)
    ballot_cast(actor=nominated[2], vote=vote.pk, choice=li.option_key)
    assert Ballot.objects.filter(vote=vote).count() == 3
    rnd = honour_transition(round=rnd, name="count", actor=community_staff)
    assert Vote.objects.get(pk=vote.pk).status == "closed"
    wang.refresh_from_db()
    li.refresh_from_db()
    assert (wang.votes, li.votes) == (1, 2) and li.won and not wang.won
    rnd = honour_transition(round=rnd, name="publish", actor=community_staff)
    assert rnd.public and Vote.objects.get(pk=vote.pk).status == "published"
    assert Notice.objects.filter(kind="honour", user=nominated[0]).count() == 1


def test_ties_at_the_last_seat_all_win(honour_round, nominated, community_staff):
    from linli.deliberation.actions import ballot_cast, honour_transition

    rnd = honour_transition(round=honour_round, name="open_vote", actor=community_staff, data={"closes_at": _closes()})
    contest = HonourContest.objects.get(round=rnd)
    a, b = HonourNomination.objects.filter(category=contest.category).order_by("id")
    ballot_cast(actor=nominated[0], vote=contest.vote_id, choice=a.option_key)
    ballot_cast(actor=nominated[1], vote=contest.vote_id, choice=b.option_key)
    honour_transition(round=rnd, name="count", actor=community_staff)
    assert HonourNomination.objects.filter(category=contest.category, won=True).count() == 2


def test_open_vote_needs_two_nominees_somewhere(honour_round, community_staff):
    from linli.deliberation.actions import honour_transition

    with pytest.raises(Refused) as exc:
        honour_transition(round=honour_round, name="open_vote", actor=community_staff, data={"closes_at": _closes()})
    assert exc.value.code == "refused_transition"
    assert not Vote.objects.exists() and HonourRound.objects.get(pk=honour_round.pk).status == HonourStatus.NOMINATING


def test_cancel_while_voting_cancels_the_votes(honour_round, nominated, community_staff):
    from linli.deliberation.actions import honour_transition

    rnd = honour_transition(round=honour_round, name="open_vote", actor=community_staff, data={"closes_at": _closes()})
    honour_transition(round=rnd, name="cancel", actor=community_staff, data={"reason": "重新组织"})
    assert set(Vote.objects.values_list("status", flat=True)) == {"cancelled"}


def test_residents_may_not_run_the_round(honour_round, nominated):
    from linli.deliberation.actions import honour_transition

    with pytest.raises(PermissionDenied):
        honour_transition(round=honour_round, name="open_vote", actor=nominated[0], data={"closes_at": _closes()})


def _state(rnd, state, staff, voters):
    """Bring the round to ``state`` through the real transitions (nominations in place)."""
    from linli.deliberation.actions import ballot_cast, honour_transition

    if state in ("voting", "counted", "published"):
        rnd = honour_transition(round=rnd, name="open_vote", actor=staff, data={"closes_at": _closes()})
        contest = HonourContest.objects.get(round=rnd)
        first = HonourNomination.objects.filter(category=contest.category).order_by("id").first()
        ballot_cast(actor=voters[0], vote=contest.vote_id, choice=first.option_key)
    if state in ("counted", "published"):
        rnd = honour_transition(round=rnd, name="count", actor=staff)
    if state == "published":
        rnd = honour_transition(round=rnd, name="publish", actor=staff)
    if state == "cancelled":
        rnd = honour_transition(round=rnd, name="cancel", actor=staff, data={"reason": "取消"})
    return rnd


@pytest.mark.parametrize(("state", "name"), PAIRS)
def test_honour_transition_pair(state, name, honour_round, nominated, community_staff):
    from linli.deliberation.actions import honour_transition

    rnd = _state(honour_round, state, community_staff, nominated)
    assert rnd.status == state
    t = HONOUR_TRANSITIONS[name]
    data = {"open_vote": {"closes_at": _closes()}, "cancel": {"reason": "取消"}}.get(name, {})
    if t.allows_state(state):
        done = honour_transition(round=rnd.pk, name=name, actor=community_staff, data=data)
        assert done.status == t.target
        assert HonourEvent.objects.filter(round=rnd, kind=name, from_status=state, to_status=t.target).exists()
        assert AuditEntry.objects.filter(action=f"deliberation.honour_{name}", target_id=str(rnd.pk)).exists()
    else:
        with pytest.raises(Refused) as exc:
            honour_transition(round=rnd.pk, name=name, actor=community_staff, data=data)
        assert exc.value.code == "refused_transition"
        assert HonourRound.objects.get(pk=rnd.pk).status == state


# --- pages ----------------------------------------------------------------------------------------------------------


def _login(client, user):
    from linli.core.testing.personas import PASSWORD

    assert client.login(username=user.username, password=PASSWORD)


def test_resident_home_and_menu_lead_to_the_honours(client, make_voter):
    from django.urls import reverse

    _login(client, make_voter())
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("deliberation:honours") in home and reverse("deliberation:experts") in home


def test_a_round_through_the_pages_to_the_public_winners(client, world, community_staff, make_voter, make_person):
    from django.urls import reverse

    from linli.deliberation.actions import ballot_cast

    _login(client, community_staff)
    r = client.post(reverse("deliberation:honour_new"), {"community": world.community.pk, "year": "2026"})
    rnd = HonourRound.objects.get()
    assert r.url == reverse("deliberation:honour_detail", args=[rnd.pk])
    client.post(reverse("deliberation:honour_category_new", args=[rnd.pk]),
                {"name": "好邻居", "nominee_kind": "person", "seats": "1"})
    assert HonourCategory.objects.filter(community=world.community, name="好邻居").exists()
    client.logout()
    make_person("王秀英")
    make_person("李桂兰")
    voters = [make_voter(), make_voter()]
    granny = _category(rnd, "好婆婆")
    for voter, name in zip(voters, ["王秀英", "李桂兰"], strict=True):
        _login(client, voter)
        page = client.get(reverse("deliberation:honour_detail", args=[rnd.pk])).content.decode()
        assert 'data-testid="nominate"' in page
        client.post(reverse("deliberation:honour_nominate", args=[rnd.pk]),
                    {"category": granny.pk, "name": name, "reason": "孝老爱亲"})
        client.logout()
    _login(client, voters[0])
    r = client.post(reverse("deliberation:honour_nominate", args=[rnd.pk]),
                    {"category": granny.pk, "name": "查无此人", "reason": "x"}, follow=True)
    assert "好婆婆" in r.content.decode() and HonourNomination.objects.count() == 2
    client.logout()
    _login(client, community_staff)
    client.post(reverse("deliberation:honour_transition", args=[rnd.pk, "open_vote"]), {"closes_at": _closes()[:16]})
    rnd.refresh_from_db()
    assert rnd.status == "voting"
    vote = HonourContest.objects.get(round=rnd).vote
    li = HonourNomination.objects.get(label="李**")
    for voter in voters:
        ballot_cast(actor=voter, vote=vote.pk, choice=li.option_key)
    client.post(reverse("deliberation:honour_transition", args=[rnd.pk, "count"]))
    client.logout()
    public = reverse("deliberation:honour_public", args=[rnd.pk])
    assert client.get(public).status_code == 404  # counted, not yet published
    _login(client, community_staff)
    client.post(reverse("deliberation:honour_transition", args=[rnd.pk, "publish"]))
    client.logout()
    page = client.get(public).content.decode()  # anonymous
    assert "李**" in page and "王**" not in page and "李桂兰" not in page


def test_another_communitys_round_is_not_found(client, honour_round, outsider):
    from django.urls import reverse

    _login(client, outsider)
    assert client.get(reverse("deliberation:honour_detail", args=[honour_round.pk])).status_code == 404
    assert client.post(reverse("deliberation:honour_transition", args=[honour_round.pk, "cancel"]),
                       {"reason": "x"}).status_code == 404


def test_the_periodic_task_counts_a_round_once_its_votes_are_closed(honour_round, nominated, community_staff):
    """The task closes the votes whose time is up and counts the round through its own transition (by the
    system), once: a second run changes nothing; a round whose vote is still open is left voting."""
    from linli.deliberation.actions import ballot_cast, honour_transition
    from linli.deliberation.tasks import deliberation_close_due_votes

    rnd = honour_transition(round=honour_round, name="open_vote", actor=community_staff, data={"closes_at": _closes()})
    contest = HonourContest.objects.get(round=rnd)
    first = HonourNomination.objects.filter(category=contest.category).order_by("id").first()
    ballot_cast(actor=nominated[0], vote=contest.vote_id, choice=first.option_key)
    deliberation_close_due_votes.call_local()  # not due yet
    assert HonourRound.objects.get(pk=rnd.pk).status == HonourStatus.VOTING
    Vote.objects.filter(pk=contest.vote_id).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    deliberation_close_due_votes.call_local()
    rnd.refresh_from_db()
    assert rnd.status == HonourStatus.COUNTED and Vote.objects.get(pk=contest.vote_id).status == "closed"
    first.refresh_from_db()
    assert first.won and first.votes == 1
    counted = HonourEvent.objects.get(round=rnd, kind="count")
    assert counted.actor_id is None
    deliberation_close_due_votes.call_local()  # twice: nothing more
    assert HonourEvent.objects.filter(round=rnd, kind="count").count() == 1
    assert AuditEntry.objects.filter(action="deliberation.honour_count", target_id=str(rnd.pk)).count() == 1


def test_staff_edit_and_retire_an_honour_on_its_page_past_winners_keep_it(client, world, community_staff, make_voter,
                                                                       make_person, outsider):
    """The honours page leads staff to the community's honours; a retired honour is not offered in a new
    round (no nomination, no vote) but a published round still shows its winners under it."""
    from django.urls import reverse

    from linli.deliberation.actions import (
        ballot_cast,
        honour_nominate,
        honour_round_create,
        honour_transition,
    )

    last = honour_round_create(actor=community_staff, community=world.community, year=2025)
    make_person("王秀英")
    make_person("李桂兰")
    voters = [make_voter(), make_voter()]
    granny = _category(last, "好婆婆")
    for voter, name in zip(voters, ["王秀英", "李桂兰"], strict=True):
        honour_nominate(actor=voter, round=last, category=granny, name=name, reason="孝老爱亲")
    last = honour_transition(round=last, name="open_vote", actor=community_staff, data={"closes_at": _closes()})
    contest = HonourContest.objects.get(round=last)
    li = HonourNomination.objects.get(round=last, label="李**")
    ballot_cast(actor=voters[0], vote=contest.vote_id, choice=li.option_key)
    last = honour_transition(round=last, name="count", actor=community_staff)
    last = honour_transition(round=last, name="publish", actor=community_staff)

    _login(client, community_staff)
    assert reverse("deliberation:honour_categories") in client.get(reverse("deliberation:honours")).content.decode()
    page = reverse("deliberation:honour_categories")
    assert "好婆婆" in client.get(page).content.decode()
    edit = reverse("deliberation:honour_category_edit", args=[granny.pk])
    r = client.post(edit, {"name": "好婆婆（孝老）", "seats": "2", "description": "孝老爱亲"}, follow=True)
    granny.refresh_from_db()
    assert (granny.name, granny.seats, granny.description) == ("好婆婆（孝老）", 2, "孝老爱亲")
    r = client.post(edit, {"name": "最美家庭", "seats": "30"}, follow=True)  # taken name, too many seats
    assert r.status_code == 200
    granny.refresh_from_db()
    assert granny.name == "好婆婆（孝老）" and granny.seats == 2
    client.post(edit, {"active": "0"})
    granny.refresh_from_db()
    assert not granny.active
    assert AuditEntry.objects.filter(action="deliberation.honour_category_retire", target_id=str(granny.pk)).exists()

    new = honour_round_create(actor=community_staff, community=world.community, year=2026)
    detail = client.get(reverse("deliberation:honour_detail", args=[new.pk])).content.decode()
    assert "好婆婆（孝老）" not in detail and "好媳妇" in detail
    with pytest.raises(Invalid):
        honour_nominate(actor=voters[0], round=new, category=granny, name="王秀英", reason="x")
    public = client.get(reverse("deliberation:honour_public", args=[last.pk])).content.decode()
    assert "好婆婆（孝老）" in public and "李**" in public
    assert "好婆婆（孝老）" in client.get(reverse("deliberation:honour_detail", args=[last.pk])).content.decode()
    client.post(edit, {"active": "1"})
    granny.refresh_from_db()
    assert granny.active
    client.logout()
    _login(client, outsider)
    assert client.post(edit, {"active": "0"}).status_code == 404
    assert "好婆婆（孝老）" not in client.get(page).content.decode()  # staff of another community: theirs only
    granny.refresh_from_db()
    assert granny.active
