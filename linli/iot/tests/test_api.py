"""The HTTP door for readings (device tokens) and the staff endpoints (scope, errors in one shape)."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from linli.iot.models import Alarm, Device, Reading

pytestmark = pytest.mark.django_db


def _post(token: str, body, client=None):
    client = client or Client()
    return client.post("/api/v1/iot/readings", data=orjson.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def _staff(user):
    from linli.accounts.actions import token_issue

    _tok, raw = token_issue(user=user, actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_reading_and_a_batch_are_stored(iot):
    r = _post(iot.gas_token, {"value": 3.5, "unit": "%LEL"})
    assert r.status_code == 201, r.content
    assert r.json() == {"stored": 1, "alarms_raised": []}
    now = timezone.now()
    batch = {"readings": [{"value": 2, "time": (now - timedelta(seconds=i)).isoformat()} for i in range(10)]}
    assert _post(iot.gas_token, batch).json()["stored"] == 10
    assert Reading.objects.filter(device=iot.gas).count() == 11
    assert Device.objects.get(pk=iot.gas.pk).last_seen_at is not None


def test_a_reading_with_a_revoked_token_is_refused(iot, community_staff):
    from linli.iot.actions import device_token_revoke

    assert _post(iot.gas_token, {"value": 1}).status_code == 201
    device_token_revoke(device=iot.gas, actor=community_staff)
    r = _post(iot.gas_token, {"value": 1})
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    assert Reading.objects.filter(device=iot.gas).count() == 1


def test_a_new_token_replaces_the_old(iot, community_staff):
    from linli.iot.actions import device_token_issue

    _device, raw = device_token_issue(device=iot.gas, actor=community_staff)
    assert _post(iot.gas_token, {"value": 1}).status_code == 401
    assert _post(raw, {"value": 1}).status_code == 201
    assert _post("lld_nonsense", {"value": 1}).status_code == 401


@pytest.mark.parametrize("body", [
    {"value": "abc"}, {"value": None}, {"unit": "x"}, {"value": 1, "time": "yesterday"},
    {"value": 1, "time": "2020-01-01T00:00:00Z"}, {"value": 1, "unit": "x" * 40}, [], {"readings": []},
    {"readings": [{"value": 1}, {"value": "NaN"}]}, {"readings": [{"value": 1}] * 1001}, "text",
])
def test_a_bad_reading_is_422_and_stores_nothing(iot, body):
    r = _post(iot.gas_token, body)
    assert r.status_code == 422, r.content
    assert set(r.json()) == {"code", "message", "fields"}
    assert Reading.objects.count() == 0


def test_not_json_is_422(iot):
    r = Client().post("/api/v1/iot/readings", data=b"{", content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {iot.gas_token}")
    assert r.status_code == 422


def test_gas_over_http_raises_and_clear_is_refused_while_it_holds(iot, grid_worker_a):
    now = timezone.now()
    body = {"readings": [{"value": 30, "time": (now - timedelta(seconds=40)).isoformat()},
                         {"value": 35, "time": now.isoformat()}]}
    r = _post(iot.gas_token, body)
    assert len(r.json()["alarms_raised"]) == 1
    alarm = Alarm.objects.get()
    c = Client()
    auth = _staff(grid_worker_a)
    listed = c.get("/api/v1/iot/alarms", **auth).json()
    assert [a["id"] for a in listed["items"]] == [alarm.pk]
    assert listed["items"][0]["actions"] == ["acknowledge"]  # clear is guarded while the gas is high
    r = c.post(f"/api/v1/iot/alarms/{alarm.pk}/clear", data=b"{}", content_type="application/json", **auth)
    assert r.status_code == 409 and r.json()["code"] == "refused_transition"
    r = c.post(f"/api/v1/iot/alarms/{alarm.pk}/acknowledge", data=b"{}", content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    _post(iot.gas_token, {"value": 1})
    r = c.post(f"/api/v1/iot/alarms/{alarm.pk}/clear", data=orjson.dumps({"note": "已关阀通风"}),
               content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["status"] == "cleared"
    from linli.cases.models import CaseEvent

    assert CaseEvent.objects.filter(case_id=alarm.case_id, kind="comment", note__contains="已关阀通风").exists()
    r = c.post(f"/api/v1/iot/alarms/{alarm.pk}/clear", data=b"{}", content_type="application/json", **auth)
    assert r.status_code == 409


def test_out_of_scope_is_404(iot, grid_worker_b, grid_worker_a):
    _post(iot.gas_token, {"value": 30, "time": (timezone.now() - timedelta(seconds=40)).isoformat()})
    _post(iot.gas_token, {"value": 30})
    alarm = Alarm.objects.get()
    c = Client()
    auth = _staff(grid_worker_b)
    assert c.get(f"/api/v1/iot/devices/{iot.gas.pk}", **auth).status_code == 404
    assert c.get(f"/api/v1/iot/alarms/{alarm.pk}", **auth).status_code == 404
    r = c.post(f"/api/v1/iot/alarms/{alarm.pk}/acknowledge", data=b"{}", content_type="application/json", **auth)
    assert r.status_code == 404
    assert c.get("/api/v1/iot/alarms", **auth).json()["items"] == []
    assert c.get(f"/api/v1/iot/devices/{iot.gas.pk}", **_staff(grid_worker_a)).status_code == 200


def test_register_device_over_the_api_shows_the_token_once(iot, community_staff, grid_worker_a):
    c = Client()
    body = {"code": "WTR-9", "kind": "water", "name": "2幢水压", "place": iot.building.pk}
    r = c.post("/api/v1/iot/devices", data=orjson.dumps(body), content_type="application/json", **_staff(community_staff))
    assert r.status_code == 201
    token = r.json()["token"]
    device = Device.objects.get(code="WTR-9")
    assert token not in (device.token_hash or "") and device.token_prefix in token
    assert _post(token, {"value": 0.3}).status_code == 201
    r = c.post("/api/v1/iot/devices", data=orjson.dumps(body), content_type="application/json", **_staff(community_staff))
    assert r.status_code == 422 and "code" in r.json()["fields"]
    body["code"] = "WTR-10"
    r = c.post("/api/v1/iot/devices", data=orjson.dumps(body), content_type="application/json", **_staff(grid_worker_a))
    assert r.status_code == 403


def test_device_list_pages_by_keyset(iot, community_staff, django_assert_max_num_queries):
    from linli.iot.actions import device_register

    for i in range(7):
        device_register(actor=None, code=f"D-{i}", kind="door", name=f"门{i}", place=iot.building)
    c = Client()
    auth = _staff(community_staff)
    seen = []
    after = None
    for _page in range(10):
        url = "/api/v1/iot/devices?size=4" + (f"&after={after}" if after else "")
        data = c.get(url, **auth).json()
        seen += [d["code"] for d in data["items"]]
        after = data["next_after"]
        if not after:
            break
    assert len(seen) == 9 and len(set(seen)) == 9
