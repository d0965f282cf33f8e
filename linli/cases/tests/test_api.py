"""The cases API: filing, lists with keyset paging, one case, one endpoint per transition, errors in
one shape (404 out of scope, 403 not theirs, 409 refused, 422 invalid)."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.accounts.tests.conftest import bearer, issue_token
from linli.cases.models import Case
from linli.cases.tests.test_intake import jpeg_with_exif
from linli.cases.workflow import ACTION_NAMES
from linli.core.models import AuditEntry


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def auth(user):
    return bearer(issue_token(user))


def post(client, url, user, body):
    return client.post(url, data=body, content_type="application/json", **auth(user))


def test_every_transition_has_its_endpoint():
    import config.urls  # noqa: F401
    from config.api import api

    paths = api.get_openapi_schema()["paths"]
    for name in ACTION_NAMES:
        assert f"/api/v1/cases/{{case_id}}/{name}" in paths


def test_resident_files_a_case_with_a_photo(client, world, categories, resident):
    photo = base64.b64encode(jpeg_with_exif()).decode()
    response = post(client, "/api/v1/cases", resident, {
        "category": "MUNI.STREETLIGHT", "description": "小区门口路灯坏了", "place_id": world.grid_a.pk,
        "reporter_phone": "13812345678", "photos": [photo], "status": "closed",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "reported"  # status is never an input
    assert body["number"].endswith("-000001") and len(body["photos"]) == 1
    assert body["reporter_phone"] == "138****5678"
    assert body["routing"] == []  # the explanation is for staff
    assert {e["kind"] for e in body["timeline"]} == {"created"}


@pytest.mark.parametrize(("who", "channel"), [("resident", "snapshot"), ("staff", "proxy"), ("worker", "patrol")])
def test_the_201_answer_is_built_from_what_was_written(client, world, categories, actors, who, channel):
    """The answer to a filing equals what reading the case gives its filer, and the filing reads back
    none of what it wrote (the case, its event, its photos)."""
    user = actors[who]
    photo = base64.b64encode(jpeg_with_exif()).decode()
    with CaptureQueriesContext(connection) as ctx:
        filed = post(client, "/api/v1/cases", user, {
            "category": "MUNI.STREETLIGHT", "description": "小区门口路灯坏了", "place_id": world.grid_a.pk,
            "channel": channel, "reporter_name": "张三", "reporter_phone": "13812345678", "photos": [photo]})
    assert filed.status_code == 201, filed.content
    read_back = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
                 and any(f'FROM "{t}"' in q["sql"] for t in ("cases_case", "cases_caseevent", "cases_casephoto",
                                                               "cases_casesummons"))]
    assert read_back == []
    body = filed.json()
    assert body == client.get(f"/api/v1/cases/{body['id']}", **auth(user)).json()
    assert body["grid"] == world.grid_a.name and len(body["photos"]) == 1 and len(body["timeline"]) == 1


def test_filing_by_building_code(client, world, categories, resident):
    from linli.places.actions import place_create

    building = place_create(kind="building", name="5幢", parent=world.grid_a, actor=None)
    response = post(client, "/api/v1/cases", resident, {
        "category": categories["PROP.LIFT"].pk, "description": "电梯坏了", "building_code": building.public_code,
        "channel": "qr"})
    assert response.status_code == 201 and response.json()["place_id"] == building.pk


def test_filing_errors_have_one_shape(client, world, categories, resident, audit_admin):
    gas = post(client, "/api/v1/cases", resident, {"category": "SAFE.GAS", "description": "煤气味",
                                                   "place_id": world.grid_a.pk})
    assert gas.status_code == 422 and gas.json()["code"] == "emergency" and "119" in gas.json()["message"]
    nobody = post(client, "/api/v1/cases", audit_admin, {"category": "OTHER", "description": "x",
                                                         "place_id": world.grid_a.pk})
    assert nobody.status_code == 403 and set(nobody.json()) == {"code", "message", "fields"}


def test_the_whole_loop_through_the_api(client, make_case, resident, grid_worker_a, community_staff):
    case = make_case(actor=resident)
    url = f"/api/v1/cases/{case.pk}"
    steps = [
        (community_staff, "accept", {}),
        (community_staff, "dispatch", {}),
        (grid_worker_a, "sign", {}),
        (grid_worker_a, "handle", {"reply": "已安排电工"}),
        (grid_worker_a, "report", {"reply": "已更换灯泡", "photos": [base64.b64encode(jpeg_with_exif()).decode()]}),
        (community_staff, "verify", {"note": "现场核查亮了"}),
        (resident, "rate", {"satisfaction": "satisfied", "solved": True}),
        (community_staff, "close", {}),
    ]
    for user, name, body in steps:
        response = post(client, f"{url}/{name}", user, body)
        assert response.status_code == 200, (name, response.content)
    body = client.get(url, **auth(resident)).json()
    assert body["status"] == "closed" and body["closed_reason"] == "resolved"
    assert all(e["note"] == "" for e in body["timeline"])  # the resident never reads internal notes
    report = next(e for e in body["timeline"] if e["kind"] == "report")
    assert report["reply"] == "已更换灯泡" and len(report["photos"]) == 1
    staff_body = client.get(url, **auth(community_staff)).json()
    assert any(e["note"] == "现场核查亮了" for e in staff_body["timeline"])
    assert staff_body["routing"]


def test_transition_errors(client, case_in_state, grid_worker_a, grid_worker_b, community_staff, resident):
    case = case_in_state("accepted")
    url = f"/api/v1/cases/{case.pk}"
    refused = post(client, f"{url}/sign", community_staff, {})
    assert refused.status_code == 409 and refused.json()["code"] == "refused_transition"
    denied = post(client, f"{url}/dispatch", grid_worker_a, {})
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    missing = post(client, f"{url}/refuse", community_staff, {})
    assert missing.status_code == 422 and "reason" in missing.json()["fields"]
    hidden = post(client, f"{url}/dispatch", grid_worker_b, {})
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_detail_lists_the_actions_the_user_may_take(client, case_in_state, grid_worker_a, community_staff):
    case = case_in_state("dispatched")
    worker = client.get(f"/api/v1/cases/{case.pk}", **auth(grid_worker_a)).json()
    assert {a["name"] for a in worker["actions"]} == {"sign", "return", "comment"}
    assert worker["light"] in ("green", "yellow", "red") and worker["light_for"]


def test_list_filters_and_keyset_paging(client, make_case, case_in_state, community_staff, grid_worker_b):
    for _ in range(5):
        make_case()
    dispatched = case_in_state("dispatched")
    first = client.get("/api/v1/cases?size=4", **auth(community_staff)).json()
    assert len(first["items"]) == 4 and first["next_after"]
    second = client.get(f"/api/v1/cases?size=4&after={first['next_after']}", **auth(community_staff)).json()
    ids = [r["id"] for r in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6 and second["next_after"] is None
    desk = client.get("/api/v1/cases?view=desk", **auth(community_staff)).json()
    assert dispatched.pk not in {r["id"] for r in desk["items"]} and len(desk["items"]) == 5
    by_status = client.get("/api/v1/cases?status=dispatched", **auth(community_staff)).json()
    assert [r["id"] for r in by_status["items"]] == [dispatched.pk]
    assert by_status["items"][0]["owner"] == "worker_a"
    assert client.get("/api/v1/cases", **auth(grid_worker_b)).json()["items"] == []


def test_list_query_count_does_not_grow_with_the_page(client, make_case, community_staff):
    headers = auth(community_staff)
    make_case()
    client.get("/api/v1/cases", **headers)  # warm the token and the user
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/cases", **headers)
    for _ in range(10):
        make_case()
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/cases", **headers).json()["items"]) == 11
    assert len(many) == len(one) <= 12


def test_me_too_endpoint(client, make_case, world):
    from linli.core.testing.personas import make_user

    case = make_case()
    neighbour = make_user("neighbour", "resident", place=world.grid_b)
    response = post(client, "/api/v1/cases/support", neighbour, {"case": case.pk})
    assert response.status_code == 200 and response.json()["support_count"] == 1
    again = post(client, "/api/v1/cases/support", neighbour, {"case": case.pk})
    assert again.json()["support_count"] == 1


def test_reporter_phone_unmasked_only_with_the_permission_and_audited(client, make_case, resident, community_staff,
                                                                      grid_worker_a):
    case = make_case(actor=resident, reporter_phone="13812345678")
    url = f"/api/v1/cases/{case.pk}/reporter_phone?reason=回访"
    shown = client.get(url, **auth(community_staff))
    assert shown.status_code == 200 and shown.json()["reporter_phone"] == "13812345678"
    assert client.get(url, **auth(grid_worker_a)).status_code == 403
    results = list(AuditEntry.objects.filter(action="pii.unmask", target_id=str(case.pk)).values_list("result", flat=True))
    assert sorted(results) == ["denied", "ok"]


def test_duplicates_endpoint_is_for_staff(client, make_case, resident, community_staff):
    first = make_case(actor=resident, description="路灯不亮")
    second = make_case(actor=resident, description="路灯还是不亮")
    staff = client.get(f"/api/v1/cases/{second.pk}/duplicates", **auth(community_staff))
    assert staff.status_code == 200 and first.pk in {s["id"] for s in staff.json()}
    assert client.get(f"/api/v1/cases/{second.pk}/duplicates", **auth(resident)).status_code == 403


def test_categories_list(client, categories, resident):
    rows = client.get("/api/v1/cases/categories", **auth(resident)).json()
    codes = [r["code"] for r in rows]
    assert codes.index("ENV") < codes.index("ENV.GARBAGE") < codes.index("PROP")
    found = client.get("/api/v1/cases/categories?q=路灯", **auth(resident)).json()
    assert "MUNI.STREETLIGHT" in {r["code"] for r in found}


def test_an_idempotency_key_files_the_case_once(client, world, categories, resident, grid_worker_a):
    body = {"category": "MUNI.STREETLIGHT", "description": "路灯坏了", "place_id": world.grid_a.pk}
    headers = {**auth(resident), "HTTP_IDEMPOTENCY_KEY": "k-0001"}
    first = client.post("/api/v1/cases", data=body, content_type="application/json", **headers)
    again = client.post("/api/v1/cases", data=body, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = client.post("/api/v1/cases", data=body, content_type="application/json",
                        **{**auth(resident), "HTTP_IDEMPOTENCY_KEY": "k-0002"})
    assert other.json()["id"] != first.json()["id"]
    # Another user's same key is another case.
    theirs = client.post("/api/v1/cases", data=body, content_type="application/json",
                         **{**auth(grid_worker_a), "HTTP_IDEMPOTENCY_KEY": "k-0001"})
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    assert Case.objects.count() == 3
    bad = client.post("/api/v1/cases", data=body, content_type="application/json",
                      **{**auth(resident), "HTTP_IDEMPOTENCY_KEY": "no spaces allowed"})
    assert bad.status_code == 422 and Case.objects.count() == 3
