"""Test set-up shared by every app: a fresh random data key for the run, personas in a small street."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, settings

from linli.core.crypto import new_key_line

# Property tests check what holds, not how fast: on a shared machine under load Hypothesis's 200 ms deadline and its
# "input generation is slow" check fail tests whose property holds. Explicit @settings on a test still win.
settings.register_profile("linli", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("linli")

# A key made for this test run only: no key is ever written in the repository.
TEST_DATA_KEY = new_key_line()

pytest_plugins = ["linli.core.testing.personas", "linli.core.testing.browser"]


def pytest_sessionstart(session):
    """Compile the translation catalogues when a .po is newer than its .mo (the .mo files are not in git)."""
    from pathlib import Path

    from linli.core.management.commands.compile_translations import compile_stale

    compile_stale(base=Path(__file__).resolve().parent)


@pytest.fixture(autouse=True)
def _test_data_key_and_caches(settings):
    from django.core.cache import cache

    from linli.core import crypto

    settings.LINLI_DATA_KEY = TEST_DATA_KEY
    cache.clear()
    crypto.reset_key_ring()
    yield
    cache.clear()
    crypto.reset_key_ring()
    # A test's transaction is rolled back, never committed: reference data and the calendar it changed stay
    # marked as changed in this thread (the next test would read them fresh on every lookup) unless forgotten.
    from linli.core import workdays
    from linli.core.refdata import refdata_clear

    refdata_clear()
    workdays._local.dirty = False


# --- the API access matrix (linli/accounts/tests/test_api_access_matrix.py) --------------------------------
# For each path parameter of the API, the id of an object in community 1 / grid A that the outsider
# personas (community 2's staff, grid B's worker) must not see. A new kind of id needs a fixture here.


@pytest.fixture
def api_outsider_id_person_id(world):
    from linli.residents.actions import person_create

    return person_create(actor=None, name="矩阵测试", place=world.grid_a).pk


@pytest.fixture
def api_outsider_id_household_id(world):
    from linli.residents.actions import household_create, person_create

    head = person_create(actor=None, name="矩阵户主", place=world.grid_a)
    return household_create(head=head, actor=None).pk


@pytest.fixture
def api_outsider_id_case_id(world):
    from linli.cases.actions import case_create
    from linli.cases.defaults import categories_restore_default

    categories_restore_default()
    return case_create(actor=None, channel="hotline", category="MUNI.STREETLIGHT", title="矩阵测试", place=world.grid_a).pk


# points (linli/points): an entry, a shop item, a redemption and a selection in community 1 / grid A.
def _points_person(world):
    from linli.residents.actions import person_create

    return person_create(actor=None, name="矩阵积分", place=world.grid_a, phone="13900009999")


@pytest.fixture
def api_outsider_id_entry_id(world):
    from linli.points.actions import points_award

    return points_award(person_id=_points_person(world).pk, rule_code="service", source="matrix:1", actor=None).pk


@pytest.fixture
def api_outsider_id_item_id(world):
    from linli.points.actions import item_create

    return item_create(community=world.community, actor=None, name="矩阵理发", kind="service", cost=1).pk


@pytest.fixture
def api_outsider_id_redemption_id(world, api_outsider_id_item_id):
    from linli.core.testing.personas import make_user
    from linli.points.actions import points_award, redemption_create

    person = _points_person(world)
    points_award(person_id=person.pk, rule_code="service", source="matrix:2", actor=None, amount=5)
    user = make_user("matrix_pts", "resident", place=world.grid_a, phone="13900009999")
    return redemption_create(item_id=api_outsider_id_item_id, actor=user).pk


@pytest.fixture
def api_outsider_id_selection_id(world):
    from linli.points.actions import selection_create

    return selection_create(community=world.community, year=2026, half="H1", actor=None).pk


# orders and wishes (linli/orders): an order and a wish in community 1 / grid A.
@pytest.fixture
def api_outsider_id_order_id(world):
    from linli.orders.actions import order_place

    return order_place(actor=None, category="cleaning", description="矩阵测试", address="1幢", place=world.grid_a).pk


@pytest.fixture
def api_outsider_id_wish_id(world):
    from linli.orders.actions import wish_post

    return wish_post(actor=None, title="矩阵测试", place=world.grid_a).pk


# party organisation (linli/party): objects in community 1 / grid A.
def _party_places(world):
    from linli.places.actions import place_create
    from linli.places.models import Place, PlaceKind

    compound = Place.objects.filter(kind=PlaceKind.COMPOUND, name="矩阵小区").first() or place_create(
        kind=PlaceKind.COMPOUND, name="矩阵小区", parent=world.grid_a
    )
    building = Place.objects.filter(kind=PlaceKind.BUILDING, parent=compound).first() or place_create(
        kind=PlaceKind.BUILDING, name="矩阵1幢", parent=compound
    )
    return compound, building


@pytest.fixture
def api_outsider_id_org_id(world):
    from linli.party.actions import org_create

    compound, _building = _party_places(world)
    committee = org_create(kind="committee", name="矩阵党委", place=world.community, actor=None)
    return org_create(kind="branch", name="矩阵支部", place=compound, parent=committee, actor=None).pk


@pytest.fixture
def api_outsider_id_member_id(world):
    from linli.party.actions import member_create
    from linli.residents.actions import person_create

    person = person_create(actor=None, name="矩阵党员", place=world.grid_a)
    return member_create(person=person, grid=world.grid_a, actor=None).pk


@pytest.fixture
def api_outsider_id_role_id(world, api_outsider_id_member_id):
    from linli.party.actions import role_assign
    from linli.party.models import PartyMember

    _compound, building = _party_places(world)
    member = PartyMember.objects.get(pk=api_outsider_id_member_id)
    return role_assign(member=member, role="building_head", place=building, actor=None).pk


@pytest.fixture
def api_outsider_id_registration_id(world):
    from linli.party.actions import registration_submit

    return registration_submit(kind="unit", community=world.community, unit_name="矩阵单位", actor=None).pk


@pytest.fixture
def api_outsider_id_partner_id(world):
    from linli.party.actions import partner_create

    return partner_create(community=world.community, name="矩阵共建单位", big_committee=True, actor=None).pk


@pytest.fixture
def api_outsider_id_meeting_id(world):
    import datetime

    from linli.party.actions import meeting_create

    return meeting_create(
        community=world.community, held_on=datetime.date(2026, 1, 5), title="矩阵联席会", actor=None
    ).pk


@pytest.fixture
def api_outsider_id_activity_id(world):
    import datetime

    from linli.party.actions import activity_create

    return activity_create(
        community=world.community, held_on=datetime.date(2026, 1, 5), title="矩阵共建活动", actor=None
    ).pk


def _volunteers_fixture_activity(world, community_staff, **kwargs):
    from datetime import timedelta

    from django.utils import timezone

    from linli.volunteers.actions import activity_create

    start = timezone.now() + timedelta(days=1)
    return activity_create(actor=community_staff, community=world.community, title="矩阵测试活动", location="社区",
                           starts_at=start, ends_at=start + timedelta(hours=2), quota=5, area="civility", **kwargs)


def _volunteers_fixture_volunteer(world, name="矩阵志愿者"):
    from linli.residents.actions import person_create
    from linli.volunteers.actions import volunteer_register

    return volunteer_register(actor=None, person=person_create(actor=None, name=name, place=world.grid_a))


@pytest.fixture
def api_outsider_id_volunteer_id(world):
    return _volunteers_fixture_volunteer(world).pk


@pytest.fixture
def api_outsider_id_team_id(world, community_staff):
    from linli.volunteers.actions import team_create

    return team_create(actor=community_staff, community=world.community, name="矩阵测试队").pk


@pytest.fixture
def api_outsider_id_volunteer_activity_id(world, community_staff):
    """A volunteer activity in draft: published ones are public, drafts only the organiser's and managers'."""
    return _volunteers_fixture_activity(world, community_staff).pk


@pytest.fixture
def api_outsider_id_signup_id(world, community_staff):
    from linli.volunteers.actions import activity_publish, signup_create

    activity = activity_publish(activity=_volunteers_fixture_activity(world, community_staff), actor=community_staff)
    return signup_create(activity=activity, actor=None, volunteer=_volunteers_fixture_volunteer(world, "矩阵报名")).pk


@pytest.fixture
def api_outsider_id_pool_id(world, community_staff):
    from linli.volunteers.actions import pool_create

    return pool_create(actor=community_staff, community=world.community, name="矩阵人才库").pk


# evaluation (linli/evaluation): a round of a compound in community 1 / grid A.
@pytest.fixture
def api_outsider_id_evaluation_round_id(world):
    import datetime

    from linli.evaluation.actions import round_open
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    compound = place_create(kind=PlaceKind.COMPOUND, name="矩阵评比小区", parent=world.grid_a)
    for name in ("1幢", "2幢"):
        place_create(kind=PlaceKind.BUILDING, name=name, parent=compound)
    return round_open(compound=compound, month=datetime.date(2026, 11, 1), organiser="branch",
                      closes_on=datetime.date(2026, 11, 25), actor=None).pk


# deliberation (linli/deliberation): a resident's topic not yet heard by the grid, and a draft vote, in
# community 1 / grid A (the whole community sees a topic once heard and a vote once open).
@pytest.fixture
def api_outsider_id_topic_id(world):
    from linli.deliberation.actions import topic_raise

    return topic_raise(actor=None, title="矩阵议题", place=world.grid_a, source="resident").pk


@pytest.fixture
def api_outsider_id_vote_id(world):
    import datetime

    from django.utils import timezone

    from linli.deliberation.actions import vote_create

    return vote_create(
        actor=None, title="矩阵表决", place=world.grid_a, electorate="households", rule="residents",
        closes_at=timezone.now() + datetime.timedelta(days=3),
    ).pk



@pytest.fixture
def api_outsider_id_deliberation_meeting_id(world):
    """A two-committees meeting (两委会): internal to the community's staff."""
    import datetime

    from django.utils import timezone

    from linli.deliberation.actions import meeting_create

    return meeting_create(
        actor=None, community=world.community, kind="two_committees", title="矩阵两委会",
        starts_at=timezone.now() + datetime.timedelta(days=1),
    ).pk
@pytest.fixture
def api_outsider_id_project_id(world):
    """A resident's proposal in grid A, not yet taken up (public projects are seen by anyone)."""
    from linli.deliberation.actions import project_propose

    return project_propose(actor=None, title="矩阵项目", kind="pocket_park", place=world.grid_a).pk


@pytest.fixture
def api_outsider_id_fund_id(world):
    from linli.deliberation.actions import fund_create

    return fund_create(actor=None, community=world.community, name="矩阵基金").pk


@pytest.fixture
def api_outsider_id_round_id(world):
    """An honours round of community 1, taking nominations."""
    from linli.deliberation.actions import honour_round_create

    return honour_round_create(actor=None, community=world.community, year=2026).pk


@pytest.fixture
def api_outsider_id_expert_id(world):
    from linli.deliberation.actions import expert_add

    return expert_add(actor=None, community=world.community, name="矩阵专家", kind="lawyer", specialties="物业合同").pk


@pytest.fixture
def api_outsider_id_milestone_id(world):
    """A milestone of a project of grid A that is not public."""
    import datetime

    from linli.deliberation.actions import milestone_add, project_propose
    from linli.deliberation.models import Project

    project = project_propose(actor=None, title="矩阵里程碑项目", kind="parking", place=world.grid_a)
    Project.objects.filter(pk=project.pk).update(status="in_progress")
    return milestone_add(actor=None, project=project.pk, title="开工", done_on=datetime.date(2026, 5, 1)).pk


# mediation (linli/mediation): a dispute in grid A and one of its parties.
def _matrix_dispute(world):
    from linli.mediation.actions import dispute_file
    from linli.mediation.models import Dispute

    found = Dispute.objects.filter(title="矩阵纠纷").first()
    return found or dispute_file(actor=None, kind="neighbour", facts="矩阵测试", title="矩阵纠纷", place=world.grid_a,
                                 parties=[{"role": "applicant", "name": "矩阵甲", "phone": "13900008888"}])


@pytest.fixture
def api_outsider_id_dispute_id(world):
    return _matrix_dispute(world).pk


@pytest.fixture
def api_outsider_id_party_id(world):
    return _matrix_dispute(world).parties.first().pk


# the service hall (linli/hall): a grid A service, an application and its certificate in grid A.
@pytest.fixture
def api_outsider_id_service_id(world):
    from linli.hall.actions import service_item_save

    return service_item_save(actor=None, name="矩阵测试事项", category="other", place=world.grid_a.pk).pk


@pytest.fixture
def api_outsider_id_application_id(world):
    from linli.hall.actions import application_submit
    from linli.hall.catalog import ensure_default_catalog
    from linli.hall.models import ServiceItem

    ensure_default_catalog(ServiceItem)
    service = ServiceItem.objects.get(code="residence_proof", place__isnull=True)
    return application_submit(actor=None, service=service, applicant_name="矩阵测试", place=world.grid_a.pk,
                              walk_in=True).pk


@pytest.fixture
def api_outsider_id_certificate_id(world, api_outsider_id_application_id):
    from linli.hall.actions import application_transition

    app = application_transition(application=api_outsider_id_application_id, name="accept", actor=None)
    app = application_transition(application=app, name="complete", actor=None)
    return app.certificate.pk


# classes (linli/hall): a class of grid A and an enrolment in it.
@pytest.fixture
def api_outsider_id_course_id(world):
    import datetime as dt

    from linli.hall.actions import course_save

    return course_save(actor=None, place=world.grid_a.pk, kind="skills", title="矩阵培训班", quota=5,
                       starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 30)).pk


@pytest.fixture
def api_outsider_id_enrolment_id(world, api_outsider_id_course_id):
    from linli.hall.actions import course_enrol

    return course_enrol(actor=None, course=api_outsider_id_course_id, walk_in=True, name="矩阵学员").pk


# care (linli/care): an elder of grid A with a visit plan, a need from a visit, a canteen of grid A and an order.
def _care_elder(world):
    from linli.residents.actions import person_create
    from linli.residents.models import Person

    return Person.objects.filter(name="矩阵老人").first() or person_create(
        actor=None, name="矩阵老人", place=world.grid_a, phone="13699990001", current_address="矩阵里1号")


@pytest.fixture
def api_outsider_id_plan_id(world):
    from linli.care.models import VisitPlan, VisitRule

    rule, _created = VisitRule.objects.get_or_create(tag_code="living_alone", defaults={"every_days": 7})
    person = _care_elder(world)
    return VisitPlan.objects.create(person=person, rule=rule, place_path=person.place_path, every_days=7,
                                    next_due=dt.date(2026, 1, 5)).pk


@pytest.fixture
def api_outsider_id_need_id(world, api_outsider_id_plan_id):
    from linli.care.actions import visit_log

    visit = visit_log(actor=None, plan=api_outsider_id_plan_id, found="needs",
                      needs=[{"kind": "repair", "text": "水管漏水"}])
    return visit.needs.get().pk


def _care_canteen(world):
    from linli.care.actions import canteen_save
    from linli.care.models import Canteen

    return Canteen.objects.filter(name="矩阵食堂").first() or canteen_save(
        actor=None, place=world.grid_a.pk, name="矩阵食堂", order_until=dt.time(23, 59))


@pytest.fixture
def api_outsider_id_canteen_id(world):
    return _care_canteen(world).pk


@pytest.fixture
def api_outsider_id_meal_order_id(world):
    from django.utils import timezone

    from linli.care.actions import meal_order, menu_item_add

    item = menu_item_add(actor=None, canteen=_care_canteen(world), day=timezone.localdate() + dt.timedelta(days=1),
                         name="矩阵套餐", price="12")
    return meal_order(actor=None, item=item, person=_care_elder(world).pk).pk


# smart monitoring (linli/iot): a device and an alarm in community 1 / grid A.
def _iot_device(world):
    from linli.iot.actions import device_register
    from linli.iot.models import Device

    compound, _building = _party_places(world)
    return Device.objects.filter(code="MATRIX-GAS").first() or device_register(
        actor=None, code="MATRIX-GAS", kind="gas", name="矩阵燃气", place=compound)[0]


@pytest.fixture
def api_outsider_id_device_id(world):
    return _iot_device(world).pk


@pytest.fixture
def api_outsider_id_alarm_id(world):
    from datetime import timedelta

    from django.utils import timezone

    from linli.iot.actions import readings_ingest, rules_default_ensure
    from linli.iot.actions.ingest import ReadingIn

    rules_default_ensure()
    device = _iot_device(world)
    now = timezone.now()
    result = readings_ingest([ReadingIn(device.pk, 40, "%LEL", now - timedelta(seconds=40)),
                              ReadingIn(device.pk, 40, "%LEL", now)])
    return result.raised[0]


@pytest.fixture
def api_outsider_id_correction_id(world):
    """A correction request of a resident of grid A (linli/privacy)."""
    from linli.core.testing.personas import make_user
    from linli.privacy.actions import correction_request
    from linli.residents.actions import person_create

    person_create(actor=None, name="矩阵更正", place=world.grid_a, phone="13900007777")
    user = make_user("matrix_corr", "resident", place=world.grid_a, phone="13900007777")
    return correction_request(actor=user, field="name", value="矩阵更正甲").pk


@pytest.fixture
def api_outsider_id_organisation_id(world):
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind
    from linli.residents.actions import organisation_create

    compound = place_create(kind=PlaceKind.COMPOUND, name="矩阵小区", parent=world.grid_a)
    return organisation_create(name="矩阵物业", kind="property_company", place=compound, actor=None,
                               serves=[compound]).pk


@pytest.fixture
def api_outsider_id_compound_service_id(world, api_outsider_id_organisation_id):
    from linli.residents.models import CompoundService

    return CompoundService.objects.get(organisation_id=api_outsider_id_organisation_id).pk


# evaluation (linli/evaluation): a registered member's half-year evaluation in community 1 / grid A (seen by
# the community's staff only: the other community's staff and a sibling grid's worker get 404).
@pytest.fixture
def api_outsider_id_member_evaluation_id(world):
    from linli.evaluation.actions_members import member_evaluations_prepare
    from linli.evaluation.models import MemberEvaluation
    from linli.party.actions import member_create, org_create
    from linli.residents.actions import person_create

    unit = org_create(kind="unit", name="矩阵单位党支部", place=world.community, actor=None)
    person = person_create(actor=None, name="矩阵在职党员", place=world.grid_a)
    member = member_create(person=person, grid=world.grid_a, kind="registered", employer=unit, actor=None)
    member_evaluations_prepare(community=world.community, year=2026, half=1, actor=None)
    return MemberEvaluation.objects.get(member=member).pk


# Workflows whose actions the endpoint factory routes (linli/core/workflow_api.py): one object each in
# community 1 / grid A.
@pytest.fixture
def api_outsider_id_home_service_id(world):
    from linli.care.models import HomeServiceRequest

    elder = _care_elder(world)
    return HomeServiceRequest.objects.create(kind="haircut", person=elder, place_path=elder.place_path,
                                             wanted_on=dt.date(2026, 1, 9)).pk


@pytest.fixture
def api_outsider_id_booking_id(world):
    from django.utils import timezone

    from linli.hall.actions import room_save
    from linli.hall.models import Booking

    room = room_save(actor=None, place=world.community.pk, centre="矩阵中心", name="矩阵活动室", kind="meeting",
                     capacity=20, opens=dt.time(0), closes=dt.time(23, 59), needs_approval=True)
    start = timezone.now() + dt.timedelta(days=2)
    return Booking.objects.create(room=room, place_path=room.place_path, booker_name="矩阵", purpose="议事",
                                  starts_at=start, ends_at=start + dt.timedelta(hours=1)).pk


@pytest.fixture
def api_outsider_id_campaign_id(world):
    from linli.evaluation.defaults import defaults_ensure
    from linli.evaluation.models import Campaign, ChecklistTemplate

    defaults_ensure()
    return Campaign.objects.create(name="矩阵创文", kind="civilised_city", template=ChecklistTemplate.objects.first(),
                                   place=world.community, place_path=world.community.path, starts_on=dt.date(2026, 12, 1),
                                   ends_on=dt.date(2026, 12, 31)).pk


@pytest.fixture
def api_outsider_id_survey_id(world):
    from linli.evaluation.defaults import defaults_ensure
    from linli.evaluation.models import Questionnaire, Survey

    defaults_ensure()
    return Survey.objects.create(questionnaire=Questionnaire.objects.first(), community=world.community,
                                 place_path=world.community.path, month=dt.date(2026, 11, 1), sample_size=4).pk


@pytest.fixture
def api_outsider_id_commitment_id(world):
    from linli.evaluation.models import Commitment
    from linli.party.actions import member_create
    from linli.residents.actions import person_create

    _compound, building = _party_places(world)
    person = person_create(actor=None, name="矩阵承诺党员", place=world.grid_a)
    member = member_create(person=person, grid=world.grid_a, kind="registered", actor=None)
    return Commitment.objects.create(member=member, building=building, place_path=building.path, year=2026,
                                      text="矩阵承诺").pk


@pytest.fixture
def api_outsider_id_decision_id(world):
    from linli.deliberation.models import Decision

    return Decision.objects.create(text="矩阵决议", community=world.community,
                                   community_path=world.community.path, owner_name="矩阵",
                                   deadline=dt.date(2026, 12, 31)).pk
