"""Excel imports of smart monitoring: facilities of the 15-minute circles (template, every row checked with
its errors in Chinese, all or nothing, limits before reading) and devices."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from linli.core.errors import Invalid
from linli.core.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["设施名称", "类型", "所属地点", "地点编号", "地址", "经度", "纬度", "开放时间"]


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_facilities_from_the_template_are_put_on_the_map(world, community_staff):
    from linli.core.models import AuditEntry
    from linli.iot.models import Facility

    c = _client(community_staff)
    listing = c.get("/iot/facilities/").content.decode()
    assert 'href="/iot/facilities/import/"' in listing  # reachable from the facilities page
    page = c.get("/iot/facilities/import/")
    assert page.status_code == 200 and "/iot/facilities/import/template.xlsx" in page.content.decode()
    template = c.get("/iot/facilities/import/template.xlsx")
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(template.streaming_content if template.streaming else [template.content])))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert any(str(world.grid_a.pk) == str(r[0]) for r in book.worksheets[1].iter_rows(values_only=True))
    # The template's own example row, filled for grid A, and a second row by the place's number.
    example = [c.value for c in sheet[2]]
    example[2] = world.grid_a.name
    body = workbook([HEADER, example,
                     ["社区卫生服务站", "clinic", "", world.grid_b.pk, "", 120.18, 30.27, ""]])
    r = c.post("/iot/facilities/import/", {"file": SimpleUploadedFile("设施.xlsx", body)})
    assert r.status_code == 302, r.content.decode()[:2000]
    made = {f.name: f for f in Facility.objects.all()}
    assert made["幸福里老年食堂"].kind == "canteen" and made["幸福里老年食堂"].place_id == world.grid_a.pk
    assert made["社区卫生服务站"].place_id == world.grid_b.pk and made["社区卫生服务站"].place_path == world.grid_b.path
    assert AuditEntry.objects.filter(action="iot.facility_create").count() == 2


def test_a_bad_row_refuses_the_whole_file_with_each_rows_errors_in_chinese(world, community_staff):
    from linli.iot.actions import facilities_import, facility_create
    from linli.iot.models import Facility

    facility_create(actor=None, kind="school", name="实验小学", place=world.grid_a, lon=120.1, lat=30.2)
    body = workbook([HEADER,
                     ["好的食堂", "老年幸福食堂", world.grid_a.name, "", "", 120.1, 30.2, ""],  # good
                     ["坏的一行", "游泳馆", "不存在的小区", "", "", 500, "", ""],  # kind, place, lon, lat
                     ["实验小学", "school", world.grid_a.name, "", "", 120.1, 30.2, ""],  # already on the map
                     ["好的食堂", "canteen", world.grid_a.name, "", "", 120.1, 30.2, ""],  # twice in the file
                     ["别人的", "clinic", world.grid_c.name, "", "", 120.1, 30.2, ""]])  # not the staff's place
    with pytest.raises(Invalid) as exc:
        facilities_import(actor=community_staff, content=body)
    errors = exc.value.fields
    assert sorted(errors) == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert any("类型" in m for m in errors["第 3 行"]) and any("所属地点" in m for m in errors["第 3 行"])
    assert any("经度" in m for m in errors["第 3 行"]) and any("纬度" in m for m in errors["第 3 行"])
    assert errors["第 4 行"] == ["已在地图上"]
    assert errors["第 5 行"] == ["与第 2 行相同"]
    assert any("所属地点" in m for m in errors["第 6 行"])
    assert Facility.objects.count() == 1  # nothing written, not even the good row
    # The page says it in Chinese, row by row, with 422.
    r = _client(community_staff).post("/iot/facilities/import/", {"file": SimpleUploadedFile("设施.xlsx", body)})
    text = r.content.decode()
    assert r.status_code == 422 and "部分行有误，未导入任何数据。" in text and "第 3 行" in text
    assert text.count('data-testid="import-row-error"') == 4


def test_a_workbook_bomb_is_refused_before_it_is_read(world, community_staff, monkeypatch):
    from linli.core.testing.bombs import xlsx_bomb
    from linli.iot.actions import facilities_import
    from linli.iot.models import Facility

    def never(*args, **kwargs):  # openpyxl must not see it
        raise AssertionError("read")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    with pytest.raises(Invalid) as exc:
        facilities_import(actor=community_staff, content=xlsx_bomb(300))  # 300 MB of XML in ~0.3 MB
    assert exc.value.code == "too_much_data"
    r = _client(community_staff).post("/iot/facilities/import/",
                                      {"file": SimpleUploadedFile("bomb.xlsx", xlsx_bomb(300))})
    assert r.status_code == 422 and "工作簿解压后的数据过多。" in r.content.decode()
    assert Facility.objects.count() == 0


def test_not_a_workbook_and_too_large_say_so(world, community_staff, settings):
    from linli.core.errors import TooLarge
    from linli.iot.actions import facilities_import

    with pytest.raises(Invalid):
        facilities_import(actor=community_staff, content=b"not a zip at all")
    settings.LINLI_XLSX_MAX_BYTES = 1000
    with pytest.raises(TooLarge):
        facilities_import(actor=community_staff, content=workbook([HEADER, ["食堂", "canteen", "", "", "", 1, 1, ""]]))
    r = _client(community_staff).post("/iot/facilities/import/", {"file": SimpleUploadedFile(
        "x.xlsx", workbook([HEADER, ["食堂", "canteen", "", "", "", 1, 1, ""]]))})
    assert r.status_code == 413


def test_only_managers_import(world, grid_worker_a, resident):
    assert _client(grid_worker_a).get("/iot/facilities/import/").status_code == 403
    assert _client(resident).get("/iot/facilities/import/template.xlsx").status_code == 403


def test_devices_import_all_or_nothing(world, community_staff):
    from linli.iot.actions import devices_import
    from linli.iot.models import Device
    from linli.places.actions import place_create

    compound = place_create(kind="compound", name="导入小区", parent=world.grid_a)
    place_create(kind="building", name="导入1幢", parent=compound)
    head = ["编号", "类型", "名称", "小区/楼栋", "安装位置", "经度", "纬度"]
    bad = workbook([head, ["IMP-1", "燃气", "1幢燃气", "导入1幢", "地下室", 120.1, 30.2],
                    ["IMP-2", "核辐射", "未知", "没有这个楼", "", "", ""]])
    with pytest.raises(Invalid) as exc:
        devices_import(actor=community_staff, content=bad, under=world.community.pk)
    assert list(exc.value.fields) == ["第 3 行"] and Device.objects.count() == 0
    good = workbook([head, ["IMP-1", "燃气", "1幢燃气", "导入1幢", "地下室", 120.1, 30.2],
                     ["IMP-2", "camera", "东门", "导入小区", "", "", ""]])
    result = devices_import(actor=community_staff, content=good, under=world.community.pk)
    assert result["created"] == 2 and {c for c, _t in result["tokens"]} == {"IMP-1", "IMP-2"}
