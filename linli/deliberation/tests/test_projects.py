"""Community projects end to end through the actions and the pages: a resident's proposal, deliberation,
the vote, funding, milestones with photos (through the shared photo checks), completion and the residents'
evaluation; a decision opens a project; the public page shows no personal data."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from linli.core.errors import Invalid, Refused
from linli.core.testing.personas import PASSWORD
from linli.deliberation.tests.conftest import jpeg_bytes


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _photo(name="p.jpg", size=(64, 48)):
    return SimpleUploadedFile(name, jpeg_bytes(size), content_type="image/jpeg")


def test_a_project_from_proposal_to_evaluation(client, world, community_staff, make_voter, passed_vote, topic):
    from linli.deliberation import actions
    from linli.deliberation.models import Project, ProjectRating

    voter = make_voter()
    neighbour_same_household = make_voter(household=voter.household)
    _login(client, voter)
    r = client.post(reverse("deliberation:project_new"), {"title": "停车场改造", "kind": "parking", "budget": "2000",
                                                          "description": "把原办公楼围墙拆除后的空地改成停车场"})
    project = Project.objects.get()
    assert r.status_code == 302 and project.status == "proposed" and not project.public
    assert project.budget_fen == 200000 and project.proposed_by == voter
    client.logout()
    assert client.get(reverse("deliberation:project_public", args=[project.pk])).status_code == 404  # not yet public

    staff = community_staff
    actions.project_transition(project=project, name="deliberate", actor=staff, data={"topic": topic.pk})
    vote = passed_vote(voter)
    actions.project_transition(project=project, name="put_to_vote", actor=staff, data={"vote": vote.pk})
    actions.project_transition(project=project, name="approve", actor=staff)
    actions.project_money_in(actor=staff, project=project, kind="contribution", amount="800", counterparty="张先生")
    actions.project_money_in(actor=staff, project=project, kind="donation", amount="700", counterparty="某物业公司")
    actions.project_money_in(actor=staff, project=project, kind="budget", amount="500", counterparty="社区经费")
    actions.project_transition(project=project, name="start", actor=staff)
    m = actions.milestone_add(actor=staff, project=project, title="开工", done_on="2026-05-10", photos=[_photo()])
    later = actions.milestone_add(actor=staff, project=project, title="竣工验收", planned_on=datetime.date(2026, 6, 30))
    actions.milestone_reach(actor=staff, milestone=later, done_on="2026-06-28", photos=[_photo("a.png")])
    actions.project_pay(actor=staff, project=project, amount="1950", counterparty="施工单位")
    actions.project_transition(project=project, name="complete", actor=staff, data={"note": "新增车位24个"})

    actions.project_rate(actor=voter, project=project, satisfaction="satisfied")
    with pytest.raises(Refused) as exc:  # the same household, another member
        actions.project_rate(actor=neighbour_same_household, project=project, satisfaction="unsatisfied")
    assert exc.value.code == "duplicate"
    assert ProjectRating.objects.filter(project=project).count() == 1
    project.refresh_from_db()
    assert (project.rating_count, project.satisfied_count) == (1, 1)
    assert m.photos.count() == 1 and later.photos.get().width == 64

    # The public page: anyone, from the proposal to the finished work, money by kind, no names.
    page = client.get(reverse("deliberation:project_public", args=[project.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    for seen in ("停车场改造", "开工", "竣工验收", "新增车位24个", "2,000.00", "50.00"):
        assert seen in body, seen
    for personal in ("张先生", "某物业公司", "施工单位", voter.username, staff.username, voter.person.name):
        assert personal not in body, personal
    photo_url = m.photos.get().image.url
    assert photo_url in body
    assert client.get(photo_url).status_code == 200  # public project: its photos too


def test_a_decision_opens_a_project_in_funding(client, world, community_staff):
    from linli.deliberation.actions import (
        decision_record,
        meeting_create,
        meeting_transition,
        project_from_decision,
    )
    from linli.deliberation.models import DecisionEvent

    meeting = meeting_create(actor=community_staff, community=world.community, kind="residents_day", title="十二月议事日",
                             starts_at=timezone.now())
    meeting_transition(meeting=meeting, name="start", actor=community_staff)
    decision = decision_record(actor=community_staff, meeting=meeting, text="建设口袋公园", owner_name="王主任",
                               deadline=datetime.date(2027, 3, 1))
    _login(client, community_staff)
    r = client.post(reverse("deliberation:decision_project", args=[decision.pk]),
                    {"title": "口袋公园", "kind": "pocket_park", "budget": "30000"})
    project = decision.projects.get()
    assert r.status_code == 302 and r.url == reverse("deliberation:project_detail", args=[project.pk])
    assert (project.status, project.public, project.budget_fen) == ("funding", True, 3_000_000)
    assert DecisionEvent.objects.filter(decision=decision, kind="project").exists()
    assert reverse("deliberation:project_detail", args=[project.pk]) in client.get(
        reverse("deliberation:decision_detail", args=[decision.pk])).content.decode()
    with pytest.raises(Invalid):
        project_from_decision(actor=community_staff, decision=decision, title="x", kind="castle")


def test_milestone_photo_too_many_pixels_is_refused_before_decoding(world, community_staff, project, settings):
    from linli.core.testing.bombs import png_bomb
    from linli.deliberation.actions import milestone_add
    from linli.deliberation.models import Milestone, Project

    Project.objects.filter(pk=project.pk).update(status="in_progress")
    bomb = SimpleUploadedFile("bomb.png", png_bomb(), content_type="image/png")
    with pytest.raises(Invalid) as exc:
        milestone_add(actor=community_staff, project=project, title="开工", done_on="2026-05-01", photos=[_photo(), bomb])
    assert exc.value.code == "too_many_pixels"
    assert not Milestone.objects.exists()  # nothing stored: every photo is checked first


def test_milestone_needs_a_date_and_a_valid_one(world, community_staff, project):
    from linli.deliberation.actions import milestone_add
    from linli.deliberation.models import Project

    Project.objects.filter(pk=project.pk).update(status="in_progress")
    with pytest.raises(Invalid):
        milestone_add(actor=community_staff, project=project, title="开工")
    with pytest.raises(Invalid):
        milestone_add(actor=community_staff, project=project, title="开工", planned_on="2026-13-40")


def test_rating_only_once_completed_and_only_by_the_community(world, community_staff, project, make_voter, make_person):
    from linli.deliberation.actions import project_rate, project_transition
    from linli.deliberation.models import Project

    voter = make_voter()
    project_transition(project=project, name="deliberate", actor=community_staff)
    with pytest.raises(Refused):
        project_rate(actor=voter, project=project, satisfaction="satisfied")
    Project.objects.filter(pk=project.pk).update(status="completed")
    with pytest.raises(Invalid):
        project_rate(actor=voter, project=project, satisfaction="great")


def test_pages_scope_and_reachability(client, world, community_staff, outsider, project, make_voter):
    from linli.deliberation.actions import project_transition

    voter = make_voter()
    _login(client, voter)
    assert reverse("deliberation:projects") in client.get(reverse("deliberation:topics")).content.decode()
    # A proposal is the proposer's and the staff's until the community takes it up.
    assert client.get(reverse("deliberation:project_detail", args=[project.pk])).status_code == 404
    project_transition(project=project, name="deliberate", actor=community_staff)
    page = client.get(reverse("deliberation:project_detail", args=[project.pk])).content.decode()
    assert project.title in page and 'data-testid="money-form"' not in page
    assert reverse("deliberation:project_public", args=[project.pk]) in page
    r = client.post(reverse("deliberation:project_money", args=[project.pk]), {"kind": "donation", "amount": "5"})
    assert r.status_code in (403, 404)
    client.logout()
    _login(client, community_staff)
    page = client.get(reverse("deliberation:project_detail", args=[project.pk])).content.decode()
    assert 'data-testid="do-put_to_vote"' in page
    r = client.post(reverse("deliberation:project_money", args=[project.pk]), {"kind": "donation", "amount": "-5"})
    assert r.status_code == 302  # refused politely: not in funding, and not an amount
    client.logout()
    _login(client, outsider)  # another community's staff see the public page's project, but may not act on it
    r = client.post(reverse("deliberation:project_transition", args=[project.pk, "put_to_vote"]), {"vote": "1"})
    from linli.deliberation.models import Project

    assert Project.objects.get(pk=project.pk).status == "deliberating"
    assert r.status_code in (302, 403, 404)


def test_staff_record_money_and_milestones_through_the_page(client, world, community_staff, project):
    from linli.deliberation.models import LedgerEntry, Project

    Project.objects.filter(pk=project.pk).update(status="funding", public=True)
    _login(client, community_staff)
    url = reverse("deliberation:project_money", args=[project.pk])
    client.post(url, {"kind": "donation", "amount": "1,000.00", "counterparty": "爱心企业"})
    client.post(url, {"kind": "payment", "amount": "2000", "counterparty": "施工单位"})  # more than held: refused
    assert list(LedgerEntry.objects.values_list("amount_fen", flat=True)) == [100000]
    r = client.post(reverse("deliberation:project_milestone", args=[project.pk]),
                    {"title": "方案公示", "done_on": "2026-04-01", "photos": [_photo()]})
    assert r.status_code == 302 and project.milestones.get().photos.count() == 1
    page = client.get(reverse("deliberation:project_detail", args=[project.pk])).content.decode()
    assert "爱心企业" in page and "方案公示" in page
