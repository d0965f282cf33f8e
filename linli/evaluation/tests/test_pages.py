"""The pages: staff open a round and publish it; a building head scores from the phone; the notice; the
access matrix of the pages (outsiders get 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from linli.core.testing.personas import PASSWORD
from linli.evaluation import actions
from linli.evaluation.models import EvaluationRound, ScoreSheet
from linli.evaluation.tests.conftest import sheet_for


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_staff_open_a_round_from_the_page(client, estate, community_staff):
    _login(client, community_staff)
    page = client.get(reverse("evaluation:round_open"))
    assert page.status_code == 200 and "评比小区" in page.content.decode()
    r = client.post(reverse("evaluation:round_open"), {"compound": estate.compound.pk, "month": "2026-11",
                                                       "organiser": "branch", "closes_on": "2026-12-31"})
    rnd = EvaluationRound.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("evaluation:round_detail", args=[rnd.pk])
    r = client.post(reverse("evaluation:round_open"), {"compound": estate.compound.pk, "month": "2026-11",
                                                       "organiser": "branch", "closes_on": "2026-12-31"})
    assert r.status_code == 422 and EvaluationRound.objects.count() == 1


def test_the_building_head_scores_on_the_sheet_page(client, estate, make_round, building_head):
    rnd = make_round()
    _login(client, building_head)
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("evaluation:mine") in home
    mine = client.get(reverse("evaluation:mine")).content.decode()
    url = reverse("evaluation:sheet", args=[rnd.pk, estate.buildings[0].pk])
    assert url in mine
    form = {f"s-{t.pk}-{c['code']}": "9" for t in estate.buildings[1:] for c in rnd.criteria}
    bad = dict(form, **{f"s-{estate.buildings[1].pk}-safety": "12"})
    r = client.post(url, bad)
    assert r.status_code == 422 and ScoreSheet.objects.count() == 0
    r = client.post(url, form)
    assert r.status_code == 302 and ScoreSheet.objects.filter(building=estate.buildings[0]).count() == 1
    assert client.get(reverse("evaluation:sheet", args=[rnd.pk, estate.buildings[1].pk])).status_code == 404


def test_the_round_page_publishes_and_shows_the_flags(client, estate, make_round, community_staff):
    rnd = make_round()
    for b in estate.buildings:
        actions.sheet_submit(round=rnd, building=b, scores=sheet_for(rnd, b, estate.buildings), actor=community_staff)
    _login(client, community_staff)
    for name in ("close", "publish"):
        r = client.post(reverse("evaluation:round_transition", args=[rnd.pk, name]))
        assert r.status_code == 302
    page = client.get(reverse("evaluation:round_detail", args=[rnd.pk])).content.decode()
    assert page.count('data-testid="red-flag"') == 3
    notice = client.get(reverse("evaluation:notice"), {"community": rnd.community_id, "month": "2026-11"})
    assert notice.status_code == 200 and notice.content.decode().count('data-testid="flag-building"') == 3


def test_outsiders_get_404(client, estate, make_round, grid_worker_b, outsider, resident):
    rnd = make_round()
    for user in (grid_worker_b, outsider):
        client.logout()
        _login(client, user)
        assert client.get(reverse("evaluation:round_detail", args=[rnd.pk])).status_code == 404
        assert client.post(reverse("evaluation:round_transition", args=[rnd.pk, "close"])).status_code == 404
    client.logout()
    _login(client, resident)
    assert client.get(reverse("evaluation:list")).status_code == 403
    assert client.get(reverse("evaluation:round_detail", args=[rnd.pk])).status_code == 404
    assert EvaluationRound.objects.get(pk=rnd.pk).status == "open"


def test_the_list_and_nav_for_staff(client, estate, make_round, community_staff, street_supervisor):
    make_round(month=dt.date(2026, 10, 1))
    for user in (community_staff, street_supervisor):
        client.logout()
        _login(client, user)
        home = client.get(reverse("accounts:home")).content.decode()
        assert reverse("evaluation:list") in home
        page = client.get(reverse("evaluation:list"))
        assert page.status_code == 200 and page.content.decode().count('data-testid="round"') == 1


@pytest.mark.parametrize("payload", [{}, {"building_id": 0, "scores": {}}, {"building_id": 1, "scores": "x"}])
def test_api_bad_sheets_are_4xx(client, estate, make_round, community_staff, payload):
    rnd = make_round()
    _login(client, community_staff)
    r = client.post(f"/api/v1/evaluation/rounds/{rnd.pk}/sheets", payload, content_type="application/json")
    assert r.status_code in (404, 422)
    assert set(r.json()) >= {"code", "message"}


def test_api_round_flow(client, estate, make_round, community_staff, building_head):
    rnd = make_round()
    _login(client, building_head)
    b0 = estate.buildings[0]
    body = {"building_id": b0.pk, "scores": sheet_for(rnd, b0, estate.buildings)}
    r = client.post(f"/api/v1/evaluation/rounds/{rnd.pk}/sheets", body, content_type="application/json")
    assert r.status_code == 201
    r = client.post(f"/api/v1/evaluation/rounds/{rnd.pk}/sheets", body, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "already_scored"
    client.logout()
    _login(client, community_staff)
    assert client.post(f"/api/v1/evaluation/rounds/{rnd.pk}/close", {}, content_type="application/json").status_code == 200
    r = client.post(f"/api/v1/evaluation/rounds/{rnd.pk}/publish", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert sum(row["red_flag"] for row in r.json()["ranking"]) == 3
    listing = client.get("/api/v1/evaluation/rounds").json()
    assert [i["id"] for i in listing["items"]] == [rnd.pk] and listing["next_after"] is None


def test_the_notice_names_the_months_volunteers_with_points_and_hours(client, world, community_staff):
    """通报表扬: the volunteers come from the points ledger (who earned most in the community that month,
    names masked) with their service hours from the hours ledger."""
    from decimal import Decimal

    from django.utils import timezone

    from linli.core.masking import mask_name
    from linli.points.actions import hours_record, points_award
    from linli.residents.actions import person_create

    today = timezone.localdate()
    person = person_create(actor=None, name="赵志愿", place=world.grid_a)
    points_award(person_id=person.pk, rule_code="service", source="t:notice", actor=None, amount=12)
    hours_record(person_id=person.pk, hours=Decimal("3.5"), source="t:notice-h", kind="order", actor=None,
                 occurred_on=today)
    _login(client, community_staff)
    page = client.get(reverse("evaluation:notice"), {"community": world.community.pk, "month": f"{today:%Y-%m}"})
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="notice-volunteer"') == 1
    assert mask_name("赵志愿") in html and "赵志愿" not in html
    assert "12 积分" in html or "12 points" in html
    assert "服务 3.5 小时" in html
