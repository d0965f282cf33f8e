"""Registry import: every row checked, nothing written unless all are good, an error report."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from linli.core.models import AuditEntry
from linli.places.models import Place, PlaceKind
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
    assert zhang.phone[-4:] == "8000"
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


def problems(result):
    return [(p.row, p.column) for p in result.problems]


@pytest.mark.slow
def test_import_one_bad_row_among_thousands_changes_nothing(tmp_path, world, houses, community_staff):
    rows = []
    for i in range(3000):
        rows.append(person_row(f"居民{i}", new_id(), 与户主关系="户主", 小区="阳光小区", 楼栋="1栋", 单元="1单元",
                               房号="101"))
    rows[2400]["联系电话"] = "12345"  # row 2402 in Excel
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert not result.ok
    assert problems(result) == [(2402, "联系电话")]
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    rows[2400]["联系电话"] = "13800000000"
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert result.ok and Person.objects.count() == 3000 and Household.objects.count() == 3000


def test_import_error_path_is_idempotent(tmp_path, world, houses, community_staff):
    rows = family()
    rows[1]["与户主关系"] = "外星人"
    first = run_import(tmp_path, rows, world.community, community_staff)
    second = run_import(tmp_path, rows, world.community, community_staff)
    assert problems(first) == problems(second) == [(3, "与户主关系")]
    assert Person.objects.count() == 0 and Household.objects.count() == 0 and Place.objects.filter(
        kind=PlaceKind.HOUSE).count() == 3


def test_import_member_with_unknown_head(tmp_path, world, houses, community_staff):
    rows = family()
    rows[2]["户主身份证号"] = new_id()
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert problems(result) == [(4, "户主身份证号")]


def test_import_head_with_another_head_is_two_heads(tmp_path, world, houses, community_staff):
    rows = family()
    rows[1]["与户主关系"] = "户主"  # 李四 claims to head 张三's household
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert problems(result) == [(3, "户主身份证号")]
    assert "两个户主" in result.problems[0].message or "two heads" in result.problems[0].message


def test_import_member_pointing_at_a_non_head_row(tmp_path, world, houses, community_staff):
    rows = family()
    rows[2]["户主身份证号"] = rows[1]["身份证号"]  # the son names his mother, who is not a head
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert problems(result) == [(4, "户主身份证号")]


def test_import_member_before_head_and_head_in_registry(tmp_path, world, houses, people, community_staff):
    from linli.residents.actions import household_create

    household = household_create(head=people.li, house=people.li.place, actor=None)
    rows = family()
    rows.reverse()  # members first, the head last
    rows.append(person_row("李小", new_id(), 与户主关系="子", 户主身份证号=people.li.id_number, 小区="阳光小区", 楼栋="1栋",
                           单元="1单元", 房号="102"))
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert result.ok, result.problems
    zhang_household = Household.objects.get(head__name="张三")
    assert HouseholdMember.objects.filter(household=zhang_household).count() == 3
    assert HouseholdMember.objects.get(person__name="李小").household_id == household.pk


def test_import_head_in_registry_outside_scope_not_found(tmp_path, world, houses, people, grid_worker_a):
    from linli.residents.actions import household_create

    household_create(head=people.wang, house=people.wang.place, actor=None)  # grid B
    rows = [person_row("王小", new_id(), 与户主关系="子", 户主身份证号=people.wang.id_number, 小区="阳光小区", 楼栋="1栋",
                       单元="1单元", 房号="101")]
    result = run_import(tmp_path, rows, world.community, grid_worker_a)
    assert problems(result) == [(2, "户主身份证号")]


def test_import_same_person_twice_in_file(tmp_path, world, houses, community_staff):
    rows = family()
    rows.append(dict(rows[1]))
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert problems(result) == [(5, "身份证号")]
    assert "3" in result.problems[0].message


def test_import_already_registered_is_a_problem_unless_update(tmp_path, world, houses, people, community_staff):
    rows = [person_row("张三", people.zhang.id_number, 联系电话="13811112222", 小区="阳光小区", 楼栋="1栋", 单元="1单元",
                       房号="102", 人员标签="外出务工")]
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert problems(result) == [(2, "身份证号")]
    result = run_import(tmp_path, rows, world.community, community_staff, update_existing=True)
    assert result.ok, result.problems
    assert result.counts["persons_updated"] == 1 and result.counts["persons_created"] == 0
    zhang = Person.objects.get(pk=people.zhang.pk)
    assert zhang.phone == "13811112222" and zhang.place_id == houses.house_a2.pk
    assert Occupancy.objects.filter(person=zhang).count() == 2  # the old link ended, kept
    assert PersonTag.objects.filter(person=zhang, tag__code="migrant_away").exists()


def test_import_registered_in_other_grid_is_a_problem_even_with_update(tmp_path, world, houses, people, grid_worker_a):
    rows = [person_row("王五", people.wang.id_number, 小区="阳光小区", 楼栋="1栋", 单元="1单元", 房号="101")]
    result = run_import(tmp_path, rows, world.community, grid_worker_a, update_existing=True)
    assert problems(result) == [(2, "身份证号")]


def test_import_missing_house_problem_or_created(tmp_path, world, houses, community_staff):
    rows = [person_row("新住户", new_id(), 小区="阳光小区", 楼栋="3号楼", 单元="2单元", 房号="301")]
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert problems(result) == [(2, "楼栋")]
    result = run_import(tmp_path, rows, world.community, community_staff, create_houses=True)
    assert result.ok and result.counts["houses_created"] == 3
    house = Place.objects.get(kind=PlaceKind.HOUSE, name="301")
    assert house.parent.name == "2单元" and house.parent.parent.name == "3号楼"
    assert house.parent.parent.parent_id == houses.compound_a.pk
    assert Person.objects.get(name="新住户").place_id == house.pk


def test_import_building_names_match_loosely(tmp_path, world, houses, community_staff):
    rows = [person_row("甲", new_id(), 小区="阳光小区", 楼栋="1号楼", 单元="1", 房号="101室")]
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert result.ok and Person.objects.get(name="甲").place_id == houses.house_a1.pk


def test_import_create_houses_needs_places_change(tmp_path, world, houses, grid_worker_a):
    rows = [person_row("新住户", new_id(), 小区="阳光小区", 楼栋="9栋", 房号="901")]
    result = run_import(tmp_path, rows, world.community, grid_worker_a, create_houses=True)
    assert problems(result) == [(0, "")]
    assert not Place.objects.filter(name="9栋").exists()


def test_import_house_in_other_grid_outside_scope(tmp_path, world, houses, grid_worker_a):
    rows = [person_row("越界", new_id(), 小区="幸福里", 楼栋="2号楼", 房号="201")]
    result = run_import(tmp_path, rows, world.community, grid_worker_a)
    assert problems(result) == [(2, "小区")]


def test_import_codes_as_names_or_codes_and_bad_values(tmp_path, world, houses, community_staff):
    ok = person_row("甲", new_id(), 民族="01", 政治面貌="中共党员", 性别="男")
    bad = person_row("乙", new_id(male=False), 民族="火星族", 政治面貌="13", 性别="男", 人房关系="房客")
    result = run_import(tmp_path, [ok, bad], world.community, community_staff)
    assert problems(result) == [(3, "性别"), (3, "民族"), (3, "人房关系")]


def test_import_numeric_id_cell_explains_text_format(tmp_path, world, houses, community_staff):
    number = new_id()
    while number.endswith("X"):
        number = new_id()
    rows = [person_row("甲", float(number))]
    result = run_import(tmp_path, rows, world.community, community_staff)
    assert problems(result) == [(2, "身份证号")]
    assert "文本" in result.problems[0].message
    assert not Person.objects.filter(name="甲").exists()


def test_import_numeric_id_cell_is_refused_even_when_its_digits_survived(tmp_path, world, houses, community_staff):
    # A float keeps some 18-digit numbers exactly, Excel keeps 15 digits: a number cell is never trusted.
    number = next(n for n in (new_id() for _ in range(10_000)) if not n.endswith("X") and int(float(n)) == int(n))
    result = run_import(tmp_path, [person_row("乙", float(number))], world.community, community_staff)
    assert problems(result) == [(2, "身份证号")]
    assert not Person.objects.filter(name="乙").exists()


def test_import_without_address_registers_at_community(tmp_path, world, community_staff):
    result = run_import(tmp_path, [person_row("无房", new_id())], world.community, community_staff)
    assert result.ok
    assert Person.objects.get(name="无房").place_id == world.community.pk


def test_import_missing_required_headers(tmp_path, world, community_staff):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook([{"姓名": "甲"}], headers=("姓名", "电话")))
    result = Importer(path=str(path), community=world.community, actor=community_staff).run()
    assert not result.ok and result.problems[0].row == 0 and "身份证号" in result.problems[0].message


def test_import_not_a_workbook(tmp_path, world, community_staff):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip")
    result = Importer(path=str(path), community=world.community, actor=community_staff).run()
    assert not result.ok and result.problems[0].row == 0


def test_import_report_lists_every_problem(tmp_path, world, houses, community_staff):
    rows = family()
    rows[0]["联系电话"] = "1"
    rows[2]["民族"] = "x"
    result = run_import(tmp_path, rows, world.community, community_staff)
    listed = list(load_workbook(result.report_path, read_only=True)["问题清单"].iter_rows(values_only=True))
    assert listed[1:] == [(2, "联系电话", result.problems[0].message), (4, "民族", result.problems[1].message)]


def test_command_prints_problems_and_exits_nonzero(tmp_path, world, houses):
    from django.core.management import call_command

    rows = family()
    rows[1]["身份证号"] = "123"
    path = tmp_path / "in.xlsx"
    path.write_bytes(workbook(rows))
    import io

    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_residents", str(path), "--community", world.community.code, stdout=out, stderr=io.StringIO())
    assert exc.value.code == 1
    assert "row 3\t身份证号" in out.getvalue()
    assert Person.objects.count() == 0


def test_command_imports_and_prints_counts(tmp_path, world, houses):
    from django.core.management import call_command

    path = tmp_path / "in.xlsx"
    path.write_bytes(workbook(family(house="909")))
    import io

    out = io.StringIO()
    call_command("import_residents", str(path), "--community", "测试一社区", "--create-houses", stdout=out)
    assert "persons_created: 3" in out.getvalue() and "houses_created: 1" in out.getvalue()
    assert AuditEntry.objects.get(action="residents.import").actor_name == "console"


def test_import_house_index_forgets_buildings_and_still_finds_houses(tmp_path, world, houses, community_staff,
                                                                     monkeypatch):
    from linli.residents.houses import HouseIndex

    monkeypatch.setattr(HouseIndex, "HOUSE_PARENTS", 1)
    rows = []
    for i in range(6):
        building = "1栋" if i % 2 == 0 else "5栋"
        rows.append(person_row(f"轮换{i}", new_id(), 小区="阳光小区", 楼栋=building, 单元="1单元", 房号=f"{100 + i % 3}"))
    result = run_import(tmp_path, rows, world.community, community_staff, create_houses=True)
    assert result.ok, result.problems
    assert Place.objects.filter(kind=PlaceKind.HOUSE, parent__parent__name="5栋").count() == 3
    assert Place.objects.filter(kind=PlaceKind.HOUSE, parent=houses.entrance_a).count() == 3  # 101, 102 + 100
    assert len({p.place_id for p in Person.objects.filter(name__startswith="轮换")}) == 6
