from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from linli.core.errors import Invalid, NotFound, Refused
from linli.core.models import AuditEntry
from linli.deliberation.models import Ballot, RollEntry, Vote
from linli.deliberation.workflow import VOTE_TRANSITIONS, VoteStatus


def test_households_roll_one_entry_per_household(world, community_staff, make_voter, make_vote):
    from linli.deliberation.actions import vote_transition

    head = make_voter()
    make_voter(household=head.household)  # the spouse: same household
    make_voter(household=head.household, born=datetime.date(2015, 1, 1))  # a child
    make_voter()  # another household
    vote = vote_transition(vote=make_vote(), name="open", actor=community_staff)
    assert vote.roll_heads == 2
    assert RollEntry.objects.filter(vote=vote).count() == 2


def test_residents_roll_counts_adults_only(world, community_staff, make_voter, make_vote):
    from linli.deliberation.actions import vote_transition

    head = make_voter()
    make_voter(household=head.household)
    make_voter(household=head.household, born=datetime.date(2015, 1, 1))
    vote = vote_transition(vote=make_vote(electorate="residents"), name="open", actor=community_staff)
    assert vote.roll_heads == 2


def test_owners_roll_by_area_and_heads(world, compound, make_house, make_voter, community_staff, make_vote):
    """Two co-owners of one house are one head; one owner of two houses is one head with both areas."""
    from linli.deliberation.actions import vote_transition
    from linli.residents.actions import occupancy_start

    h1, h2, h3 = make_house("100.00"), make_house("80.50"), make_house("60.00")
    husband = make_voter(place=h1, owner=True)
    make_voter(place=h1, owner=True, household=husband.household)  # wife, co-owner of h1
    landlord = make_voter(place=h2, owner=True)
    occupancy_start(person=landlord.person, house=h3, kind="owner", actor=None)
    make_voter(place=h3, new_household=True)  # a tenant of h3: not an owner
    vote = make_vote(place=compound, electorate="owners", rule="owners_ordinary")
    assert vote.by_area and (vote.quorum_num, vote.quorum_den, vote.quorum_strict) == (2, 3, False)
    vote = vote_transition(vote=vote, name="open", actor=community_staff)
    assert vote.roll_heads == 2
    assert vote.roll_area_cm2 == 10000 + 8050 + 6000
    entries = {e.area_cm2: e for e in RollEntry.objects.filter(vote=vote)}
    assert set(entries) == {10000, 14050}
    assert entries[10000].members.count() == 2


def test_owner_rules_only_for_owner_votes(world, make_vote):
    with pytest.raises(Invalid) as exc:
        make_vote(electorate="households", rule="owners_special")
    assert "rule" in exc.value.fields


def test_custom_rule_is_data(world, make_vote):
    vote = make_vote(rule="custom", quorum=(3, 5, False), majority=(2, 3, True))
    assert (vote.quorum_num, vote.quorum_den, vote.majority_num, vote.majority_den) == (3, 5, 2, 3)
    with pytest.raises(Invalid):
        make_vote(rule="custom", quorum=(4, 3, False), majority=(1, 2, True))


def test_open_with_an_empty_roll_is_refused(world, community_staff, make_vote):
    from linli.deliberation.actions import vote_transition

    vote = make_vote(place=world.grid_b)
    with pytest.raises(Refused):
        vote_transition(vote=vote, name="open", actor=community_staff)
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.DRAFT


@pytest.fixture
def open_vote(world, community_staff, make_voter, make_vote):
    from linli.deliberation.actions import vote_transition

    voters = [make_voter() for _ in range(3)]
    vote = vote_transition(vote=make_vote(), name="open", actor=community_staff)
    vote.voters = voters
    return vote


def test_cast_and_change_until_close(open_vote, community_staff):
    from linli.deliberation.actions import ballot_cast, vote_transition

    a, b, _c = open_vote.voters
    ballot_cast(actor=a, vote=open_vote, choice="agree")
    ballot_cast(actor=a, vote=open_vote, choice="disagree")  # changed, not doubled
    ballot_cast(actor=b, vote=open_vote, choice="agree")
    ballot = Ballot.objects.get(vote=open_vote, person=a.person)
    assert ballot.choice == "disagree" and ballot.revision == 2
    assert Ballot.objects.filter(vote=open_vote).count() == 2
    closed = vote_transition(vote=open_vote, name="close", actor=community_staff)
    assert closed.result["part_heads"] == 2 and closed.result["roll_heads"] == 3
    assert closed.passed is False  # 1 agree of 2 is not more than half
    with pytest.raises(Refused):
        ballot_cast(actor=b, vote=open_vote, choice="disagree")
    assert Ballot.objects.get(vote=open_vote, person=b.person).choice == "agree"


def test_secret_ballot_audit_keeps_no_choice(open_vote):
    from linli.deliberation.actions import ballot_cast

    ballot_cast(actor=open_vote.voters[0], vote=open_vote, choice="agree")
    entry = AuditEntry.objects.get(action="deliberation.ballot_cast")
    assert "choice" not in entry.detail


def test_household_member_changes_the_household_ballot(world, community_staff, make_voter, make_vote):
    from linli.deliberation.actions import ballot_cast, vote_transition

    head = make_voter()
    spouse = make_voter(household=head.household)
    vote = vote_transition(vote=make_vote(), name="open", actor=community_staff)
    ballot_cast(actor=head, vote=vote, choice="agree")
    ballot_cast(actor=spouse, vote=vote, choice="disagree")
    assert list(Ballot.objects.filter(vote=vote).values_list("choice", flat=True)) == ["disagree"]


def test_not_on_roll_and_bad_choice(open_vote, make_voter, world):
    from linli.deliberation.actions import ballot_cast

    late = make_voter()  # moved in after the roll was drawn
    with pytest.raises(Refused) as exc:
        ballot_cast(actor=late, vote=open_vote, choice="agree")
    assert exc.value.code == "not_eligible"
    with pytest.raises(Invalid):
        ballot_cast(actor=open_vote.voters[0], vote=open_vote, choice="maybe")
    assert not Ballot.objects.exists()


def test_outsider_vote_not_found(open_vote, outsider):
    from linli.deliberation.actions import ballot_enter_paper

    entry = RollEntry.objects.filter(vote=open_vote).first()
    with pytest.raises(NotFound):
        ballot_enter_paper(actor=outsider, vote=open_vote, entry=entry.pk, choice="agree", paper_number="001")


def test_paper_ballots_audited_and_never_double(open_vote, community_staff):
    from linli.deliberation.actions import ballot_cast, ballot_enter_paper

    a, b, _c = open_vote.voters
    entry_a = RollEntry.objects.get(vote=open_vote, members__person=a.person)
    entry_b = RollEntry.objects.get(vote=open_vote, members__person=b.person)
    ballot_enter_paper(actor=community_staff, vote=open_vote, entry=entry_a.pk, choice="agree", paper_number="A-001")
    assert AuditEntry.objects.filter(action="deliberation.ballot_paper", detail__paper_number="A-001").exists()
    with pytest.raises(Refused):
        ballot_cast(actor=a, vote=open_vote, choice="disagree")  # the paper ballot counts
    ballot_cast(actor=b, vote=open_vote, choice="agree")
    with pytest.raises(Refused):
        ballot_enter_paper(actor=community_staff, vote=open_vote, entry=entry_b.pk, choice="agree", paper_number="A-002")
    ballot_enter_paper(actor=community_staff, vote=open_vote, entry=entry_a.pk, choice="disagree", paper_number="A-001")
    assert AuditEntry.objects.filter(action="deliberation.ballot_paper_correct").count() == 1
    assert Ballot.objects.filter(vote=open_vote).count() == 2


def test_resident_cannot_enter_paper(open_vote):
    from linli.core.errors import PermissionDenied
    from linli.deliberation.actions import ballot_enter_paper

    entry = RollEntry.objects.filter(vote=open_vote).first()
    with pytest.raises(PermissionDenied):
        ballot_enter_paper(actor=open_vote.voters[0], vote=open_vote, entry=entry.pk, choice="agree", paper_number="1")


def test_close_due_votes_task(open_vote):
    from linli.deliberation.actions import votes_close_due

    assert votes_close_due(timezone.now()) == 0
    assert votes_close_due(timezone.now() + datetime.timedelta(days=8)) == 1
    assert Vote.objects.get(pk=open_vote.pk).status == VoteStatus.CLOSED


@pytest.mark.parametrize(("state", "name"), [(s, n) for s in VoteStatus.values for n in VOTE_TRANSITIONS])
def test_vote_transition_pair(state, name, world, community_staff, make_voter, make_vote):
    from linli.deliberation.actions import vote_transition

    make_voter()
    vote = make_vote()
    Vote.objects.filter(pk=vote.pk).update(status=state)
    t = VOTE_TRANSITIONS[name]
    data = {"reason": "议题撤回"} if name == "cancel" else {}
    if t.allows_state(state):
        assert vote_transition(vote=vote.pk, name=name, actor=community_staff, data=data).status == t.target
    else:
        with pytest.raises(Refused) as exc:
            vote_transition(vote=vote.pk, name=name, actor=community_staff, data=data)
        assert exc.value.code == "refused_transition"
        assert Vote.objects.get(pk=vote.pk).status == state
