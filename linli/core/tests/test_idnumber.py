import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from linli.core.errors import Invalid
from linli.core.idnumber import check_char, is_valid_id_number, make_id_number, parse_id_number

# A copy of ../shared/reference/id_number_vectors.csv, so that the test runs without ../shared.
VECTORS = """id_number,valid,note
11010519491231002X,true,check character X; sequence 002 even -> female
320124198808240056,true,sequence 005 odd -> male
110108196711301866,false,check character should be 2
37070419881216001X,false,check character should be 2
12010X198901011234,false,non-digit in body
110105194902300020,false,check character right but impossible date 1949-02-30
"""
REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference" / "id_number_vectors.csv"


def _rows(text):
    return [(r["id_number"], r["valid"] == "true", r["note"]) for r in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize(("number", "valid", "note"), _rows(VECTORS))
def test_reference_vector_validates_as_expected(number, valid, note):
    assert is_valid_id_number(number) is valid, note


def test_vector_copy_equals_shared_reference():
    if not REFERENCE.is_file():
        pytest.skip("../shared/reference is not present in this checkout")
    assert _rows(REFERENCE.read_text(encoding="utf-8")) == _rows(VECTORS)


def test_parse_returns_birth_date_and_sex():
    female = parse_id_number("11010519491231002X")
    assert female.number == "11010519491231002X"
    assert female.birth_date == date(1949, 12, 31)
    assert female.sex_code == "2"
    assert female.area_code == "110105"
    male = parse_id_number("320124198808240056")
    assert male.birth_date == date(1988, 8, 24)
    assert male.sex_code == "1"


def test_parse_lower_case_x_is_normalised():
    assert parse_id_number("11010519491231002x").number == "11010519491231002X"


def test_parse_strips_spaces_and_full_width_digits():
    assert parse_id_number(" 110105 19491231 002X ").number == "11010519491231002X"
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"


def test_parse_upgrades_15_digit_legacy_number():
    parsed = parse_id_number("110105491231002")
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex_code == "2"


def test_parse_legacy_number_with_impossible_date_fails():
    with translation.override("en"), pytest.raises(Invalid, match="real date"):
        parse_id_number("110105490230002")


def test_parse_accepts_retired_address_code():
    # 110102 (西城区) absorbed 110104 (宣武区) in 2010: old IDs keep the retired code.
    number = make_id_number("110104", date(1960, 5, 1), 17)
    assert parse_id_number(number).area_code == "110104"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "18 characters"),
        ("1101051949123100", "18 characters"),
        ("11010519491231002X1", "18 characters"),
        ("12010X198901011234", "only contain digits"),
        ("11010519491231002Y", "only contain digits"),
        ("11010519490230002X", "not a real date"),
        ("110108196711301866", "Wrong check character"),
    ],
)
def test_parse_error_names_the_problem(value, message):
    with translation.override("en"), pytest.raises(Invalid, match=message) as info:
        parse_id_number(value)
    assert info.value.fields == {"id_number": [info.value.message]}


def test_parse_check_character_error_is_translated():
    with translation.override("zh-hans"), pytest.raises(Invalid) as info:
        parse_id_number("110108196711301866")
    assert "校验码错误" in str(info.value.message)


def test_parse_future_birth_date_fails():
    number = make_id_number("110105", date(2030, 1, 1), 10)
    with translation.override("en"), pytest.raises(Invalid, match="in the future"):
        parse_id_number(number, today=date(2026, 1, 1))
    assert parse_id_number(number, today=date(2030, 1, 1)).birth_date == date(2030, 1, 1)


def test_parse_birth_before_1900_fails():
    number = make_id_number("110105", date(1899, 12, 31), 10)
    with translation.override("en"), pytest.raises(Invalid, match="before 1900"):
        parse_id_number(number)


def test_make_id_number_sex_follows_sequence_parity():
    assert parse_id_number(make_id_number("330102", date(1990, 1, 2), 1)).sex_code == "1"
    assert parse_id_number(make_id_number("330102", date(1990, 1, 2), 2)).sex_code == "2"


def test_make_id_number_rejects_bad_parts():
    with pytest.raises(ValueError):
        make_id_number("3301", date(1990, 1, 2), 1)
    with pytest.raises(ValueError):
        make_id_number("330102", date(1990, 1, 2), 1000)


bodies = st.builds(
    lambda area, birth, seq: f"{area:06d}{birth:%Y%m%d}{seq:03d}",
    st.integers(100000, 999999),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(0, 999),
)


@given(bodies)
def test_computed_check_character_validates(body):
    number = body + check_char(body)
    assert parse_id_number(number, today=date(2026, 1, 1)).number == number


@given(bodies, st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_fails(body, position, delta):
    number = body + check_char(body)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not is_valid_id_number(changed)


@given(bodies, st.sampled_from("0123456789X"))
def test_any_other_check_character_fails(body, last):
    number = body + check_char(body)
    if last != number[-1]:
        assert not is_valid_id_number(body + last)
