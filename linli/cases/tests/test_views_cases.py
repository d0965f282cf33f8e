"""Case pages through the Django test client: the resident's report, worklists by role, the case page's
buttons and actions, the public board."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from linli.cases.models import Case, CaseEvent
from linli.cases.workflow import available_actions
from linli.core.testing.personas import PASSWORD


def _png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = "p.png"
    return buf


@pytest.fixture
def building(world):
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    compound = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=world.grid_a)
    return place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=compound)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_resident_reports_from_building_code_with_photo(client, resident, building, category, grid_worker_a):
    _login(client, resident)
    url = f"/r/{building.public_code}?category={category.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"category": category.pk, "description": "路灯不亮了", "photos": [_png()]})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:filed", args=[case.number])
    assert case.channel == "qr" and case.place_id == building.pk and case.reporter_id == resident.pk
    assert case.photos.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert case.number in page


def test_emergency_category_shows_notice_and_files_nothing(client, resident, building, categories):
    _login(client, resident)
    gas = categories["SAFE.GAS"]
    url = f"/r/{building.public_code}?category={gas.pk}"
    html = client.get(url).content.decode()
    assert 'data-testid="emergency"' in html and "119" in html and 'data-testid="report-form"' not in html
    client.post(url, {"category": gas.pk, "description": "漏气"})
    assert not Case.objects.exists()


def test_anonymous_resident_confirms_phone_with_code_then_reports(client, building, category, caplog):
    url = f"/r/{building.public_code}?category={category.pk}"
    assert 'data-testid="identify"' in client.get(url).content.decode()
    with caplog.at_level("INFO", logger="linli.cases.views"):
        client.post(reverse("cases:phone_code"), {"phone": "13812345678", "next": url})
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "13812345678" not in text  # the phone is masked in the log
    code = re.search(r"(\d{6})", text.split(":", 1)[1]).group(1)
    client.post(reverse("cases:phone_verify"), {"code": code, "next": url})
    client.post(url, {"category": category.pk, "description": "路灯坏了", "private": "on"})
    case = Case.objects.get()
    assert case.reporter_id is None and case.reporter_phone == "13812345678" and case.private
    assert case.number in client.get(reverse("cases:mine")).content.decode()


def test_wrong_code_does_not_identify(client, building, category):
    url = f"/r/{building.public_code}?category={category.pk}"
    client.post(reverse("cases:phone_code"), {"phone": "13812345678", "next": url})
    client.post(reverse("cases:phone_verify"), {"code": "000000" if True else "", "next": url})
    session_phone = client.session.get("cases_phone")
    client.post(url, {"category": category.pk, "description": "路灯坏了"})
    assert session_phone is None and not Case.objects.exists()


def test_me_too_on_nearby_case_counts_once(client, resident, building, category, make_case):
    other = make_case(place=building)
    _login(client, resident)
    html = client.get(f"/r/{building.public_code}?category={category.pk}").content.decode()
    assert other.title in html and 'data-testid="me-too"' in html
    client.post(reverse("cases:support", args=[other.pk]))
    client.post(reverse("cases:support", args=[other.pk]))
    other.refresh_from_db()
    assert other.support_count == 1


def test_the_nearby_search_runs_only_when_the_form_is_shown(client, resident, building, category, monkeypatch):
    """The QR page looks for open cases nearby to show them beside the form: on a refused send (the form
    again), not on a successful one (it redirects)."""
    from linli.cases import selectors

    calls = []
    real = selectors.nearby_open_cases
    monkeypatch.setattr(selectors, "nearby_open_cases", lambda **kw: calls.append(kw) or real(**kw))
    _login(client, resident)
    url = f"/r/{building.public_code}?category={category.pk}"
    assert client.get(url).status_code == 200 and len(calls) == 1
    assert client.post(url, {"category": category.pk, "description": ""}).status_code != 302 and len(calls) == 2
    assert client.post(url, {"category": category.pk, "description": "路灯不亮了"}).status_code == 302
    assert len(calls) == 2 and Case.objects.count() == 1


def test_worklists_show_only_cases_in_scope(client, world, make_case, grid_worker_a, grid_worker_b, community_staff,
                                            outsider, department_staff):
    a = make_case(place=world.grid_a, title="甲网格路灯")
    c2 = make_case(place=world.grid_c, title="二社区路灯")
    _login(client, grid_worker_a)
    html = client.get(reverse("cases:worklist")).content.decode()
    assert a.number in html and c2.number not in html
    assert client.get(reverse("cases:case", args=[c2.pk])).status_code == 404
    client.logout()
    _login(client, grid_worker_b)
    assert a.number not in client.get(reverse("cases:worklist")).content.decode()
    assert client.get(reverse("cases:case", args=[a.pk])).status_code == 404
    client.logout()
    _login(client, community_staff)
    html = client.get(reverse("cases:dispatch")).content.decode()
    assert a.number in html and c2.number not in html
    client.logout()
    _login(client, outsider)
    html = client.get(reverse("cases:dispatch")).content.decode()
    assert c2.number in html and a.number not in html
    client.logout()
    _login(client, department_staff)
    assert a.number not in client.get(reverse("cases:department")).content.decode()
    assert client.get(reverse("cases:case", args=[a.pk])).status_code == 404
    assert client.get(reverse("cases:dispatch")).status_code == 403


def test_case_page_buttons_match_available_actions(client, make_case, community_staff):
    case = make_case()
    _login(client, community_staff)
    html = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    shown = re.findall(r'data-action="([a-z_]+)"', html)
    assert shown == [t.name for t in available_actions(case, community_staff)]
    assert "accept" in shown and "sign" not in shown


def test_transition_posted_through_page_writes_event(client, make_case, community_staff, grid_worker_a):
    case = make_case()
    _login(client, community_staff)
    client.post(reverse("cases:act", args=[case.pk, "accept"]), {"note": "内部备注"})
    client.post(reverse("cases:act", args=[case.pk, "dispatch"]), {"owner": f"u:{grid_worker_a.pk}"})
    case.refresh_from_db()
    assert case.status == "dispatched" and case.owner_user_id == grid_worker_a.pk
    assert CaseEvent.objects.filter(case=case, kind="accept", note="内部备注").exists()
    client.logout()
    _login(client, grid_worker_a)
    client.post(reverse("cases:act", args=[case.pk, "sign"]), {})
    case.refresh_from_db()
    assert case.status == "signed"


def test_refused_transition_shows_error_and_changes_nothing(client, make_case, community_staff):
    case = make_case()
    _login(client, community_staff)
    response = client.post(reverse("cases:act", args=[case.pk, "refuse"]), {}, follow=True)
    case.refresh_from_db()
    assert case.status == "reported" and 'alert-danger' in response.content.decode()


def test_resident_sees_public_events_only_and_rates(client, resident, make_case, community_staff, grid_worker_a, world):
    from linli.cases import actions

    case = make_case(actor=resident, channel="snapshot")
    actions.case_accept(case=case, actor=community_staff, note="只给内部看")
    actions.case_dispatch(case=case, actor=community_staff, owner_user=grid_worker_a.pk, owner_kind="grid_worker")
    actions.case_sign(case=case, actor=grid_worker_a)
    actions.case_handle(case=case, actor=grid_worker_a)
    actions.case_report(case=case, actor=grid_worker_a, reply="已修好")
    actions.case_verify(case=case, actor=community_staff)
    _login(client, resident)
    html = client.get(reverse("cases:mine")).content.decode()
    assert "已修好" in html and "只给内部看" not in html and 'data-testid="rate-form"' in html
    client.post(reverse("cases:rate", args=[case.pk]), {f"c{case.pk}-satisfaction": "satisfied", f"c{case.pk}-solved": "yes"})
    case.refresh_from_db()
    assert case.status == "rated" and case.satisfaction == "satisfied" and case.solved is True


def test_board_hides_private_cases_and_personal_data(client, world, make_case):
    public = make_case(title="路灯坏了请联系13812345678", reporter_name="张三", reporter_phone="13900001111")
    private = make_case(title="私密事项", private=True)
    html = client.get(reverse("cases:board", args=[world.community.pk])).content.decode()
    assert public.number in html and private.number not in html
    assert "13812345678" not in html and "13900001111" not in html and "张三" not in html


def test_staff_patrol_intake_files_in_own_grid(client, grid_worker_a, category, world):
    _login(client, grid_worker_a)
    response = client.post(reverse("cases:intake"), {"channel": "patrol", "category": category.pk, "description": "巡查发现路灯不亮"})
    case = Case.objects.get()
    assert response.status_code == 302 and case.channel == "patrol" and case.grid_id == world.grid_a.pk
    assert case.created_by_id == grid_worker_a.pk and case.reporter_id is None


def test_bulk_dispatch_sends_to_suggested_owner(client, make_case, community_staff, grid_worker_a):
    case = make_case()
    _login(client, community_staff)
    client.post(reverse("cases:bulk_dispatch"), {"ids": [case.pk]})
    case.refresh_from_db()
    assert case.status == "dispatched"


def test_the_bulk_dispatch_ticks_only_cases_it_can_move(client, make_case, community_staff):
    waiting, reported_back = make_case(), make_case(title="井盖松动")
    Case.objects.filter(pk=reported_back.pk).update(status="reported_back")  # a listing test: the state is what counts
    _login(client, community_staff)
    every = client.get(reverse("cases:dispatch")).content.decode()
    assert reported_back.number in every and 'data-testid="bulk-dispatch"' in every
    assert f'name="ids" value="{waiting.pk}"' in every and f'name="ids" value="{reported_back.pk}"' not in every
    verify = client.get(reverse("cases:dispatch") + "?status=reported_back").content.decode()
    assert reported_back.number in verify
    assert 'data-testid="bulk-dispatch"' not in verify and 'name="ids"' not in verify
