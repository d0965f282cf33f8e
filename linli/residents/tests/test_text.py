"""Invariants of the registry's keys: ID numbers pack into integers and back; pinyin keys are plain
lower-case ASCII; phone tails are the last four digits."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from linli.core.idnumber import make_id_number
from linli.residents.importer import _key_to_number, canon, id_key
from linli.residents.text import name_keys, normalise_phone, phone_tail

dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31))


@given(area=st.integers(100000, 999999), birth=dates, seq=st.integers(0, 999))
def test_id_key_round_trip_and_fits_in_64_bits(area, birth, seq):
    number = make_id_number(str(area), birth, seq)
    key = id_key(number)
    assert 0 < key < 2**63
    assert _key_to_number(key) == number


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=6))
def test_name_keys_are_lower_ascii_and_initials_prefix_of_letters(name):
    initials, full = name_keys(name)
    assert initials.isascii() and full.isascii()
    assert initials == initials.lower() and full == full.lower()
    assert len(initials) <= len(full)
    assert full.startswith(initials[:1])


@given(st.integers(3, 9), st.integers(0, 10**9 - 1))
def test_mobile_normalised_and_tail(second, rest):
    number = f"1{second}{rest:09d}"
    assert normalise_phone(f"+86 {number[:3]} {number[3:7]} {number[7:]}") == number
    assert phone_tail(number) == number[-4:]


def test_canon_building_names():
    assert canon("building", "3栋") == canon("building", "3号楼") == canon("building", "3") == "3"
    assert canon("entrance", "2单元") == "2"
    assert canon("house", "101室") == "101"
