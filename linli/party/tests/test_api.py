"""The party API through HTTP: shapes, the registration transitions (409 on a refused one), meetings with
their problems, reports as files, query budgets on the lists."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.accounts.tests.conftest import bearer, issue_token
from linli.party.actions import member_create, registration_submit

BASE = "/api/v1/party"


@pytest.fixture
def staff(community_staff):
    return bearer(issue_token(community_staff))


def test_tree_and_org_lifecycle(client, staff, tree, world, make_person):
    member_create(person=make_person(), org=tree.group, actor=None)
    r = client.get(f"{BASE}/orgs/tree?community_id={world.community.pk}", **staff)
    assert r.status_code == 200
    root = r.json()[0]
    assert root["org"]["kind"] == "committee" and root["total"] == 1
    assert root["children"][0]["children"][0]["members"] == 1
    r = client.post(
        f"{BASE}/orgs",
        {
            "kind": "branch",
            "name": "和谐小区党支部",
            "place_id": tree.compound_b.pk,
            "parent_id": tree.committee.pk,
        },
        content_type="application/json",
        **staff,
    )
    assert r.status_code == 201, r.content
    new = r.json()["id"]
    r = client.post(f"{BASE}/orgs/{new}/close", **staff)
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.post(f"{BASE}/orgs/{new}/close", **staff).status_code == 409
    r = client.post(
        f"{BASE}/orgs",
        {"kind": "group", "name": "x", "place_id": tree.compound.pk, "parent_id": tree.branch.pk},
        content_type="application/json",
        **staff,
    )
    assert r.status_code == 422 and "place" in r.json()["fields"]


def test_member_list_masks_and_stays_within_budget(client, staff, tree, make_person, world):
    for i in range(12):
        m = member_create(
            person=make_person(f"欧阳{i}号", phone=f"1381234{i:04d}"), org=tree.group, actor=None
        )
    from linli.party.actions import role_assign

    role_assign(member=m, role="building_head", place=tree.building, actor=None)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"{BASE}/members", **staff)
    assert r.status_code == 200 and len(r.json()["items"]) == 12 and r.json()["next_after"] is None
    assert len(ctx.captured_queries) <= 8, [q["sql"] for q in ctx.captured_queries]
    body = r.content.decode()
    assert "欧阳0号" not in body and "13812340000" not in body
    assert any(row["roles"] for row in r.json()["items"])
    first = client.get(f"{BASE}/members", {"size": 5}, **staff).json()
    rest = client.get(f"{BASE}/members", {"size": 10, "after": first["next_after"]}, **staff).json()
    assert len(first["items"]) == 5 and len(rest["items"]) == 7 and rest["next_after"] is None
    assert {row["id"] for row in first["items"] + rest["items"]} == {row["id"] for row in r.json()["items"]}
    r = client.get(f"{BASE}/members/{m.pk}", **staff)
    assert r.status_code == 200 and r.json()["role_history"][0]["role"] == "building_head"


def test_registration_flow_over_http(client, staff, world, make_person, community_staff):
    person = make_person("周在职")
    r = client.post(
        f"{BASE}/registrations",
        {
            "kind": "member",
            "community_id": world.community.pk,
            "person_id": person.pk,
            "unit_name": "区财政局",
        },
        content_type="application/json",
        **staff,
    )
    assert r.status_code == 201, r.content
    reg = r.json()
    assert [a["name"] for a in reg["actions"]] == ["approve", "reject", "withdraw"]
    assert reg["person"] != "周在职"
    r = client.post(
        f"{BASE}/registrations/{reg['id']}/reject", {"reason": ""}, content_type="application/json", **staff
    )
    assert r.status_code == 422
    r = client.post(
        f"{BASE}/registrations/{reg['id']}/approve",
        {"grid_id": world.grid_b.pk},
        content_type="application/json",
        **staff,
    )
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["grid"] == world.grid_b.name
    assert [e["kind"] for e in r.json()["events"]] == ["submitted", "approve"]
    r = client.post(
        f"{BASE}/registrations/{reg['id']}/withdraw", {}, content_type="application/json", **staff
    )
    assert r.status_code == 409 and r.json()["code"] == "refused_transition"


def test_a_resident_registers_over_http_and_sees_only_their_own(client, world, make_person, community_staff):
    from linli.core.testing.personas import make_user

    make_person("吴在职", phone="13700137000")
    user = make_user("serving2", "resident", place=world.grid_a, phone="13700137000")
    other = registration_submit(
        kind="unit", community=world.community, unit_name="别的单位", actor=community_staff
    )
    auth = bearer(issue_token(user))
    r = client.post(
        f"{BASE}/registrations",
        {"kind": "member", "community_id": world.community.pk, "unit_name": "区卫健委"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    mine = r.json()["id"]
    assert [x["id"] for x in client.get(f"{BASE}/registrations", **auth).json()["items"]] == [mine]
    assert client.get(f"{BASE}/registrations/{other.pk}", **auth).status_code == 404
    r = client.post(f"{BASE}/registrations/{mine}/approve", {}, content_type="application/json", **auth)
    assert r.status_code == 403
    assert (
        client.post(
            f"{BASE}/registrations/{mine}/withdraw", {}, content_type="application/json", **auth
        ).json()["status"]
        == "withdrawn"
    )


def test_meetings_rotation_and_problems(client, staff, world, partners, categories, tree):
    r = client.get(f"{BASE}/meetings/rotation?community_id={world.community.pk}", **staff)
    assert r.status_code == 200 and r.json()["current"] and r.json()["next"]
    assert r.json()["current"]["id"] != r.json()["next"]["id"]
    r = client.post(
        f"{BASE}/meetings",
        {
            "community_id": world.community.pk,
            "held_on": "2026-02-10",
            "title": "二月联席会",
            "attendee_ids": [p.pk for p in partners[:2]],
            "minutes": "纪要",
        },
        content_type="application/json",
        **staff,
    )
    assert r.status_code == 201, r.content
    meeting = r.json()
    assert meeting["chair_id"] == partners[1].pk and meeting["present"] == 2
    r = client.post(
        f"{BASE}/meetings/{meeting['id']}/problems",
        {
            "title": "路灯不亮",
            "category": "MUNI.STREETLIGHT",
            "place_id": tree.compound.pk,
            "partner_id": partners[0].pk,
        },
        content_type="application/json",
        **staff,
    )
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "reported" and r.json()["number"]
    detail = client.get(f"{BASE}/meetings/{meeting['id']}", **staff).json()
    assert [p["title"] for p in detail["problems"]] == ["路灯不亮"]
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get(f"{BASE}/meetings", **staff).json()["items"]) == 1
    assert len(ctx.captured_queries) <= 6


def test_partners_agreements_resources_activities(client, staff, world, partners):
    p = partners[0].pk
    r = client.post(
        f"{BASE}/partners/{p}/agreements",
        {"title": "共建协议", "signed_on": "2026-01-01", "valid_until": "2025-01-01"},
        content_type="application/json",
        **staff,
    )
    assert r.status_code == 422
    assert (
        client.post(
            f"{BASE}/partners/{p}/agreements",
            {"title": "共建协议", "signed_on": "2026-01-01"},
            content_type="application/json",
            **staff,
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"{BASE}/partners/{p}/resources",
            {"kind": "venue", "name": "会议室"},
            content_type="application/json",
            **staff,
        ).status_code
        == 201
    )
    detail = client.get(f"{BASE}/partners/{p}", **staff).json()
    assert detail["agreements"][0]["title"] == "共建协议" and detail["resources"][0]["kind"] == "venue"
    r = client.post(
        f"{BASE}/activities",
        {
            "community_id": world.community.pk,
            "held_on": "2026-03-05",
            "title": "学雷锋活动",
            "partner_ids": [p],
            "participants": 30,
        },
        content_type="application/json",
        **staff,
    )
    assert r.status_code == 201 and r.json()["partners"] == ["区供电局"]
    r = client.patch(f"{BASE}/partners/{p}", {"active": False}, content_type="application/json", **staff)
    assert r.status_code == 200 and r.json()["active"] is False


def test_reports_as_json_xlsx_pdf(client, staff, world, make_person):
    from linli.party.actions.registrations import unit_org_for

    member_create(
        person=make_person(),
        kind="registered",
        employer=unit_org_for("区税务局", world.community),
        grid=world.grid_a,
        actor=None,
    )
    r = client.get(f"{BASE}/reports/service?year=2026&half=1", **staff)
    assert r.status_code == 200 and r.json()["units"][0]["members"] == 1
    x = client.get(f"{BASE}/reports/service?year=2026&half=1&format=xlsx", **staff)
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxml")
    from openpyxl import load_workbook

    load_workbook(io.BytesIO(x.content))
    p = client.get(f"{BASE}/reports/service?year=2026&half=2&format=pdf", **staff)
    assert p.status_code == 200 and p.content.startswith(b"%PDF")
    assert client.get(f"{BASE}/reports/service?year=2026&half=3", **staff).status_code == 422


def test_residents_without_party_view_are_refused(client, resident, world):
    auth = bearer(issue_token(resident))
    assert client.get(f"{BASE}/orgs", **auth).status_code == 403
    assert client.get(f"{BASE}/members", **auth).status_code == 403
    assert client.get(f"{BASE}/registrations", **auth).json() == {"items": [], "next_after": None}


def test_schema_names_do_not_collide_with_other_apps():
    """OpenAPI keys components by class name: a second ``ReportIn`` would replace the cases' one."""
    import importlib
    import inspect
    from pathlib import Path

    from ninja import Schema

    from linli.party import api as party_api

    mine = {
        n
        for n, c in vars(party_api).items()
        if inspect.isclass(c) and issubclass(c, Schema) and c.__module__ == party_api.__name__
    }
    root = Path(party_api.__file__).resolve().parents[1]
    for path in root.glob("*/api*.py"):
        module = importlib.import_module(f"linli.{path.parent.name}.{path.stem}")
        if module is party_api:
            continue
        theirs = {
            n
            for n, c in vars(module).items()
            if inspect.isclass(c) and issubclass(c, Schema) and c.__module__ == module.__name__
        }
        assert not mine & theirs, (module.__name__, mine & theirs)
