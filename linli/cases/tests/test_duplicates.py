"""Duplicates: suggestions (same person + matter, same category nearby, similar words), merging (a
merged case counts once), and "me too" (once per household, raises priority)."""

from __future__ import annotations

import pytest

from linli.cases.actions import case_support, case_transition
from linli.cases.actions.duplicates import priority_for
from linli.cases.models import Case, CaseSupport
from linli.cases.selectors import duplicate_suggestions, nearby_open_cases
from linli.cases.text import similarity, tokens_of
from linli.core.errors import Invalid, NotFound, Refused
from linli.core.testing.personas import make_user


def test_tokens_drop_filler_and_compare_by_jaccard():
    a = tokens_of("小区门口的路灯坏了好几天")
    b = tokens_of("小区门口路灯不亮了")
    assert "路灯" in a and "的" not in a and "好几天" not in a
    assert similarity(a, b) >= 0.5
    assert similarity(a, tokens_of("楼上邻居装修噪音太大")) == 0.0


def test_same_person_same_matter_within_30_days_is_suggested(make_case, resident, community_staff):
    first = make_case(actor=resident, description="路灯不亮")
    second = make_case(actor=resident, title="又坏了", description="还是那盏灯")
    found = {s.case.pk: s for s in duplicate_suggestions(second, user=community_staff)}
    assert first.pk in found and "same_reporter" in found[first.pk].reasons


def test_same_category_within_the_radius_is_suggested(make_case, world, categories, community_staff):
    near = make_case(lon=120.1000, lat=30.2000, description="东门路灯")
    far = make_case(lon=120.1300, lat=30.2000, description="西边一盏灯")  # ~2.9 km away
    new = make_case(lon=120.1005, lat=30.2003, description="门口的灯")
    found = {s.case.pk: s for s in duplicate_suggestions(new, user=community_staff)}
    assert near.pk in found and "nearby" in found[near.pk].reasons
    assert found[near.pk].distance_m < categories["MUNI.STREETLIGHT"].duplicate_radius_m
    assert far.pk not in found or "nearby" not in found[far.pk].reasons


def test_similar_words_in_the_community_are_suggested(make_case, categories, community_staff):
    old = make_case(category=categories["NOISE.BUILD"], title="夜间施工噪音", description="工地夜间施工噪音扰民")
    new = make_case(category=categories["NOISE.LIFE"], title="工地夜间施工", description="夜间施工噪音很大")
    found = {s.case.pk: s for s in duplicate_suggestions(new, user=community_staff)}
    assert old.pk in found and "similar_text" in found[old.pk].reasons


def test_suggestions_respect_scope(make_case, resident, grid_worker_b):
    make_case(actor=resident, description="路灯不亮")
    second = make_case(actor=resident, description="还是那盏灯")
    assert duplicate_suggestions(second, user=grid_worker_b) == []


def test_merge_counts_once_and_carries_the_reporter_over(make_case, resident, community_staff, world):
    neighbour = make_user("neighbour", "resident", place=world.grid_a)
    target = make_case(actor=resident, description="路灯不亮")
    duplicate = make_case(actor=neighbour, description="门口路灯坏了")
    merged = case_transition(case=duplicate, name="merge", actor=community_staff, data={"target": target.pk})
    assert merged.status == "merged" and merged.merged_into_id == target.pk and merged.closed_reason == "merged"
    target.refresh_from_db()
    assert target.support_count == 1
    assert target.events.filter(kind="merged_in").exists()
    assert Case.objects.counted().filter(pk__in=[target.pk, duplicate.pk]).count() == 1
    with pytest.raises(Refused):  # a merged case is done
        case_transition(case=duplicate, name="accept", actor=community_staff, data={})


def test_merge_into_itself_or_a_closed_case_is_invalid(case_in_state, make_case, community_staff):
    case = make_case()
    with pytest.raises(Invalid):
        case_transition(case=case, name="merge", actor=community_staff, data={"target": case.pk})
    closed = case_in_state("closed")
    with pytest.raises(Invalid):
        case_transition(case=case, name="merge", actor=community_staff, data={"target": closed.pk})
    assert Case.objects.get(pk=case.pk).status == "reported"


def test_me_too_counts_once_per_household(make_case, world, categories):
    from linli.residents.actions import household_add_member, household_create, person_create

    head = person_create(actor=None, name="李大爷", place=world.grid_a, phone="13700000001")
    wife = person_create(actor=None, name="王阿姨", place=world.grid_a, phone="13700000002")
    household = household_create(head=head, actor=None)
    household_add_member(household=household, person=wife, relationship="10", actor=None)
    him = make_user("li", "resident", place=world.grid_a, phone="13700000001")
    her = make_user("wang", "resident", place=world.grid_a, phone="13700000002")
    stranger = make_user("zhao", "resident", place=world.grid_b, phone="13700000003")

    case = make_case(description="路灯不亮")
    assert case_support(case=case, actor=him).support_count == 1
    assert case_support(case=case, actor=her).support_count == 1  # the same household
    assert case_support(case=case, actor=him).support_count == 1  # pressed twice
    assert case_support(case=case, actor=stranger).support_count == 2  # not in the registry: per account
    keys = set(CaseSupport.objects.filter(case=case).values_list("supporter_key", flat=True))
    assert keys == {f"h:{household.pk}", f"u:{stranger.pk}"}
    assert case.events.filter(kind="support").count() == 2


def test_me_too_raises_priority(make_case, world):
    case = make_case()
    for i in range(3):
        case = case_support(case=case, actor=make_user(f"r{i}", "resident", place=world.grid_a))
    assert case.support_count == 3 and case.priority == priority_for(3) == 1
    assert Case.objects.get(pk=case.pk).priority == 1


def test_me_too_not_on_ones_own_private_or_closed_case(make_case, case_in_state, resident, world):
    own = make_case(actor=resident)
    with pytest.raises(Refused):
        case_support(case=own, actor=resident)
    private = make_case(private=True)
    with pytest.raises(NotFound):
        case_support(case=private, actor=resident)
    closed = case_in_state("closed")
    with pytest.raises(Refused):
        case_support(case=closed, actor=make_user("later", "resident", place=world.grid_a))


def test_nearby_open_cases_show_only_public_ones(make_case, categories):
    public = make_case(lon=120.1000, lat=30.2000)
    make_case(lon=120.1001, lat=30.2001, private=True)
    found = nearby_open_cases(category=categories["MUNI.STREETLIGHT"], lon=120.1002, lat=30.2001)
    assert [n.id for n in found] == [public.pk]
    assert found[0].distance_m is not None and found[0].distance_m < 50
