"""The community worker's flow, through the pages: download the template, fill rows, import, read the
error report, fix the rows, import again, find a resident by pinyin initials, export the grid."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from linli.core.models import AuditEntry
from linli.core.testing.personas import PASSWORD
from linli.residents.models import ImportJob, Person

from .conftest import new_id


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def fill_template(content: bytes, rows: list[dict]) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb["人员信息"]
    headers = [c.value for c in ws[1]]
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(row=r, column=headers.index(header) + 1, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    buf.name = "居民.xlsx"
    buf.seek(0)
    return buf


def test_worker_flow_template_import_fix_search_export(client, world, houses, community_staff):
    login(client, community_staff)
    response = client.get("/registry/template.xlsx")
    assert response.status_code == 200
    template = b"".join(response.streaming_content) if response.streaming else response.content
    wb = load_workbook(io.BytesIO(template))
    assert [c.value for c in wb["人员信息"][1]] == [
        "姓名", "性别", "民族", "身份证号", "联系电话", "政治面貌", "与户主关系", "户主身份证号", "户籍地址",
        "小区", "楼栋", "单元", "房号", "人房关系", "人员标签", "备注"]
    assert wb["人员信息"].data_validations.dataValidation  # drop-downs for the coded columns
    assert "填写说明" in wb.sheetnames

    head = new_id()
    good_wife = new_id(male=False)
    where = {"小区": "阳光小区", "楼栋": "1栋", "单元": "1单元", "房号": "101"}
    rows = [
        {"姓名": "张三", "性别": "男", "民族": "汉族", "身份证号": head, "联系电话": "13912345678",
         "政治面貌": "群众", "与户主关系": "户主", **where, "人房关系": "业主"},
        {"姓名": "李四", "民族": "01", "身份证号": good_wife[:-1] + ("1" if good_wife[-1] != "1" else "2"),
         "与户主关系": "妻", "户主身份证号": head, **where},
    ]
    response = client.post("/registry/import/", {
        "file": fill_template(template, rows), "community": str(world.community.pk),
    })
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    assert job.status == "rejected" and Person.objects.count() == 0
    content = page.content.decode()
    assert "身份证号" in content and ">3<" in content  # row 3, column 身份证号
    report = client.get(f"/registry/import/{job.pk}/report.xlsx")
    assert report.status_code == 200
    data = list(load_workbook(io.BytesIO(b"".join(report.streaming_content)), read_only=True)["人员信息"]
                .iter_rows(values_only=True))
    assert data[0][-1] == "错误" and data[2][-1] and "身份证号" in data[2][-1]

    rows[1]["身份证号"] = good_wife  # fix the row the report named
    response = client.post("/registry/import/", {
        "file": fill_template(template, rows), "community": str(world.community.pk),
    })
    job = ImportJob.objects.order_by("-id").first()
    assert job.status == "done", job.problems
    assert Person.objects.count() == 2

    found = client.get("/registry/", {"q": "zs"})
    assert "张三" in found.content.decode() and "李四" not in found.content.decode()
    assert "139****5678" in found.content.decode()
    assert "13912345678" not in found.content.decode()

    export = client.get("/registry/export.xlsx", {"place": world.grid_a.pk})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)["人员信息"]
    exported = list(sheet.iter_rows(values_only=True))
    assert {r[0] for r in exported[1:]} == {"张三", "李四"}
    assert all(r[3] == "*" * 16 + head[-2:] for r in exported[1:] if r[0] == "张三")
    assert AuditEntry.objects.filter(action="registry.export", actor=community_staff).exists()
