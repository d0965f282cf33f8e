"""Inspection campaigns: every failed item files exactly one case (also when the inspection is submitted
twice, or the same item fails again), linked back; progress counts; who may inspect; the table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.testing.personas import PASSWORD
from linli.evaluation import actions, selectors
from linli.evaluation.models import Campaign, CampaignEvent, ChecklistTemplate, Finding, Inspection
from linli.evaluation.workflow import CAMPAIGN_TRANSITIONS, CampaignStatus


@pytest.fixture
def categories(db):
    from linli.cases.defaults import categories_restore_default

    categories_restore_default()


@pytest.fixture
def campaign(world, estate, street_supervisor, grid_worker_a, categories):
    template = ChecklistTemplate.objects.get(name="创文创卫 小区检查表")
    c = actions.campaign_create(
        name="创文迎检", kind="civilised_city", template=template, place=world.street,
        starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 31),
        targets=[(estate.compound, grid_worker_a), (estate.buildings[0], grid_worker_a)], actor=street_supervisor,
    )
    return actions.campaign_transition(campaign=c, name="start", actor=street_supervisor)


def _results(campaign, failed=()):
    return {i.code: ("fail" if i.code in failed else "pass") for i in campaign.template.items.all()}


def test_each_failed_item_files_one_case(campaign, grid_worker_a):
    from linli.cases.models import Case

    target = campaign.targets.get(place__kind="compound")
    inspection = actions.inspection_submit(campaign=campaign, target=target, results=_results(campaign, {"corridor", "exit"}),
                                           key="k1", actor=grid_worker_a)
    assert (inspection.passed, inspection.failed) == (5, 2)
    findings = Finding.objects.filter(campaign=campaign)
    assert findings.count() == 2
    cases = Case.objects.filter(pk__in=findings.values("case_id"))
    assert sorted(cases.values_list("category__code", flat=True)) == ["ENV.CLUTTER", "SAFE.EXIT"]
    assert all(c.channel == "patrol" and c.place_id == target.place_id for c in cases)
    # in the same step: an owner (the target's inspector) and a deadline
    assert all(c.owner_user_id == grid_worker_a.pk and c.status == "dispatched" and c.sign_due for c in cases)


def test_the_same_submission_twice_files_nothing_more(campaign, grid_worker_a):
    from linli.cases.models import Case

    target = campaign.targets.get(place__kind="compound")
    first = actions.inspection_submit(campaign=campaign, target=target, results=_results(campaign, {"corridor"}),
                                      key="same", actor=grid_worker_a)
    again = actions.inspection_submit(campaign=campaign, target=target, results=_results(campaign, {"corridor"}),
                                      key="same", actor=grid_worker_a)
    assert again.pk == first.pk
    assert Inspection.objects.count() == 1 and Finding.objects.count() == 1 and Case.objects.count() == 1


def test_a_reinspection_does_not_file_the_same_item_again(campaign, grid_worker_a):
    from linli.cases.models import Case

    target = campaign.targets.get(place__kind="compound")
    actions.inspection_submit(campaign=campaign, target=target, results=_results(campaign, {"corridor"}), key="a",
                              actor=grid_worker_a)
    actions.inspection_submit(campaign=campaign, target=target, results=_results(campaign, {"corridor", "light"}),
                              key="b", actor=grid_worker_a)
    assert Inspection.objects.count() == 2
    assert Finding.objects.count() == 2 and Case.objects.count() == 2  # corridor once, light once


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_racing_double_submissions_file_one_case(campaign, grid_worker_a, tmp_path):
    from django.db import connection

    from linli.cases.models import Case
    from linli.core.testing.concurrency import in_thread, race, sqlite_file

    target = campaign.targets.get(place__kind="compound")
    db = sqlite_file(tmp_path) if connection.vendor == "sqlite" else None
    results, errors = race(
        [lambda k=k: actions.inspection_submit(campaign=campaign.pk, target=target.pk, results=_results(campaign, {"garbage"}),
                                               key=k, actor=grid_worker_a) for k in ("x", "x", "y")],
        settings_dict=db,
    )
    assert not errors, errors

    def counts():
        return Finding.objects.count(), Case.objects.count(), Inspection.objects.count()

    assert (in_thread(counts, db) if db else counts()) == (1, 1, 2)


def test_every_item_must_be_marked(campaign, grid_worker_a):
    target = campaign.targets.first()
    results = _results(campaign)
    results.pop("corridor")
    with pytest.raises(Invalid):
        actions.inspection_submit(campaign=campaign, target=target, results=results, key="k", actor=grid_worker_a)
    results["corridor"] = "maybe"
    with pytest.raises(Invalid):
        actions.inspection_submit(campaign=campaign, target=target, results=results, key="k", actor=grid_worker_a)
    assert Inspection.objects.count() == 0


def test_only_the_assigned_inspector_or_an_organiser(campaign, grid_worker_b):
    target = campaign.targets.first()
    with pytest.raises((NotFound, PermissionDenied)):
        actions.inspection_submit(campaign=campaign, target=target, results=_results(campaign), key="k", actor=grid_worker_b)


def test_no_inspection_outside_the_running_campaign(campaign, street_supervisor, grid_worker_a):
    actions.campaign_transition(campaign=campaign, name="finish", actor=street_supervisor)
    with pytest.raises(Refused):
        actions.inspection_submit(campaign=campaign, target=campaign.targets.first(), results=_results(campaign),
                                  key="late", actor=grid_worker_a)


def test_progress_counts_fixed_problems(campaign, grid_worker_a):
    from linli.cases.models import Case

    target = campaign.targets.get(place__kind="compound")
    actions.inspection_submit(campaign=campaign, target=target, results=_results(campaign, {"corridor", "exit"}),
                              key="k", actor=grid_worker_a)
    case = Case.objects.get(pk=Finding.objects.filter(item__code="exit").get().case_id)
    Case.objects.filter(pk=case.pk).update(status="closed")
    progress = selectors.campaign_progress(campaign)
    assert (progress["targets"], progress["inspected"], progress["problems"], progress["fixed"]) == (2, 1, 2, 1)


@pytest.mark.parametrize("name", list(CAMPAIGN_TRANSITIONS))
@pytest.mark.parametrize("state", [s.value for s in CampaignStatus])
def test_campaign_state_action_pair(campaign, street_supervisor, state, name):
    Campaign.objects.filter(pk=campaign.pk).update(status=state)
    t = CAMPAIGN_TRANSITIONS[name]
    before = CampaignEvent.objects.filter(campaign=campaign).count()
    if state not in t.sources:
        with pytest.raises(Refused):
            actions.campaign_transition(campaign=campaign.pk, name=name, actor=street_supervisor, data={"reason": "x"})
        assert CampaignEvent.objects.filter(campaign=campaign).count() == before
        return
    done = actions.campaign_transition(campaign=campaign.pk, name=name, actor=street_supervisor, data={"reason": "x"})
    assert done.status == t.target
    assert CampaignEvent.objects.filter(campaign=campaign).latest("id").kind == name


def test_pages_inspect_from_the_phone_and_see_progress(client, campaign, grid_worker_a, street_supervisor):
    from linli.cases.models import Case

    assert client.login(username=grid_worker_a.username, password=PASSWORD)
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("evaluation:campaigns") in home
    target = campaign.targets.get(place__kind="compound")
    url = reverse("evaluation:inspect", args=[campaign.pk, target.pk])
    assert url in client.get(reverse("evaluation:campaigns")).content.decode()
    form = {f"item-{code}": v for code, v in _results(campaign, {"ebike"}).items()}
    form["key"] = "page-key"
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # the double tap
    assert Case.objects.count() == 1
    client.logout()
    assert client.login(username=street_supervisor.username, password=PASSWORD)
    page = client.get(reverse("evaluation:campaign_detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="problems">1<' in page
    xlsx = client.get(reverse("evaluation:campaign_export", args=[campaign.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_outsiders_do_not_see_a_community_campaign(client, world, estate, community_staff, outsider, categories):
    template = ChecklistTemplate.objects.get(name="环境整治 检查表")
    c = actions.campaign_create(name="环境整治", kind="environment", template=template, place=world.community,
                                starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 31),
                                targets=[(estate.compound, None)], actor=community_staff)
    assert client.login(username=outsider.username, password=PASSWORD)
    assert client.get(reverse("evaluation:campaign_detail", args=[c.pk])).status_code == 404
    with pytest.raises(NotFound):
        actions.campaign_create(name="越界", kind="environment", template=template, place=world.community,
                                starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 31),
                                targets=[(estate.compound, None)], actor=outsider)


def test_the_campaign_actions_through_the_api(client, campaign, street_supervisor, grid_worker_a, outsider):
    """POST /evaluation/campaigns/{id}/{action} (the endpoint factory): the street's organiser finishes it; the
    inspector and a community's staff, who see a street's campaign, may not (403); a reason is needed to cancel;
    a campaign that is not there is 404 (one out of scope: the access matrix)."""
    from linli.accounts.tests.conftest import bearer, issue_token

    url = f"/api/v1/evaluation/campaigns/{campaign.pk}"
    post = lambda user, action, body=None: client.post(  # noqa: E731
        f"{url}/{action}", body or {}, content_type="application/json", **bearer(issue_token(user)))
    assert post(outsider, "finish").status_code == 403 and post(grid_worker_a, "finish").status_code == 403
    assert client.post("/api/v1/evaluation/campaigns/2000000000/finish", content_type="application/json",
                       **bearer(issue_token(street_supervisor))).status_code == 404
    missing = post(street_supervisor, "cancel")
    assert missing.status_code == 422 and "reason" in missing.json()["fields"]
    done = post(street_supervisor, "finish")
    assert done.status_code == 200 and done.json()["status"] == "finished" and done.json()["actions"] == []
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.FINISHED


def test_the_months_evaluation_figures_of_a_place(campaign, grid_worker_a, estate, make_round, community_staff, world):
    """The monthly report's evaluations (评议): the rounds of the month under the place (a cancelled one is not
    held), their sheets and red flags once published; the inspections made in the month, the problems found
    and those fixed (case closed) by the month's end; nothing of it in another month or another place."""
    from django.utils import timezone

    from linli.cases.models import Case
    from linli.evaluation.tests.conftest import sheet_for

    today = timezone.localdate()
    cancelled = make_round(month=today.replace(day=1))
    actions.round_transition(round=cancelled, name="cancel", actor=community_staff, data={"reason": "台风"})
    rnd = make_round(month=today.replace(day=1))
    for b in estate.buildings:
        actions.sheet_submit(round=rnd, building=b, scores=sheet_for(rnd, b, estate.buildings), actor=community_staff)
    actions.round_transition(round=rnd, name="close", actor=community_staff)
    actions.round_transition(round=rnd, name="publish", actor=community_staff)
    target = campaign.targets.get(place__kind="compound")
    actions.inspection_submit(campaign=campaign, target=target, results=_results(campaign, {"corridor", "exit"}),
                              key="k", actor=grid_worker_a)
    Case.objects.filter(pk=Finding.objects.get(item__code="exit").case_id).update(status="closed",
                                                                                 closed_at=timezone.now())
    since = timezone.make_aware(dt.datetime(today.year, today.month, 1))
    until = (since + dt.timedelta(days=32)).replace(day=1)
    figures = selectors.evaluation_stats(place_path=world.community.path, since=since, until=until)
    assert figures == {"rounds": 1, "rounds_published": 1, "sheets": 5, "red_flags": 3, "inspections": 1,
                       "problems": 2, "fixed": 1, "members": 0, "excellent": 0, "good": 0, "fair": 0, "poor": 0,
                       "survey_answers": 0, "survey_satisfied": 0}
    assert selectors.evaluation_stats(place_path=world.street.path, since=since, until=until) == figures
    assert set(selectors.evaluation_stats(place_path=world.grid_b.path, since=since, until=until).values()) == {0}
    before = (since - dt.timedelta(days=1)).replace(day=1)
    assert set(selectors.evaluation_stats(place_path=world.community.path, since=before, until=since).values()) == {0}
    # fixed after the month's end: not fixed in that month's report
    Case.objects.filter(status="closed").update(closed_at=until + dt.timedelta(hours=1))
    assert selectors.evaluation_stats(place_path=world.community.path, since=since, until=until)["fixed"] == 0
