"""Satisfaction surveys: a sample of households, one answer per household (link, phone or logged in, races
too), the rate against the target, an unsatisfied answer becomes one case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from linli.core.errors import Invalid, NotFound, Refused
from linli.core.testing.personas import PASSWORD
from linli.evaluation import actions, selectors
from linli.evaluation.models import Questionnaire, SurveyAnswer

GOOD = {"overall": "满意", "grid": "知道", "services": "5", "advice": ""}
BAD = {"overall": "不满意", "grid": "不知道", "services": "2", "advice": "楼道灯坏了很久"}


@pytest.fixture
def households(world):
    from linli.places.actions import place_create
    from linli.residents.actions import household_create, person_create

    compound = place_create(kind="compound", name="调查小区", parent=world.grid_a)
    building = place_create(kind="building", name="1幢", parent=compound)
    out = []
    for i in range(6):
        house = place_create(kind="house", name=f"{101 + i}室", parent=building)
        head = person_create(actor=None, name=f"户主{i}", place=house)
        out.append(household_create(head=head, house=house, actor=None))
    return out


@pytest.fixture
def survey(world, households, community_staff):
    from linli.evaluation.defaults import defaults_ensure

    defaults_ensure()
    return actions.survey_open(questionnaire=Questionnaire.objects.get(), community=world.community,
                               month=dt.date(2026, 11, 1), sample_size=4, actor=community_staff)


def test_the_sample_is_drawn_from_the_community(survey, households):
    ids = set(survey.invites.values_list("household_id", flat=True))
    assert len(ids) == 4 and ids <= {h.pk for h in households}
    assert all(i.label.endswith("室") for i in survey.invites.all())  # the house, no name


def test_one_answer_per_household_by_link_and_by_phone(survey, community_staff):
    invite = survey.invites.first()
    actions.survey_answer(token=invite.token, answers=GOOD, actor=None)
    with pytest.raises(Refused) as exc:
        actions.survey_answer(survey=survey, household_id=invite.household_id, answers=BAD, actor=community_staff)
    assert exc.value.code == "already_answered"
    assert SurveyAnswer.objects.filter(survey=survey).count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_racing_answers_of_one_household_count_once(survey, community_staff, tmp_path):
    from linli.core.testing.concurrency import in_thread, race, sqlite_file

    invite = survey.invites.first()
    db = sqlite_file(tmp_path) if connection.vendor == "sqlite" else None
    results, errors = race(
        [lambda: actions.survey_answer(token=invite.token, answers=GOOD, actor=None),
         lambda: actions.survey_answer(token=invite.token, answers=BAD, actor=None),
         lambda: actions.survey_answer(survey=survey.pk, household_id=invite.household_id, answers=GOOD, actor=community_staff)],
        settings_dict=db,
    )
    assert len(results) == 1 and len(errors) == 2 and all(isinstance(e, Refused) for e in errors), errors

    def count():
        return SurveyAnswer.objects.filter(survey_id=survey.pk).count()

    assert (in_thread(count, db) if db else count()) == 1


def test_answers_are_checked(survey):
    invite = survey.invites.first()
    with pytest.raises(Invalid):
        actions.survey_answer(token=invite.token, answers={**GOOD, "overall": "还行"}, actor=None)
    with pytest.raises(Invalid):
        actions.survey_answer(token=invite.token, answers={"advice": "x"}, actor=None)
    with pytest.raises(NotFound):
        actions.survey_answer(token="nope", answers=GOOD, actor=None)
    assert SurveyAnswer.objects.count() == 0


def test_a_household_outside_the_sample_cannot_answer(survey, households, resident):
    sampled = set(survey.invites.values_list("household_id", flat=True))
    outside = next(h for h in households if h.pk not in sampled)
    with pytest.raises(NotFound):
        actions.survey_answer(survey=survey, household_id=outside.pk, answers=GOOD, actor=resident)


def test_the_rate_against_the_target(survey):
    invites = list(survey.invites.all())
    for invite, answers in zip(invites, [GOOD, GOOD, {**GOOD, "overall": "基本满意"}, BAD], strict=True):
        actions.survey_answer(token=invite.token, answers=answers, actor=None)
    results = selectors.survey_results(survey)
    assert results["answers"] == 4 and results["rate"] == 0.75 and not results["met"]
    assert len(results["unsatisfied"]) == 1


def test_the_months_report_counts_the_survey_answers(survey, world):
    """The monthly report's evaluations: the answers given in the month under the place, and the satisfied."""
    from django.utils import timezone

    invites = list(survey.invites.all())
    for invite, answers in zip(invites[:3], [GOOD, BAD, {**GOOD, "overall": "基本满意"}], strict=True):
        actions.survey_answer(token=invite.token, answers=answers, actor=None)
    now = timezone.now()
    figures = selectors.evaluation_stats(place_path=world.community.path, since=now - dt.timedelta(days=1),
                                         until=now + dt.timedelta(days=1))
    assert (figures["survey_answers"], figures["survey_satisfied"]) == (3, 2)
    assert selectors.evaluation_stats(place_path=world.community.path, since=now + dt.timedelta(days=1),
                                      until=now + dt.timedelta(days=2))["survey_answers"] == 0


def test_an_unsatisfied_answer_becomes_one_case(survey, community_staff):
    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Case

    categories_restore_default()
    invites = list(survey.invites.all())
    good = actions.survey_answer(token=invites[0].token, answers=GOOD, actor=None)
    bad = actions.survey_answer(token=invites[1].token, answers=BAD, actor=None)
    with pytest.raises(Refused):
        actions.answer_to_case(answer=good, actor=community_staff)
    actions.answer_to_case(answer=bad, actor=community_staff)
    actions.answer_to_case(answer=bad, actor=community_staff)
    bad.refresh_from_db()
    assert Case.objects.count() == 1 and bad.case_id == Case.objects.get().pk
    assert "楼道灯坏了很久" in Case.objects.get().description


def test_closed_surveys_take_no_answers(survey, community_staff):
    actions.survey_transition(survey=survey, name="close", actor=community_staff)
    with pytest.raises(Refused):
        actions.survey_answer(token=survey.invites.first().token, answers=GOOD, actor=None)


def test_pages(client, survey, community_staff, outsider):
    invite = survey.invites.first()
    public = reverse("evaluation:survey_public", args=[invite.token])
    form = {f"q-{k}": v for k, v in BAD.items()}
    assert client.get(public).status_code == 200
    assert client.post(public, {**form, "q-overall": ""}).status_code == 422
    assert client.post(public, form).status_code == 200
    assert client.post(public, form).status_code == 409
    assert client.login(username=community_staff.username, password=PASSWORD)
    assert reverse("evaluation:surveys") in client.get(reverse("accounts:home")).content.decode()
    page = client.get(reverse("evaluation:survey_detail", args=[survey.pk])).content.decode()
    assert page.count('data-testid="unsatisfied"') == 1
    client.logout()
    assert client.login(username=outsider.username, password=PASSWORD)
    assert client.get(reverse("evaluation:survey_detail", args=[survey.pk])).status_code == 404


def test_links_go_by_sms_through_the_outbox_sharing_the_numbers_allowance(survey, community_staff):
    """Each sampled household with a phone gets its link once, by an SMS queued in the outbox (no name in
    it); a number whose allowance the cases' one-time codes used up is skipped; households that answered
    or have no phone are not sent anything."""
    from linli.cases.views import sms_code_allowed
    from linli.core.ratelimit import rate_used
    from linli.notifications.actions import sms_allowance_take
    from linli.notifications.models import Notice
    from linli.residents.models import Household

    invites = list(survey.invites.order_by("id"))
    phones = ["13700000001", "13700000002", "13700000003"]
    for invite, phone in zip(invites[:3], phones, strict=True):
        head = Household.objects.get(pk=invite.household_id).head
        head.phone = phone
        head.save()
    actions.survey_answer(token=invites[0].token, answers=GOOD, actor=None)  # answered: not sent
    for _ in range(3):  # the hour's allowance of the third number used up by one-time codes
        assert sms_allowance_take(phones[2])
    counts = actions.survey_send_links(survey=survey, actor=community_staff, base_url="https://x.example/")
    assert counts == {"sent": 1, "no_phone": 1, "over_allowance": 1}
    sms = list(Notice.objects.filter(ref=f"evaluation.survey:{survey.pk}"))
    assert len(sms) == 1 and sms[0].phone == phones[1] and sms[0].user_id is None
    assert f"https://x.example/evaluation/s/{invites[1].token}" in sms[0].text and "户主" not in sms[0].text
    assert sms[0].deliveries.count() == 1
    assert rate_used("sms.phone", phones[1], 3600) == 1  # the survey's SMS counts against the number too
    assert not sms_code_allowed(phones[2], "")  # and the codes cannot go past it either
    again = actions.survey_send_links(survey=survey, actor=community_staff)
    assert again["sent"] == 0 and Notice.objects.filter(ref=f"evaluation.survey:{survey.pk}").count() == 1


def test_only_organisers_send_the_links(survey, grid_worker_a, client):
    from linli.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.survey_send_links(survey=survey, actor=grid_worker_a)


def test_the_send_button_on_the_survey_page(client, survey, community_staff):
    from linli.core.testing.personas import PASSWORD

    assert client.login(username=community_staff.username, password=PASSWORD)
    page = client.get(f"/evaluation/surveys/{survey.pk}/")
    assert 'data-testid="send-sms"' in page.content.decode()
    r = client.post(f"/evaluation/surveys/{survey.pk}/sms", follow=True)
    assert r.status_code == 200 and "4" in r.content.decode()  # nobody has a phone: four without one
