"""The full demo street (``linli demo`` at full size), built once for this module inside a transaction
that is rolled back at the end: 幸福社区 has exactly the figures of PRODUCT.md §1, the places tile and
locate correctly, the people are well-formed, the profile page shows the figures, and building again
adds nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from linli.dashboards.tests.conftest import json_script

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

HAPPY = "330102900001"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The full demo, built once; every test runs in a savepoint inside this module's transaction."""
    from django.core.cache import cache

    from conftest import TEST_DATA_KEY
    from linli.accounts.demo import demo_build
    from linli.core import crypto
    from linli.places import geo

    with django_db_blocker.unblock(), override_settings(LINLI_DATA_KEY=TEST_DATA_KEY, LINLI_DEMO_SIZE="full"):
        cache.clear()
        crypto.reset_key_ring()
        geo.reset_index()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()
            crypto.reset_key_ring()
            geo.reset_index()


@pytest.fixture
def full_size(settings):
    settings.LINLI_DEMO_SIZE = "full"


def _happy(demo):
    community = demo.communities[0]
    assert community.code == HAPPY
    return community


def test_demo_community_has_the_figures_of_the_product(demo):
    from linli.accounts.models import User
    from linli.residents.selectors_profile import place_profile

    profile = place_profile(User.objects.get(username="community"), _happy(demo))
    assert profile.area_km2 == pytest.approx(1.3, abs=0.01)
    assert profile.compounds == 5
    assert profile.standalone_buildings == 2
    assert profile.shops == 119
    assert profile.households == 2395
    assert profile.residents == 6779
    assert profile.elderly.percent == pytest.approx(18.0, abs=0.1)
    assert profile.living_alone.percent == pytest.approx(5.0, abs=0.1)
    assert profile.migrant_away.count == 1357
    assert f"{profile.migrant_away.percent:.2f}" == "20.02"


def test_demo_profile_page_shows_the_figures(demo, client):
    from linli.accounts.models import User

    client.force_login(User.objects.get(username="community"))
    response = client.get(reverse("dashboards:community_profile", args=[_happy(demo).pk]))
    assert response.status_code == 200
    html = response.content.decode()

    def shown(key: str) -> str:
        block = re.search(rf'data-figure="{key}">(.*?)</div>', html, re.S).group(1)
        return re.search(r'class="figure-value">([^<]*)<', block).group(1)

    assert {k: shown(k) for k in ("area", "compounds", "standalone_buildings", "shops", "households", "residents",
                                   "elderly", "living_alone", "migrant_away")} == {
        "area": "1.30", "compounds": "5", "standalone_buildings": "2", "shops": "119", "households": "2,395",
        "residents": "6,779", "elderly": "18.00", "living_alone": "5.00", "migrant_away": "20.02",
    }
    data = json_script(response, "profile-data")
    assert sum(data["pyramid"]["male"]) + sum(data["pyramid"]["female"]) == 6779
    assert sum(u["households"] for u in data["units"]) == 2395
    assert sum(u["residents"] for u in data["units"]) == 6779


def test_demo_grids_hold_300_to_500_households_and_tile_their_community(demo):
    from shapely.ops import unary_union

    from linli.places import geo
    from linli.places.models import Place, PlaceKind
    from linli.residents.models import Household

    for community in demo.communities:
        # Grids sit right below the community (三区五级) or below its residents' groups or areas (四级, 三级).
        grids = list(Place.objects.filter(path__startswith=community.path, kind=PlaceKind.GRID))
        assert len(grids) >= 2
        for grid in grids:
            assert 300 <= Household.objects.filter(place_path__startswith=grid.path).count() <= 500, grid.name
        shape = geo.geometry_of(Place.objects.get(pk=community.pk).geometry)
        union = unary_union([geo.geometry_of(g.geometry) for g in grids])
        assert shape.symmetric_difference(union).area < shape.area * 1e-4  # rounding to ~1 cm
        assert sum(g.area_km2 for g in grids) == pytest.approx(community.area_km2, rel=1e-3)
    assert len(demo.communities) >= 3


def test_demo_buildings_and_compounds_are_found_in_their_grid(demo):
    from linli.places import geo
    from linli.places.models import Place, PlaceKind

    grids = {g.path: g.pk for g in Place.objects.filter(kind=PlaceKind.GRID)}

    def grid_of(place):
        return next(pk for path, pk in grids.items() if place.path.startswith(path))

    buildings = list(Place.objects.filter(kind=PlaceKind.BUILDING, path__startswith=demo.street.path))
    assert buildings and all(b.geometry for b in buildings)
    found = geo.grids_at([tuple(b.geometry["coordinates"]) for b in buildings])
    assert found == [grid_of(b) for b in buildings]
    for compound in Place.objects.filter(kind=PlaceKind.COMPOUND):
        point = geo.geometry_of(compound.geometry).representative_point()
        assert geo.grid_at(point.x, point.y) == grid_of(compound)
        assert geo.compound_at(point.x, point.y) == compound.pk


def test_demo_people_have_valid_ids_fictional_phones_and_one_head_per_household(demo):
    from linli.core.codes import RELATIONSHIP
    from linli.core.idnumber import parse_id_number
    from linli.residents.models import HEAD_RELATIONSHIP, Household, HouseholdMember, Occupancy, Person

    persons = list(Person.objects.all())
    assert len(persons) > 6779
    assert len({p.id_number for p in persons}) == len(persons)
    for p in persons:
        parsed = parse_id_number(p.id_number)
        assert parsed.area_code == "330102"
        assert (parsed.birth_date, parsed.sex_code) == (p.birth_date, p.sex)
        assert p.phone == "" or p.phone[:3] in ("170", "171")
        assert len(p.name) in (2, 3)
    heads = Counter(HouseholdMember.objects.filter(relationship=HEAD_RELATIONSHIP).values_list("household_id", flat=True))
    assert set(heads.values()) == {1} and len(heads) == Household.objects.count()
    assert set(HouseholdMember.objects.values_list("relationship", flat=True)) <= set(RELATIONSHIP.codes)
    assert HouseholdMember.objects.count() == len(persons)
    # Every person lives in their household's house, as owner, tenant or resident.
    assert Occupancy.objects.count() == len(persons)
    assert not Occupancy.objects.exclude(house_id__in=Household.objects.values("house_id")).exists()
    assert set(Occupancy.objects.values_list("kind", flat=True)) == {"owner", "tenant", "resident"}


def test_demo_elderly_living_alone_are_60_and_alone(demo):
    from linli.residents.models import HouseholdMember, PersonTag
    from linli.residents.selectors import elderly_cutoff

    alone = PersonTag.objects.filter(tag__code="living_alone").select_related("person")
    assert alone.count() > 339
    sizes = Counter(HouseholdMember.objects.values_list("household_id", flat=True))
    households = dict(HouseholdMember.objects.filter(person__in=alone.values("person")).values_list(
        "person_id", "household_id"))
    for row in alone:
        assert row.person.birth_month <= elderly_cutoff()
        assert sizes[households[row.person_id]] == 1


def test_demo_shops_are_houses_with_an_organisation(demo):
    from linli.places.models import Place
    from linli.residents.models import Organisation

    shops = Organisation.objects.filter(kind="shop", place_path__startswith=_happy(demo).path)
    assert shops.count() == 119
    assert set(Place.objects.filter(pk__in=shops.values("place_id")).values_list("usage", flat=True)) == {"shop"}


def test_demo_resident_user_is_a_person_with_a_house_in_grid1(demo):
    from linli.accounts.models import RoleAssignment, User
    from linli.core.crypto import lookup_hashes
    from linli.places.models import PlaceKind
    from linli.residents.models import Person

    user = User.objects.get(username="resident")
    person = Person.objects.get(phone_hash__in=lookup_hashes(user.phone))
    assert person.name == user.display_name == "王芳"
    grid = RoleAssignment.objects.get(user=user).place
    assert grid == RoleAssignment.objects.get(user__username="grid1").place == demo.grids[0]
    assert person.place.kind == PlaceKind.HOUSE and person.place_path.startswith(grid.path)
    assert person.memberships.get().household.head == person


def test_demo_again_adds_nothing(demo, full_size):
    from linli.accounts.demo import demo_build
    from linli.core.models import AuditEntry
    from linli.places.models import Place
    from linli.residents.models import Household, Organisation, Person, PersonTag

    def counts():
        return [m.objects.count() for m in (Place, Person, Household, PersonTag, Organisation, AuditEntry)]

    before = counts()
    demo_build()
    assert counts() == before


def test_demo_compounds_have_their_committees_and_property_companies(demo):
    """业委会 and 物业公司 serve the compounds (红色物业 the old ones): one current of each kind per compound,
    the service's kind and path those of the organisation and the compound."""
    from linli.places.models import PlaceKind
    from linli.residents.models import CompoundService, Organisation
    from linli.residents.selectors_orgs import serving_now

    services = list(CompoundService.objects.select_related("organisation", "compound"))
    assert {s.kind for s in services} == {"owners_committee", "property_company"}
    assert all(s.kind == s.organisation.kind and s.place_path == s.compound.path and s.end_date is None
               and s.compound.kind == PlaceKind.COMPOUND for s in services)
    pairs = [(s.compound_id, s.kind) for s in services]
    assert len(pairs) == len(set(pairs))
    happy = _happy(demo)
    served = {s.compound.name: s.organisation.name for s in services if s.kind == "property_company"
              and s.place_path.startswith(happy.path)}
    assert served["幸福家园"] == served["春晖苑"] == "幸福家园物业服务有限公司"
    assert served["和平里小区"] == "幸福社区红色物业服务中心"
    from linli.residents.demo import HARMONY_COURTYARDS

    red = Organisation.objects.get(name="和睦社区红色物业服务站")  # every old courtyard of 和睦社区
    assert red.services.count() == sum(1 for _n, kind, _h, _s in HARMONY_COURTYARDS if kind == "old") == 11
    # What the profile's and the 红色物业 page's cards read.
    jiayuan = next(s.compound for s in services if s.compound.name == "幸福家园")
    now = serving_now([jiayuan.pk])[jiayuan.pk]
    assert now == {"property_companies": ["幸福家园物业服务有限公司"], "committees": ["幸福家园业主委员会"]}


def _months_back(n: int) -> list[dt.date]:
    out = [timezone.localdate().replace(day=1)]
    while len(out) < n:
        out.append((out[-1] - dt.timedelta(days=1)).replace(day=1))
    return out


def test_demo_evaluation_has_a_year_of_rounds_and_surveys_a_campaign_and_member_evaluations(demo):
    """Issue 15's demo: twelve published monthly rounds in a compound of each community that has one of 4
    to 12 buildings, with this month's open, a year of monthly satisfaction surveys per community, one running 创文 campaign whose
    failed items are cases, a half year of member evaluations confirmed; a second run adds nothing."""
    from linli.cases.selectors import case_states
    from linli.evaluation import selectors
    from linli.evaluation.demo import demo_extend
    from linli.evaluation.models import (
        Campaign,
        EvaluationRound,
        Finding,
        MemberEvaluation,
        RoundResult,
        Survey,
        SurveyAnswer,
        SurveyInvite,
    )

    months = _months_back(13)

    # Twelve published monthly rounds per evaluated compound, this month's open; three red flags in each
    # published round (ties are broken by the stated rule).
    compounds = set(EvaluationRound.objects.values_list("compound_id", flat=True))
    assert len(compounds) >= 2  # a compound of 4 to 12 buildings in each community that has one
    for compound in compounds:
        rounds = EvaluationRound.objects.filter(compound_id=compound)
        published = rounds.filter(status="published")
        assert set(published.values_list("month", flat=True)) == set(months[1:])
        assert rounds.get(month=months[0]).status == "open"
        for rnd in published:
            assert RoundResult.objects.filter(round=rnd, red_flag=True).count() == 3

    # A year of monthly surveys per community: this month's open, the eleven before closed, each with its
    # sample and most households answered, one answer per household; the rate reads per month.
    for community in demo.communities:
        surveys = Survey.objects.filter(community=community)
        assert set(surveys.values_list("month", flat=True)) == set(months[:12])
        assert surveys.get(month=months[0]).status == "open"
        assert set(surveys.exclude(month=months[0]).values_list("status", flat=True)) == {"closed"}
        oldest = surveys.get(month=months[11])
        invited = set(SurveyInvite.objects.filter(survey=oldest).values_list("household_id", flat=True))
        answered = list(SurveyAnswer.objects.filter(survey=oldest).values_list("household_id", flat=True))
        assert len(invited) == oldest.sample_size and len(answered) == len(set(answered)) >= 20
        assert set(answered) <= invited
        result = selectors.survey_results(oldest)
        assert result["answers"] == len(answered) and 0.8 <= result["rate"] <= 1.0
        assert oldest.events.filter(kind="close").exists()

    # One campaign, running, some targets inspected; every failed item is one case, linked back.
    campaign = Campaign.objects.get()
    assert campaign.status == "running"
    progress = selectors.campaign_progress(campaign)
    assert progress["inspected"] >= 3 and progress["problems"] >= 1
    findings = list(Finding.objects.filter(campaign=campaign).values_list("case_id", flat=True))
    assert len(findings) == progress["problems"] == len(case_states(findings))

    # A half year of member evaluations: the last finished half confirmed, the current one drafted.
    today = timezone.localdate()
    year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    done = MemberEvaluation.objects.filter(year=year, half=half)
    assert done.count() >= len(demo.communities) and set(done.values_list("status", flat=True)) == {"confirmed"}
    assert MemberEvaluation.objects.filter(year=today.year, half=1 if today.month <= 6 else 2).exists()

    before = (EvaluationRound.objects.count(), Survey.objects.count(), SurveyAnswer.objects.count(),
              Campaign.objects.count(), MemberEvaluation.objects.count())
    demo_extend(demo)
    assert (EvaluationRound.objects.count(), Survey.objects.count(), SurveyAnswer.objects.count(),
            Campaign.objects.count(), MemberEvaluation.objects.count()) == before
