"""Registry import: every row checked, nothing written unless all are good, an error report."""

from __future__ import annotations

from openpyxl import load_workbook

from linli.core.models import AuditEntry
from linli.residents.importer import Importer
from linli.residents.models import Household, HouseholdMember, Occupancy, Person, PersonTag

from .conftest import new_id, person_row, workbook


def run_import(tmp_path, rows, community, actor=None, **options):
    path = tmp_path / "in.xlsx"
    path.write_bytes(workbook(rows))
    return Importer(path=str(path), community=community, actor=actor, report_path=str(tmp_path / "report.xlsx"),
                    **options).run()


def family(compound="阳光小区", building="1栋", entrance="1单元", house="101"):
    head, wife, son = new_id(), new_id(male=False), new_id()
    where = {"小区": compound, "楼栋": building, "单元": entrance, "房号": house}
    return [
        person_row("张三", head, 与户主关系="户主", 联系电话="13800138000", 人房关系="业主", 人员标签="独居老人", **where),
        person_row("李四", wife, 与户主关系="妻", 户主身份证号=head, **where),
        person_row("张小明", son, 与户主关系="子", 户主身份证号=head, 人房关系="居住人", **where),
    ]


def test_import_good_file_writes_persons_households_occupancies(tmp_path, world, houses, community_staff):
    result = run_import(tmp_path, family(), world.community, community_staff)
    assert result.ok, result.problems
    assert result.counts["persons_created"] == 3
    assert result.counts["households_created"] == 1
    assert result.counts["members_added"] == 2
    zhang = Person.objects.get(name="张三")
    assert zhang.name_initials == "zs"
    assert zhang.place_id == houses.house_a1.pk
    assert zhang.place_path == houses.house_a1.path
    assert zhang.phone_tail == "8000"
    household = Household.objects.get(head=zhang)
    assert sorted(HouseholdMember.objects.filter(household=household).values_list("relationship", flat=True)) == [
        "02", "12", "20"]
    assert Occupancy.objects.get(person=zhang).kind == "owner"
    assert PersonTag.objects.filter(person=zhang, tag__code="living_alone").exists()
    assert AuditEntry.objects.filter(action="residents.import").count() == 1


def test_import_bad_row_writes_nothing_and_names_row(tmp_path, world, houses, community_staff):
    rows = family()
    bad = new_id()
    rows.append(person_row("王五", bad[:-1] + ("0" if bad[-1] != "0" else "1"), 小区="阳光小区", 楼栋="1栋", 单元="1单元",
                           房号="101"))
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(5, "身份证号")]
    assert Person.objects.count() == 0
    report = load_workbook(result.report_path, read_only=True)
    data = list(report["人员信息"].iter_rows(values_only=True))
    assert data[0][-1] == "错误"
    assert "身份证号" in data[4][-1]
    assert data[1][-1] is None
