"""Open311 GeoReport v2: a round trip, formats, keys, errors, nothing private shown."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command

from linli.open311.actions import open311_key_issue, open311_key_revoke

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@pytest.fixture
def api_key(db):
    return open311_key_issue(name="test client", actor=None)[1]


def _post(client, key, **extra):
    data = {"api_key": key, "service_code": "MUNI.STREETLIGHT", "address_string": "幸福家园3幢",
            "description": "路灯不亮，电话13812345678", "first_name": "张", "last_name": "三", "phone": "13812345678",
            "email": "z@example.com"}
    data.update(extra)
    return client.post(f"{BASE}/requests.json", data)


def test_open311_round_trip_post_then_get(client, world, categories, api_key, building):
    response = _post(client, api_key, lat="30.25", long="120.17")
    assert response.status_code == 201, response.content
    [created] = response.json()
    rid = created["service_request_id"]
    from linli.cases.models import Case

    case = Case.objects.get(number=rid)
    assert (case.channel, case.reporter_name, case.category.code) == ("open311", "张 三", "MUNI.STREETLIGHT")
    assert (case.place_id, case.grid_id, case.lat) == (building.pk, world.grid_a.pk, 30.25)
    [row] = client.get(f"{BASE}/requests/{rid}.json").json()
    assert (row["service_request_id"], row["status"], row["service_code"]) == (rid, "open", "MUNI.STREETLIGHT")
    assert "13812345678" not in json.dumps(row, ensure_ascii=False)
    assert "张" not in json.dumps(row, ensure_ascii=False)
    xml = ET.fromstring(client.get(f"{BASE}/requests/{rid}.xml").content)
    assert xml.tag == "service_requests" and xml.find("request/service_request_id").text == rid
    token = client.get(f"{BASE}/tokens/{created['token']}.json").json()
    assert token == [{"service_request_id": rid, "token": created["token"]}]
    listed = client.get(f"{BASE}/requests.json", {"status": "open", "service_code": "MUNI.STREETLIGHT"}).json()
    assert [r["service_request_id"] for r in listed] == [rid]
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json() == []


def test_open311_bad_key_is_403_and_files_nothing(client, world, categories, api_key):
    from linli.cases.models import Case

    response = _post(client, "o311_wrong", lat="30.25", long="120.17")
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403 and set(response.json()[0]) == {"code", "description"}
    from linli.open311.models import Open311Key

    open311_key_revoke(key_id=Open311Key.objects.get().pk, actor=None)
    assert _post(client, api_key, lat="30.25", long="120.17").status_code == 403
    assert not Case.objects.exists()


def test_open311_unknown_service_and_missing_location(client, world, categories, api_key):
    response = _post(client, api_key, service_code="NOPE", lat="30.25", long="120.17")
    assert response.status_code == 404
    xml = client.get(f"{BASE}/services/NOPE.xml")
    assert xml.status_code == 404
    root = ET.fromstring(xml.content)
    assert root.tag == "errors" and root.find("error/code").text == "404"
    missing = _post(client, api_key, address_string="")
    assert missing.status_code == 400
    not_numbers = _post(client, api_key, address_string="", lat="north", long="120.17")
    assert not_numbers.status_code == 400 and "numbers" in not_numbers.json()[0]["description"]
    assert client.get(f"{BASE}/requests/1999-000001.json").status_code == 404


def test_open311_services_and_discovery_in_both_formats(client, categories):
    services = client.get(f"{BASE}/services.json").json()
    codes = {s["service_code"] for s in services}
    assert "MUNI.STREETLIGHT" in codes
    assert all(not categories[c].is_emergency for c in codes)
    root = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services" and root.find("service/service_code") is not None
    definition = client.get(f"{BASE}/services/MUNI.STREETLIGHT.json").json()
    assert definition == {"service_code": "MUNI.STREETLIGHT", "attributes": []}
    disc = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert disc.tag == "discovery" and disc.find("endpoints/endpoint/formats/format") is not None
    assert client.get(f"{BASE}/discovery.json").json()["endpoints"][0]["url"].endswith("/open311/v2")


def test_open311_get_hides_private_cases(client, make_case, world):
    public = make_case(title="公开的事")
    make_case(title="私密的事", private=True)
    rows = client.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [public.number]
    assert client.get(f"{BASE}/requests.json", {"start_date": "not a date"}).status_code == 400


def test_open311_key_command_prints_a_working_key(capsys, client, world, categories, building):
    call_command("open311_key", "city app")
    key = capsys.readouterr().out.strip()
    assert key.startswith("o311_")
    from linli.open311.models import Open311Key

    row = Open311Key.objects.get()
    assert row.name == "city app" and key not in (row.key_hash, row.prefix)
    assert _post(client, key, lat="30.25", long="120.17").status_code == 201


def test_open311_keys_page_issues_for_staff_only(client, community_staff, resident):
    from linli.core.testing.personas import PASSWORD

    client.login(username=resident.username, password=PASSWORD)
    assert client.get(f"{BASE}/keys/").status_code == 403
    client.login(username=community_staff.username, password=PASSWORD)
    response = client.post(f"{BASE}/keys/", {"name": "街道App"})
    assert response.status_code == 200 and b"o311_" in response.content


def test_open311_says_when_there_is_more_and_the_next_link_has_the_rest(client, make_case, world):
    numbers = {make_case(title=f"路灯不亮{i}").number for i in range(3)}
    first = client.get(f"{BASE}/requests.json", {"page_size": 2, "status": "open"})
    assert first.status_code == 200 and len(first.json()) == 2  # the spec's body: a bare list
    link = re.fullmatch(r'<(http://testserver/open311/v2/requests\.json\?[^>]+)>; rel="next"', first["Link"])
    assert link and "status=open" in link.group(1) and "page_size=2" in link.group(1)
    rest = client.get(link.group(1))
    assert len(rest.json()) == 1 and "Link" not in rest
    assert {r["service_request_id"] for r in first.json() + rest.json()} == numbers
    xml = client.get(f"{BASE}/requests.xml", {"page_size": 1})
    assert len(ET.fromstring(xml.content).findall("request")) == 1 and 'rel="next"' in xml["Link"]
    everything = client.get(f"{BASE}/requests.json")
    assert len(everything.json()) == 3 and "Link" not in everything  # within the cap: all, no link
    for bad in ({"page_size": 0}, {"page_size": 1001}, {"page_size": "x"}, {"after": "-1"}, {"after": "9" * 30}):
        assert client.get(f"{BASE}/requests.json", bad).status_code == 400, bad
