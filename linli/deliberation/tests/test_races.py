"""No vote counted twice whatever the races; each household supports a topic once."""

from __future__ import annotations

import pytest

from linli.core.testing.concurrency import in_thread, race, sqlite_file


def _patient(settings_dict):
    """SQLite: a longer busy timeout than Linli's 5 s, so a loaded test machine does not turn a wait into
    "database is locked" (what is tested is that nothing is counted twice, not the machine's speed)."""
    if settings_dict is not None:
        settings_dict = {**settings_dict, "OPTIONS": {**settings_dict.get("OPTIONS", {}), "timeout": 120}}
    return settings_dict


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_200_racing_ballots_of_one_household_count_once(tmp_path, world, community_staff, make_voter, make_vote):
    from linli.deliberation.actions import ballot_cast, vote_tally, vote_transition
    from linli.deliberation.models import Ballot, Vote

    head = make_voter()
    members = [head] + [make_voter(household=head.household) for _ in range(3)]
    make_voter()
    vote = vote_transition(vote=make_vote(), name="open", actor=community_staff)
    settings_dict = _patient(sqlite_file(tmp_path))
    choices = ["agree", "disagree"]

    def ten_ballots(i):  # 20 threads × 10 ballots: 200 ballots racing, within PostgreSQL's connections
        return [ballot_cast(actor=members[(i + k) % 4], vote=vote.pk, choice=choices[k % 2]) for k in range(10)]

    _results, errors = race([lambda i=i: ten_ballots(i) for i in range(20)], settings_dict=settings_dict)
    assert errors == []

    def counted():
        fresh = Vote.objects.get(pk=vote.pk)
        return Ballot.objects.filter(vote=fresh).count(), vote_tally(fresh)["part_heads"], Ballot.objects.get(vote=fresh).revision

    n, heads, revision = in_thread(counted, settings_dict)
    assert (n, heads) == (1, 1)
    assert revision == 200  # every ballot was a change of the one ballot, none a second one


@pytest.mark.django_db(transaction=True)
def test_racing_support_of_one_household_counts_once(tmp_path, world, community_staff, make_voter):
    from linli.core.errors import Refused
    from linli.deliberation.actions import topic_raise, topic_support
    from linli.deliberation.models import Topic, TopicSupport

    topic = topic_raise(actor=community_staff, title="加装电梯", place=world.community)
    head = make_voter()
    members = [head] + [make_voter(household=head.household) for _ in range(3)]
    settings_dict = _patient(sqlite_file(tmp_path))
    _results, errors = race(
        [lambda u=u: topic_support(actor=u, topic=topic.pk) for u in members * 5], settings_dict=settings_dict
    )
    assert len(errors) == 19 and all(isinstance(e, Refused) for e in errors)
    count, rows = in_thread(
        lambda: (Topic.objects.get(pk=topic.pk).support_count, TopicSupport.objects.filter(topic_id=topic.pk).count()),
        settings_dict,
    )
    assert (count, rows) == (1, 1)
