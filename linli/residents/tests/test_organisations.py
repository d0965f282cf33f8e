"""Organisations: shops along the street, owners' committees and property companies per compound (the
compounds they serve, with dates), their import from an Excel sheet through the registry's import jobs,
and the community profile's figures by compound kind (三区)."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook

from linli.core.audit import AuditEntry
from linli.core.errors import Invalid, NotFound, Refused
from linli.places.actions import place_create
from linli.places.models import PlaceKind
from linli.residents.actions import (
    import_job_create,
    import_job_run,
    organisation_close,
    organisation_create,
    organisation_serve,
    organisation_serve_end,
    organisation_update,
)
from linli.residents.models import CompoundService, ImportStatus, Organisation

from .conftest import make_person

D = datetime.date


def org_workbook(rows: list[dict]) -> io.BytesIO:
    from linli.residents.excel import ORG_COLUMNS, ORG_SHEET

    headers = [c.header for c in ORG_COLUMNS]
    wb = Workbook()
    ws = wb.active
    ws.title = ORG_SHEET
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "单位.xlsx"
    return buf


def run_org_import(world, actor, rows, **options):
    job = import_job_create(actor=actor, community=world.community, upload=org_workbook(rows),
                            kind="organisations", **options)
    return import_job_run(job_id=job.pk)


def test_a_committee_at_its_compound_serves_it(houses, community_staff):
    org = organisation_create(name="阳光小区业主委员会", kind="owners_committee", place=houses.compound_a,
                              actor=community_staff, contact_phone="13800001111")
    service = CompoundService.objects.get(organisation=org)
    assert (service.compound, service.kind, service.end_date) == (houses.compound_a, "owners_committee", None)
    assert service.place_path == houses.compound_a.path
    assert AuditEntry.objects.filter(action="residents.organisation_serve", target_id=str(org.pk)).exists()


def test_a_property_company_serves_several_compounds_and_is_replaced(houses, community_staff):
    first = organisation_create(name="城关物业", kind="property_company", place=houses.compound_a,
                                actor=community_staff, serves=[houses.compound_a, houses.compound_b],
                                serves_from=D(2024, 1, 1))
    assert set(first.services.values_list("compound_id", flat=True)) == {houses.compound_a.pk, houses.compound_b.pk}
    second = organisation_create(name="安居物业", kind="property_company", place=houses.compound_b,
                                 actor=community_staff)
    organisation_serve(organisation=second, compound=houses.compound_b, actor=community_staff, start=D(2026, 3, 1))
    ended = CompoundService.objects.get(organisation=first, compound=houses.compound_b)
    assert ended.end_date == D(2026, 3, 1)  # the old company stops the day the new one starts
    current = CompoundService.objects.filter(compound=houses.compound_b, end_date__isnull=True)
    assert list(current.values_list("organisation_id", flat=True)) == [second.pk]
    with pytest.raises(Refused):
        organisation_serve(organisation=second, compound=houses.compound_b, actor=community_staff)
    organisation_serve_end(service=current.get(), actor=community_staff, on=D(2026, 6, 30))
    assert not CompoundService.objects.filter(compound=houses.compound_b, end_date__isnull=True).exists()


def test_a_shop_does_not_serve_compounds(houses, community_staff):
    shop = organisation_create(name="便民超市", place=houses.house_a1, actor=community_staff)
    with pytest.raises(Invalid):
        organisation_serve(organisation=shop, compound=houses.compound_a, actor=community_staff)
    with pytest.raises(Invalid):
        organisation_create(name="某物业", kind="property_company", place=houses.compound_a,
                            actor=community_staff, serves=[houses.building_a])
    assert not CompoundService.objects.exists()


def test_out_of_scope_writes_look_missing_and_change_nothing(houses, grid_worker_b, community_staff):
    with pytest.raises(NotFound):
        organisation_create(name="越界商铺", place=houses.house_a1, actor=grid_worker_b)
    org = organisation_create(name="物业", kind="property_company", place=houses.compound_b, actor=community_staff)
    with pytest.raises(NotFound):
        organisation_serve(organisation=org, compound=houses.compound_a, actor=grid_worker_b)
    shop = organisation_create(name="便民超市", place=houses.house_a1, actor=community_staff)
    with pytest.raises(NotFound):
        organisation_update(organisation=shop, actor=grid_worker_b, name="改名")
    assert Organisation.objects.filter(name="越界商铺").count() == 0 and not CompoundService.objects.exists()
    shop.refresh_from_db()
    assert shop.name == "便民超市"


def test_update_corrects_details_and_keeps_a_serving_kind(houses, community_staff):
    shop = organisation_create(name="便民超市", place=houses.house_a1, actor=community_staff)
    shop = organisation_update(organisation=shop, actor=community_staff, name="便民生活超市",
                               contact_phone="138 0000 2222", place=houses.building_a)
    assert (shop.name, shop.contact_phone, shop.place_path) == ("便民生活超市", "13800002222", houses.building_a.path)
    entry = AuditEntry.objects.get(action="residents.organisation_update")
    assert entry.detail["fields"] == ["contact_phone", "name", "place"]
    with pytest.raises(Invalid) as err:
        organisation_update(organisation=shop, actor=community_staff, contact_phone="12")
    assert "contact_phone" in err.value.fields
    committee = organisation_create(name="业委会", kind="owners_committee", place=houses.compound_a,
                                    actor=community_staff)
    with pytest.raises(Refused):
        organisation_update(organisation=committee, actor=community_staff, kind="shop")
    organisation_close(organisation=committee, actor=community_staff)
    assert not CompoundService.objects.filter(end_date__isnull=True).exists()


# --- import -------------------------------------------------------------------------------------------------


def test_import_creates_shops_committees_and_property_companies(world, houses, community_staff):
    job = run_org_import(world, community_staff, [
        {"名称": "便民超市", "类型": "沿街商铺", "小区": "阳光小区", "楼栋": "1栋", "单元": "1单元", "房号": "101",
         "联系人": "李明", "联系电话": "13800138000"},
        {"名称": "阳光小区业主委员会", "类型": "业委会", "小区": "阳光小区"},
        {"名称": "城关物业服务有限公司", "类型": "物业公司", "小区": "阳光小区", "服务小区": "阳光小区、幸福里",
         "服务起始日期": "2024-01-01", "统一社会信用代码": "91330102MA2XXXXX1A"},
    ])
    assert job.status == ImportStatus.DONE, job.problems
    assert job.counts["organisations_created"] == 3 and job.counts["services_added"] == 3
    shop = Organisation.objects.get(name="便民超市")
    assert (shop.kind, shop.place, shop.contact_phone) == ("shop", houses.house_a1, "13800138000")
    company = Organisation.objects.get(name="城关物业服务有限公司")
    assert set(company.services.values_list("compound__name", "start_date")) == {
        ("阳光小区", D(2024, 1, 1)), ("幸福里", D(2024, 1, 1))}
    committee = Organisation.objects.get(name="阳光小区业主委员会")
    assert list(committee.services.values_list("compound_id", flat=True)) == [houses.compound_a.pk]


def test_import_with_a_bad_row_writes_nothing_and_says_why_in_chinese(world, houses, community_staff):
    from django.utils import translation

    with translation.override("zh-hans"):
        job = run_org_import(world, community_staff, [
            {"名称": "便民超市", "类型": "沿街商铺", "小区": "阳光小区", "楼栋": "1栋"},
            {"名称": "某店", "类型": "饭店", "小区": "阳光小区"},
            {"名称": "某店2", "类型": "沿街商铺", "小区": "不存在小区"},
            {"名称": "某店3", "类型": "沿街商铺", "小区": "阳光小区", "服务小区": "幸福里"},
            {"名称": "便民超市", "类型": "沿街商铺", "小区": "阳光小区", "楼栋": "1栋"},
        ])
    assert job.status == ImportStatus.REJECTED
    assert not Organisation.objects.exists()
    problems = {(row, column) for row, column, _message in job.problems}
    assert problems == {(3, "类型"), (4, "小区"), (5, "服务小区"), (6, "名称")}
    by_row = {row: message for row, _column, message in job.problems}
    assert "沿街商铺" in by_row[3] and "2" in by_row[6]  # the kinds it knows; the row it repeats
    assert all(not m.isascii() for _r, _c, m in job.problems)


def test_import_again_is_refused_unless_updating(world, houses, community_staff):
    rows = [{"名称": "便民超市", "类型": "沿街商铺", "小区": "阳光小区", "楼栋": "1栋"}]
    assert run_org_import(world, community_staff, rows).status == ImportStatus.DONE
    rows[0]["联系电话"] = "13900001111"
    assert run_org_import(world, community_staff, rows).status == ImportStatus.REJECTED
    job = run_org_import(world, community_staff, rows, update_existing=True)
    assert job.status == ImportStatus.DONE and job.counts["organisations_updated"] == 1
    assert Organisation.objects.get().contact_phone == "13900001111"


def test_import_outside_the_grid_workers_area_is_a_row_problem(world, houses, grid_worker_a):
    job = run_org_import(world, grid_worker_a, [
        {"名称": "甲店", "类型": "沿街商铺", "小区": "阳光小区", "楼栋": "1栋"},
        {"名称": "乙店", "类型": "沿街商铺", "小区": "幸福里", "楼栋": "2号楼"},
    ])
    assert job.status == ImportStatus.REJECTED and [p[0] for p in job.problems] == [3]
    assert not Organisation.objects.exists()


def test_a_persons_workbook_is_not_read_as_organisations(world, houses, community_staff):
    from .conftest import new_id, person_row, workbook

    upload = io.BytesIO(workbook([person_row("张三", new_id())]))
    upload.name = "人员.xlsx"
    job = import_job_create(actor=community_staff, community=world.community, upload=upload, kind="organisations")
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportStatus.REJECTED and "名称" in job.problems[0][2]


# --- the profile --------------------------------------------------------------------------------------------


def test_profile_breaks_down_by_compound_kind_and_names_who_serves(world, houses, community_staff):
    from linli.places.actions import place_update
    from linli.residents.selectors_profile import place_profile

    place_update(place=houses.compound_a, actor=None, compound_kind="old")
    place_update(place=houses.compound_b, actor=None, compound_kind="relocation")
    third = place_create(kind=PlaceKind.COMPOUND, name="新苑", parent=world.grid_b, compound_kind="old")
    make_person(houses.house_a1, "张三")
    make_person(houses.house_a2, "李四")
    make_person(houses.house_b1, "王五")
    organisation_create(name="便民超市", place=houses.house_a1, actor=None)
    organisation_create(name="小吃店", place=houses.building_b, actor=None)
    organisation_create(name="幼儿园", kind="school", place=houses.building_b, actor=None)
    organisation_create(name="阳光业委会", kind="owners_committee", place=houses.compound_a, actor=None)
    organisation_create(name="城关物业", kind="property_company", place=houses.compound_a, actor=None,
                        serves=[houses.compound_a, third])
    profile = place_profile(community_staff, world.community)
    assert profile.shops == 2
    kinds = {r.kind: (r.compounds, r.residents, r.shops) for r in profile.by_compound_kind}
    assert kinds == {"old": (2, 2, 1), "relocation": (1, 1, 1)}
    assert [r.kind for r in profile.by_compound_kind] == ["relocation", "old"]  # in the kinds' order
    rows = {r.name: (r.property_companies, r.committees, r.shops) for r in profile.compound_rows}
    assert rows == {"阳光小区": (["城关物业"], ["阳光业委会"], 1), "幸福里": ([], [], 1), "新苑": (["城关物业"], [], 0)}
    assert (profile.with_property_company, profile.with_committee) == (2, 1)


# --- pages and API ----------------------------------------------------------------------------------------------


def test_staff_add_a_property_company_on_the_page_and_see_it_per_compound(client, world, houses, community_staff):
    from .conftest import login

    login(client, community_staff)
    assert 'href="/registry/organisations/"' in client.get("/registry/").content.decode()
    r = client.post("/registry/organisations/new/", {
        "name": "城关物业", "kind": "property_company", "compound": houses.compound_a.pk, "contact_phone": "13800001111",
        "serves": [houses.compound_a.pk, houses.compound_b.pk], "serves_from": "2025-01-01"})
    org = Organisation.objects.get(name="城关物业")
    assert r.status_code == 302 and r["Location"] == f"/registry/organisations/{org.pk}/"
    assert org.place == houses.compound_a and org.services.count() == 2
    page = client.get(f"/registry/organisations/?compound={houses.compound_b.pk}").content.decode()
    assert page.count('data-testid="org-card"') == 1 and "138****1111" in page and "13800001111" not in page
    detail = client.get(f"/registry/organisations/{org.pk}/").content.decode()
    assert "阳光小区" in detail and "幸福里" in detail and 'data-testid="serve-form"' in detail


def test_a_shop_form_with_a_missing_building_says_so_and_writes_nothing(client, world, houses, community_staff):
    from .conftest import login

    login(client, community_staff)
    r = client.post("/registry/organisations/new/", {"name": "便民超市", "kind": "shop",
                                                     "compound": houses.compound_a.pk, "building": "9栋"},
                    HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 422 and not Organisation.objects.exists()
    r = client.post("/registry/organisations/new/", {"name": "便民超市", "kind": "shop",
                                                     "compound": houses.compound_a.pk, "building": "1栋",
                                                     "entrance": "1单元", "house": "101"})
    assert Organisation.objects.get().place == houses.house_a1


def test_edit_and_filter_by_compound_kind(client, world, houses, community_staff):
    from linli.places.actions import place_update

    from .conftest import login

    place_update(place=houses.compound_b, actor=None, compound_kind="rented")
    shop = organisation_create(name="便民超市", place=houses.house_a1, actor=None, contact_phone="13800001111")
    organisation_create(name="出租屋小卖部", place=houses.building_b, actor=None)
    login(client, community_staff)
    page = client.get("/registry/organisations/?compound_kind=rented").content.decode()
    assert "出租屋小卖部" in page and "便民超市" not in page
    r = client.post(f"/registry/organisations/{shop.pk}/edit/", {
        "name": "便民生活超市", "kind": "shop", "compound": houses.compound_a.pk, "building": "1栋", "entrance": "1单元",
        "house": "101", "contact_phone": ""})
    assert r.status_code == 302
    shop.refresh_from_db()
    assert shop.name == "便民生活超市" and shop.contact_phone == "13800001111"  # empty keeps the stored phone


def test_pages_are_404_out_of_scope(client, world, houses, grid_worker_b):
    from .conftest import login

    shop = organisation_create(name="便民超市", place=houses.house_a1, actor=None, contact_phone="13800001111")
    login(client, grid_worker_b)
    for url in (f"/registry/organisations/{shop.pk}/", f"/registry/organisations/{shop.pk}/edit/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/registry/organisations/{shop.pk}/reveal/").status_code == 404
    assert "便民超市" not in client.get("/registry/organisations/").content.decode()


def test_reveal_needs_unmask_and_is_audited(client, world, houses, community_staff, grid_worker_a):
    from .conftest import login

    shop = organisation_create(name="便民超市", place=houses.house_a1, actor=None, contact_phone="13800001111")
    login(client, grid_worker_a)
    assert client.post(f"/registry/organisations/{shop.pk}/reveal/").status_code == 403
    assert AuditEntry.objects.filter(action="pii.unmask", result="denied").count() == 1
    login(client, community_staff)
    r = client.post(f"/registry/organisations/{shop.pk}/reveal/")
    assert r.status_code == 200 and "13800001111" in r.content.decode()
    assert AuditEntry.objects.filter(action="pii.unmask", target_id=str(shop.pk)).exclude(result="denied").count() == 1


def test_export_masks_phones_and_reimports(client, world, houses, community_staff):
    from openpyxl import load_workbook

    from .conftest import login

    organisation_create(name="城关物业", kind="property_company", place=houses.compound_a, actor=None,
                        contact_phone="13800001111", serves=[houses.compound_a, houses.compound_b],
                        serves_from=D(2024, 1, 1))
    login(client, community_staff)
    r = client.get("/registry/organisations/export.xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("名称", "类型", "小区") and len(rows) == 2
    assert rows[1][:3] == ("城关物业", "物业公司", "阳光小区") and rows[1][7] == "138****1111"
    assert rows[1][9] == "阳光小区、幸福里" and rows[1][10] == "2024-01-01"
    assert AuditEntry.objects.filter(action="registry.export").exists()


def test_api_creates_serves_and_filters(client, world, houses, community_staff, grid_worker_b):
    from .conftest import login

    login(client, community_staff)
    r = client.post("/api/v1/residents/organisations", {
        "name": "阳光业委会", "kind": "owners_committee", "place_id": houses.compound_a.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["serves"] == ["阳光小区"]
    org_id = r.json()["id"]
    r = client.post("/api/v1/residents/organisations", {"name": "x", "kind": "castle", "place_id": houses.house_a1.pk},
                    content_type="application/json")
    assert r.status_code == 422 and "kind" in r.json()["fields"]
    r = client.post(f"/api/v1/residents/organisations/{org_id}/services", {"compound_id": houses.compound_a.pk},
                    content_type="application/json")
    assert r.status_code == 409
    services = client.get(f"/api/v1/residents/organisations/{org_id}/services").json()["items"]
    r = client.post(f"/api/v1/residents/organisations/{org_id}/services/{services[0]['id']}/end", {},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["end_date"] is not None
    page = client.get(f"/api/v1/residents/organisations?kind=owners_committee&compound={houses.compound_a.pk}").json()
    assert [o["name"] for o in page["items"]] == ["阳光业委会"]
    login(client, grid_worker_b)
    assert client.patch(f"/api/v1/residents/organisations/{org_id}", {"name": "y"},
                        content_type="application/json").status_code == 404


def test_the_registry_filters_by_compound_kind(client, world, houses, community_staff):
    from linli.places.actions import place_update

    from .conftest import login

    place_update(place=houses.compound_b, actor=None, compound_kind="relocation")
    make_person(houses.house_a1, "张三")
    make_person(houses.house_b1, "王五")
    make_person(world.grid_a, "无房人")
    login(client, community_staff)
    page = client.get("/registry/?compound_kind=relocation").content.decode()
    assert "王五" in page and "张三" not in page and "无房人" not in page
    items = client.get("/api/v1/residents/persons?compound_kind=relocation").json()["items"]
    assert [p["name"] for p in items] == ["王五"]
    assert len(client.get("/api/v1/residents/persons?compound_kind=rented").json()["items"]) == 0


def test_the_profile_page_shows_compound_kinds_and_who_serves(client, world, houses, community_staff):
    from linli.places.actions import place_update

    from .conftest import login

    place_update(place=houses.compound_a, actor=None, compound_kind="old")
    organisation_create(name="城关物业", kind="property_company", place=houses.compound_a, actor=None,
                        serves=[houses.compound_a])
    organisation_create(name="便民超市", place=houses.house_a1, actor=None)
    login(client, community_staff)
    page = client.get(f"/dashboards/community/{world.community.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-compound-kind="old"' in html and 'data-compound-kind="none"' in html
    assert html.count('data-testid="compound-row"') == 2 and "城关物业" in html
    assert f"/registry/organisations/?compound={houses.compound_a.pk}" in html
