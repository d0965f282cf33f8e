import csv
from pathlib import Path

import pytest
from django.conf import settings

from linli.core.codes import ETHNICITY, POLITICAL_STATUS, RELATIONSHIP, SEX, UnknownCode
from linli.core.errors import Invalid

REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference"

TABLES = [
    (SEX, "gbt2261_1_sex.csv"),
    (ETHNICITY, "gbt3304_ethnicity.csv"),
    (POLITICAL_STATUS, "gbt4762_political_status.csv"),
    (RELATIONSHIP, "gbt4761_family_relationship.csv"),
]


@pytest.mark.parametrize(("table", "filename"), TABLES, ids=[f for _t, f in TABLES])
def test_code_table_equals_shared_reference(table, filename):
    path = REFERENCE / filename
    if not path.is_file():
        pytest.skip("../shared/reference is not present in this checkout")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert table.choices == [(r["code"], r["name"]) for r in rows]


def test_ethnicity_has_56_groups_and_the_two_extra_codes():
    assert len(ETHNICITY) == 58
    assert ETHNICITY.name_of("01") == "汉族"
    assert ETHNICITY.name_of("56") == "基诺族"
    assert ETHNICITY.name_of("97") == "其他"
    assert ETHNICITY.name_of("98") == "外国血统中国籍人士"


@pytest.mark.parametrize(
    ("table", "value", "code"),
    [
        (SEX, "1", "1"),
        (SEX, "01", "1"),
        (SEX, 2, "2"),
        (SEX, "0", "0"),
        (SEX, "男", "1"),
        (SEX, "女", "2"),
        (SEX, "男性", "1"),
        (SEX, " 女性 ", "2"),
        (ETHNICITY, "01", "01"),
        (ETHNICITY, "1", "01"),
        (ETHNICITY, 1, "01"),
        (ETHNICITY, "０１", "01"),
        (ETHNICITY, "汉族", "01"),
        (ETHNICITY, "汉", "01"),
        (ETHNICITY, "蒙古", "02"),
        (ETHNICITY, "维吾尔族", "05"),
        (ETHNICITY, "HA", "01"),
        (ETHNICITY, "ha", "01"),
        (ETHNICITY, "其他", "97"),
        (ETHNICITY, "外国血统中国籍人士", "98"),
        (POLITICAL_STATUS, "群众", "13"),
        (POLITICAL_STATUS, "13", "13"),
        (POLITICAL_STATUS, "中共党员", "01"),
        (POLITICAL_STATUS, "党员", "01"),
        (POLITICAL_STATUS, "预备党员", "02"),
        (POLITICAL_STATUS, "团员", "03"),
        (POLITICAL_STATUS, "共青团员", "03"),
        (POLITICAL_STATUS, "无党派人士", "12"),
        (POLITICAL_STATUS, "九三学社社员", "10"),
        (RELATIONSHIP, "户主", "02"),
        (RELATIONSHIP, "本人", "01"),
        (RELATIONSHIP, "妻", "12"),
        (RELATIONSHIP, "妻子", "12"),
        (RELATIONSHIP, "儿子", "20"),
        (RELATIONSHIP, "女儿", "30"),
        (RELATIONSHIP, "非亲属", "99"),
        (RELATIONSHIP, "99", "99"),
    ],
)
def test_code_of_accepts_codes_names_and_short_forms(table, value, code):
    assert table.code_of(value) == code


@pytest.mark.parametrize(
    ("table", "value"),
    [
        (SEX, "3"),
        (SEX, "男女"),
        (SEX, ""),
        (ETHNICITY, "57"),
        (ETHNICITY, "火星族"),
        (ETHNICITY, "族"),
        (POLITICAL_STATUS, "14"),
        (POLITICAL_STATUS, "党"),
        (RELATIONSHIP, "03"),
        (RELATIONSHIP, "邻居"),
    ],
)
def test_code_of_unknown_value_raises_invalid(table, value):
    with pytest.raises(UnknownCode) as info:
        table.code_of(value)
    assert isinstance(info.value, Invalid)
    assert info.value.as_dict()["code"] == "unknown_code"
    assert str(value) in info.value.as_dict()["message"]


def test_name_of_unknown_code_raises_invalid():
    with pytest.raises(Invalid):
        SEX.name_of("5")


def test_every_name_maps_back_to_its_code():
    for table, _filename in TABLES:
        for code, name in table.choices:
            assert table.code_of(name) == code
            assert table.code_of(code) == code
            assert table.name_of(code) == name
            assert code in table


def test_choices_fit_a_model_field():
    from django.db import models

    field = models.CharField(max_length=2, choices=ETHNICITY.choices)
    field.clean("01", None)
    with pytest.raises(Exception, match="01x|valid choice"):
        field.clean("01x", None)
