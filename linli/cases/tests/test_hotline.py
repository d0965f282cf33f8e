"""12345 hotline import: address → building, idempotent re-import, per-row problems, no half-writes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linli.cases.hotline import hotline_import
from linli.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db

HEADER = "工单编号,来电时间,诉求内容,诉求地址,分类,办理时限\n"


@pytest.fixture
def buildings(world):
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    compound = place_create(kind=PlaceKind.COMPOUND, name="幸福家园", parent=world.grid_a)
    b3 = place_create(kind=PlaceKind.BUILDING, name="3幢", parent=compound)
    place_create(kind=PlaceKind.BUILDING, name="4幢", parent=compound)
    return compound, b3


def _csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


def test_hotline_import_matches_building_and_is_idempotent(world, categories, buildings):
    compound, b3 = buildings
    content = _csv(
        "H2026030001,2026-03-02 09:30,楼道灯不亮,杭州市上城区幸福家园3幢2单元,MUNI.STREETLIGHT,2026-03-09",
        "H2026030002,2026-03-02 10:00,垃圾没人清,幸福家园东门,环境卫生,",
    )
    first = hotline_import(content=content, filename="t.csv", community=world.community)
    assert first.ok and len(first.created) == 2 and first.matched == 2
    case = Case.objects.get(external_id="H2026030001")
    assert (case.channel, case.place_id, case.grid_id) == ("hotline", b3.pk, world.grid_a.pk)
    assert case.reported_at.day == 2 and "2026-03-09" in case.description
    assert Case.objects.get(external_id="H2026030002").place_id == compound.pk
    events = CaseEvent.objects.count()
    again = hotline_import(content=content, filename="t.csv", community=world.community)
    assert again.created == [] and again.unchanged == ["H2026030001", "H2026030002"]
    assert (Case.objects.count(), CaseEvent.objects.count()) == (2, events)


def test_hotline_import_reports_row_and_column_without_writing_bad_rows(world, categories, buildings):
    content = _csv(
        "H1,2026-03-02 09:30,路灯坏了,幸福家园3幢,MUNI.STREETLIGHT,",
        "H2,昨天,路灯坏了,幸福家园3幢,MUNI.STREETLIGHT,",
        ",2026-03-02 09:30,没有编号,幸福家园,MUNI.STREETLIGHT,",
        "H4,2026-03-02 09:30,分类不对,幸福家园,不存在的分类,",
    )
    result = hotline_import(content=content, filename="t.csv", community=world.community)
    assert [(p.row, p.column) for p in result.problems] == [(2, "来电时间"), (3, "工单编号"), (4, "分类")]
    assert list(Case.objects.values_list("external_id", flat=True)) == ["H1"]


def test_hotline_import_reads_json_and_excel(world, categories, buildings):
    from openpyxl import Workbook

    tickets = [{"工单编号": "J1", "来电时间": "2026-03-03 08:00", "诉求内容": "噪声", "诉求地址": "幸福家园4幢",
                "分类": "MUNI.STREETLIGHT"}]
    assert hotline_import(content=json.dumps(tickets).encode(), filename="t.json", community=world.community).created
    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "来电时间", "诉求内容", "诉求地址", "分类", "办理时限"])
    ws.append(["X1", "2026-03-04 08:00", "井盖松动", "幸福家园3幢", "MUNI.STREETLIGHT", None])
    buf = io.BytesIO()
    wb.save(buf)
    assert hotline_import(content=buf.getvalue(), filename="t.xlsx", community=world.community).created
    assert sorted(Case.objects.values_list("external_id", flat=True)) == ["J1", "X1"]


def test_import_hotline_command_fails_on_problems(world, categories, buildings, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(_csv("C1,2026-03-02 09:30,路灯坏了,幸福家园3幢,MUNI.STREETLIGHT,"))
    call_command("import_hotline", str(good), "--community", world.community.code)
    assert Case.objects.filter(external_id="C1").exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("C2,2026-03-02 09:30,,幸福家园3幢,MUNI.STREETLIGHT,"))
    with pytest.raises(CommandError):
        call_command("import_hotline", str(bad), "--community", world.community.code)


def test_hotline_upload_page_files_cases_for_the_desk(client, world, categories, buildings, community_staff,
                                                       grid_worker_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from linli.core.testing.personas import PASSWORD

    client.login(username=grid_worker_a.username, password=PASSWORD)
    assert client.get("/cases/hotline/import").status_code == 403
    client.login(username=community_staff.username, password=PASSWORD)
    upload = SimpleUploadedFile("t.csv", _csv("U1,2026-03-02 09:30,路灯坏了,幸福家园3幢,MUNI.STREETLIGHT,"))
    page = client.post("/cases/hotline/import", {"community": world.community.pk, "file": upload})
    assert page.status_code == 200 and 'id="import-result"' in page.content.decode()
    assert Case.objects.filter(external_id="U1", channel="hotline").exists()
