"""Party members serving the community (双报到, 五亮五共): the half-year evaluation from the service record on
the one runner, carried in the employer report; commitments on the building's pages, what was done, and the
residents' year-end rating once per household."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.accounts.tests.conftest import bearer, issue_token
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.testing.personas import PASSWORD, make_user
from linli.evaluation import actions_members as actions
from linli.evaluation.models import CommitmentRating, MemberEvaluation

YEAR, HALF = 2026, 1


@pytest.fixture
def serving(world):
    """A registered member of community 1 (grid A) with a login, their unit, a building; a member of
    community 2."""
    from linli.party.actions import member_create, org_create
    from linli.places.actions import place_create
    from linli.residents.actions import person_create

    unit = org_create(kind="unit", name="市供电公司党支部", place=world.community, actor=None)
    compound = place_create(kind="compound", name="服务小区", parent=world.grid_a)
    building = place_create(kind="building", name="3幢", parent=compound)
    user = make_user("member_li", "party_member", place=world.grid_a, phone="13800000011")
    person = person_create(actor=None, name="李明华", place=world.grid_a, phone="13800000011")
    member = member_create(person=person, grid=world.grid_a, kind="registered", employer=unit, actor=None)
    other_person = person_create(actor=None, name="赵二", place=world.grid_c)
    other = member_create(person=other_person, grid=world.grid_c, kind="registered", employer=unit, actor=None)
    return type("S", (), {"unit": unit, "building": building, "user": user, "member": member, "other": other})


def _service(world, member, *, done: int, satisfied: int, unsatisfied: int, when: dt.datetime):
    from linli.orders.models import ServiceOrder, Wish

    for i in range(done):
        rating = "satisfied" if i < satisfied else ("unsatisfied" if i < satisfied + unsatisfied else "")
        ServiceOrder.objects.create(category="cleaning", description="打扫", address="3幢", place=world.grid_a,
                                    place_path=world.grid_a.path, status="rated" if rating else "done",
                                    member=member, placed_at=when, done_at=when, satisfaction=rating)
    Wish.objects.create(title="轮椅", place=world.grid_a, place_path=world.grid_a.path, community=world.community,
                        status="fulfilled", adopter_person=member.person, posted_at=when, fulfilled_at=when)


def test_the_half_year_is_prepared_from_the_service_record(world, serving, community_staff):
    from linli.points.actions import hours_record

    when = timezone.make_aware(dt.datetime(2026, 3, 10, 10))
    _service(world, serving.member, done=3, satisfied=2, unsatisfied=1, when=when)
    _service(world, serving.member, done=2, satisfied=2, unsatisfied=0, when=when.replace(month=8))  # H2: not counted
    hours_record(person_id=serving.member.person_id, hours=Decimal("6.5"), source="t:1", kind="order", actor=None,
                 occurred_on=dt.date(2026, 4, 1))
    c = actions.commitment_add(member=serving.member, building=serving.building, text="每月为独居老人理发", year=YEAR,
                               actor=serving.user)
    actions.commitment_add(member=serving.member, building=serving.building, text="楼道每周巡查", year=YEAR,
                           actor=community_staff)
    c = actions.commitment_transition(commitment=c, name="approve", actor=community_staff)
    actions.commitment_log(commitment=c, done_on=dt.date(2026, 5, 3), text="为3位老人理发", actor=serving.user)
    actions.commitment_add(member=serving.member, building=serving.building, text="还没批准的", year=YEAR,
                           actor=serving.user)  # waiting for approval: not counted

    assert actions.member_evaluations_prepare(community=world.community, year=YEAR, half=HALF, actor=community_staff) == 1
    ev = MemberEvaluation.objects.get()
    assert ev.member_id == serving.member.pk  # community 2's member is not community 1's to evaluate
    assert (ev.orders_done, ev.orders_rated, ev.orders_satisfied, ev.wishes_done) == (3, 3, 2, 1)
    assert ev.hours == Decimal("6.5") and (ev.commitments, ev.commitments_kept) == (2, 1)
    # again: the draft is refreshed, not doubled
    assert actions.member_evaluations_prepare(community=world.community, year=YEAR, half=HALF, actor=community_staff) == 1
    assert MemberEvaluation.objects.count() == 1


def test_comment_confirm_and_the_employer_report_carries_it(world, serving, community_staff):
    from linli.party.reports import report_xlsx, service_report

    actions.member_evaluations_prepare(community=world.community, year=YEAR, half=HALF, actor=community_staff)
    ev = MemberEvaluation.objects.get()
    with pytest.raises(Invalid):
        actions.member_evaluation_transition(evaluation=ev, name="comment", actor=community_staff, data={"grade": "good"})
    with pytest.raises(Invalid):
        actions.member_evaluation_transition(evaluation=ev, name="comment", actor=community_staff,
                                             data={"grade": "nonsense", "comment": "好"})
    actions.member_evaluation_transition(evaluation=ev, name="comment", actor=community_staff,
                                         data={"grade": "excellent", "comment": "服务主动，群众认可"})
    report = service_report(community_staff, year=YEAR, half=HALF)
    line = report.units[0].lines[0]
    assert line.evaluation == ""  # not confirmed yet
    actions.member_evaluation_transition(evaluation=ev, name="confirm", actor=community_staff)
    ev.refresh_from_db()
    assert ev.status == "confirmed" and ev.confirmed_at is not None
    assert list(ev.events.values_list("kind", flat=True)) == ["comment", "confirm"]
    line = service_report(community_staff, year=YEAR, half=HALF).units[0].lines[0]
    assert "服务主动，群众认可" in line.evaluation
    assert b"xl/worksheets" in report_xlsx(service_report(community_staff, year=YEAR, half=HALF))
    with pytest.raises(Refused):  # confirmed: nothing more
        actions.member_evaluation_transition(evaluation=ev, name="return", actor=community_staff, data={"reason": "x"})


def test_the_months_report_counts_the_confirmed_evaluations_by_grade(world, serving, community_staff):
    """The monthly report's evaluations: a member's half year counts in the month it was confirmed, by grade."""
    from linli.evaluation.selectors import evaluation_stats

    actions.member_evaluations_prepare(community=world.community, year=YEAR, half=HALF, actor=community_staff)
    ev = MemberEvaluation.objects.get()
    actions.member_evaluation_transition(evaluation=ev, name="comment", actor=community_staff,
                                         data={"grade": "good", "comment": "按时报到"})
    now = timezone.now()
    window = {"since": now - dt.timedelta(days=1), "until": now + dt.timedelta(days=1)}
    assert evaluation_stats(place_path=world.community.path, **window)["members"] == 0  # commented, not confirmed
    actions.member_evaluation_transition(evaluation=ev, name="confirm", actor=community_staff)
    figures = evaluation_stats(place_path=world.street.path, **window)
    assert (figures["members"], figures["good"], figures["excellent"]) == (1, 1, 0)
    assert evaluation_stats(place_path=world.grid_c.path, **window)["members"] == 0


@pytest.mark.parametrize("persona", ["outsider", "grid_worker_b", "grid_worker_a"])
def test_other_communities_and_grid_workers_get_404(request, client, world, serving, community_staff, persona):
    actions.member_evaluations_prepare(community=world.community, year=YEAR, half=HALF, actor=community_staff)
    ev = MemberEvaluation.objects.get()
    user = request.getfixturevalue(persona)
    headers = bearer(issue_token(user))
    url = f"/api/v1/evaluation/member-evaluations/{ev.pk}"
    assert client.get(url, **headers).status_code == 404
    for name in ("comment", "confirm", "return"):
        r = client.post(f"{url}/{name}", data={"grade": "good", "comment": "x", "reason": "x"},
                        content_type="application/json", **headers)
        assert r.status_code == 404, (name, r.content)
    assert client.get("/api/v1/evaluation/member-evaluations", **headers).json()["items"] == []
    ev.refresh_from_db()
    assert ev.status == "draft"


def test_the_community_staff_comment_through_the_api(client, world, serving, community_staff):
    actions.member_evaluations_prepare(community=world.community, year=YEAR, half=HALF, actor=community_staff)
    ev = MemberEvaluation.objects.get()
    headers = bearer(issue_token(community_staff))
    r = client.post(f"/api/v1/evaluation/member-evaluations/{ev.pk}/comment",
                    data={"grade": "good", "comment": "按时完成服务"}, content_type="application/json", **headers)
    assert r.status_code == 200 and r.json()["status"] == "commented" and r.json()["actions"] == ["confirm", "return"]
    assert r.json()["name"] != "李明华"  # masked


def test_commitments_on_the_building_pages_and_what_was_done(client, world, serving, community_staff):
    year = timezone.localdate().year
    c = actions.commitment_add(member=serving.member, building=serving.building, text="每周清理楼道小广告",
                               year=year, actor=serving.user)
    serving.building.refresh_from_db()
    code = serving.building.public_code
    assert c.status == "pending"  # a member's own commitment waits for the community's approval
    assert "每周清理楼道小广告" not in client.get(f"/r/{code}").content.decode()
    with pytest.raises(Refused):  # nothing is recorded against it before approval
        actions.commitment_log(commitment=c, done_on=timezone.localdate(), text="x", actor=serving.user)
    assert client.login(username=community_staff.username, password=PASSWORD)
    r = client.post(reverse("evaluation:commitments"), {"object": c.pk, "action": "approve", "version": c.version})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == "approved" and c.events.get().kind == "approve"
    client.logout()
    with pytest.raises(PermissionDenied):  # another resident cannot log against it
        actions.commitment_log(commitment=c, done_on=timezone.localdate(), text="x",
                               actor=make_user("nosy", "resident", place=world.grid_a))
    actions.commitment_log(commitment=c, done_on=timezone.localdate(), text="清理了3处", actor=serving.user)
    for url in (f"/r/{code}/about", f"/r/{code}"):
        page = client.get(url).content.decode()
        assert 'data-testid="member-panel"' in page and "每周清理楼道小广告" in page, url
        assert "李明华" not in page and "市供电公司党支部" in page
    assert client.login(username=serving.user.username, password=PASSWORD)
    page = client.get(reverse("evaluation:commitments"))
    assert page.status_code == 200 and "清理了3处" in page.content.decode()
    r = client.post(reverse("evaluation:commitments"), {"building": serving.building.pk, "text": ""})
    assert r.status_code == 422


def test_residents_rate_once_per_household_at_the_years_end(world, serving):
    from linli.places.actions import place_create
    from linli.residents.actions import household_add_member, household_create, person_create

    c = actions.commitment_add(member=serving.member, building=serving.building, text="帮助老人代购", year=YEAR,
                               actor=None)  # the system (an import): approved as it is made
    assert c.status == "approved"
    house = place_create(kind="house", name="301室", parent=serving.building)
    head = person_create(actor=None, name="王户主", place=house, phone="13900000021")
    spouse = person_create(actor=None, name="王妻", place=house, phone="13900000022")
    household = household_create(head=head, house=house, actor=None)
    household_add_member(household=household, person=spouse, relationship="10", actor=None)
    a = make_user("rater_a", "resident", place=world.grid_a, phone="13900000021")
    b = make_user("rater_b", "resident", place=world.grid_a, phone="13900000022")
    stranger = make_user("rater_x", "resident", place=world.grid_a, phone="13900000099")
    dec = dt.date(YEAR, 12, 10)
    with pytest.raises(Refused):  # not the year's end
        actions.commitments_rate(building=serving.building, year=YEAR, ratings={c.pk: "satisfied"}, actor=a,
                                 today=dt.date(YEAR, 6, 1))
    with pytest.raises(PermissionDenied):
        actions.commitments_rate(building=serving.building, year=YEAR, ratings={c.pk: "satisfied"}, actor=stranger,
                                 today=dec)
    assert actions.commitments_rate(building=serving.building, year=YEAR, ratings={c.pk: "satisfied"}, actor=a,
                                    today=dec) == 1
    with pytest.raises(Refused):  # the same household, another member of it
        actions.commitments_rate(building=serving.building, year=YEAR, ratings={c.pk: "unsatisfied"}, actor=b,
                                 today=dec)
    assert list(CommitmentRating.objects.values_list("value", flat=True)) == ["satisfied"]


def test_the_pages_for_staff(client, world, serving, community_staff):
    assert client.login(username=community_staff.username, password=PASSWORD)
    r = client.post(reverse("evaluation:members"), {"prepare": "1", "community": world.community.pk, "year": YEAR,
                                                   "half": HALF})
    assert r.status_code == 302
    ev = MemberEvaluation.objects.get()
    page = client.get(reverse("evaluation:members"), {"year": YEAR, "half": HALF})
    assert page.status_code == 200 and page.content.decode().count('data-testid="member-evaluation"') == 1
    r = client.post(reverse("evaluation:member_transition", args=[ev.pk, "comment"]),
                    {"grade": "good", "comment": "认真负责", "version": ev.version})
    assert r.status_code == 302
    ev.refresh_from_db()
    assert ev.status == "commented" and ev.comment == "认真负责"
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("evaluation:members") in home and reverse("evaluation:commitments") in home


def test_the_demo_has_a_half_year_of_member_evaluations(world, serving):
    from linli.evaluation.demo import _demo_members
    from linli.evaluation.models import Commitment, CommitmentLog
    from linli.party.reports import service_report

    demo = type("Demo", (), {"communities": [world.community, world.community_2]})
    _demo_members(demo)
    assert Commitment.objects.filter(member=serving.member).exists() and CommitmentLog.objects.exists()
    today = timezone.localdate()
    year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    done = MemberEvaluation.objects.filter(year=year, half=half)
    assert done.count() == 2 and set(done.values_list("status", flat=True)) == {"confirmed"}
    staff = make_user("staff_demo", "community_staff", place=world.community)
    assert all(ln.evaluation for u in service_report(staff, year=year, half=half).units for ln in u.lines)
    _demo_members(demo)  # again: nothing more
    assert MemberEvaluation.objects.filter(year=year, half=half).count() == 2


def test_commitment_approval_on_the_runner(world, serving, community_staff, grid_worker_a):
    """A member's commitment waits; only the community's staff over the building approve it or take it off
    (with a reason); one made by staff is approved as it is made; every step leaves an event and an audit
    row; a second approval from a page seen before the first is refused."""
    from linli.core.models import AuditEntry
    from linli.evaluation import selectors_members as selectors

    mine = actions.commitment_add(member=serving.member, building=serving.building, text="楼道每周巡查", year=YEAR,
                                  actor=serving.user)
    assert mine.status == "pending" and not mine.events.exists()
    with pytest.raises((PermissionDenied, NotFound)):
        actions.commitment_transition(commitment=mine, name="approve", actor=grid_worker_a)
    with pytest.raises((PermissionDenied, NotFound)):
        actions.commitment_transition(commitment=mine, name="approve", actor=serving.user)  # not their own
    with pytest.raises(Invalid):
        actions.commitment_transition(commitment=mine, name="withdraw", actor=community_staff, data={"reason": ""})
    stale = mine.version
    mine = actions.commitment_transition(commitment=mine, name="approve", actor=community_staff)
    with pytest.raises(Refused):  # a second approval from a page seen before the first (two staff at once)
        actions.commitment_transition(commitment=mine.pk, name="approve", actor=community_staff,
                                      data={"version": stale})
    mine = actions.commitment_transition(commitment=mine, name="withdraw", actor=community_staff,
                                         data={"reason": "与楼栋实际不符"})
    assert mine.status == "withdrawn"
    assert list(mine.events.values_list("kind", flat=True)) == ["approve", "withdraw"]
    assert AuditEntry.objects.filter(action="evaluation.commitment_withdraw").exists()
    by_staff = actions.commitment_add(member=serving.member, building=serving.building, text="代购", year=YEAR,
                                      actor=community_staff)
    assert by_staff.status == "approved" and by_staff.events.get().actor_id == community_staff.pk
    shown = [c.pk for c in selectors.building_commitments(serving.building, year=YEAR)]
    assert shown == [by_staff.pk]


def test_commitments_waiting_show_on_the_staff_home(client, world, serving, community_staff, outsider):
    c = actions.commitment_add(member=serving.member, building=serving.building, text="楼道每周巡查",
                               year=timezone.localdate().year, actor=serving.user)
    assert client.login(username=community_staff.username, password=PASSWORD)
    home = client.get(reverse("accounts:home")).content.decode()
    assert "待审核承诺" in home and f'href="{reverse("evaluation:commitments")}"' in home
    page = client.get(reverse("evaluation:commitments")).content.decode()
    assert 'data-testid="commitment-approve"' in page and 'data-testid="log-action"' not in page
    actions.commitment_transition(commitment=c, name="approve", actor=community_staff)
    assert "待审核承诺" not in client.get(reverse("accounts:home")).content.decode()
    client.logout()
    c2 = actions.commitment_add(member=serving.member, building=serving.building, text="代购",
                                year=timezone.localdate().year, actor=serving.user)
    assert c2.status == "pending"
    assert client.login(username=outsider.username, password=PASSWORD)  # staff of another place: not theirs
    assert "待审核承诺" not in client.get(reverse("accounts:home")).content.decode()


def test_the_commitments_page_through_the_rest_and_the_building_panel_says_when_it_is_cut(
        client, world, serving, community_staff, monkeypatch):
    from linli.core import ui
    from linli.core.testing.pages import walk_pages
    from linli.evaluation import selectors_members

    year = timezone.localdate().year
    for i in range(3):
        actions.commitment_add(member=serving.member, building=serving.building, text=f"承诺{i}", year=year,
                               actor=None)
    monkeypatch.setattr(ui, "PAGE_SIZE", 2)
    assert client.login(username=community_staff.username, password=PASSWORD)
    bodies = walk_pages(client, reverse("evaluation:commitments"), {"year": year})
    assert [b.count('data-testid="commitment"') for b in bodies] == [2, 1]
    assert {t for b in bodies for t in ("承诺0", "承诺1", "承诺2") if t in b} == {"承诺0", "承诺1", "承诺2"}
    client.logout()
    serving.building.refresh_from_db()
    page = client.get(f"/r/{serving.building.public_code}").content.decode()
    assert len(re.findall(r"承诺\d", page)) == 3 and 'data-testid="cut"' not in page
    monkeypatch.setattr(selectors_members, "PANEL_SHOWN", 2)
    page = client.get(f"/r/{serving.building.public_code}").content.decode()
    assert len(re.findall(r"承诺\d", page)) == 2 and 'data-testid="cut"' in page
