import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.core.masking import mask_id_number, mask_name, mask_phone, mask_text


def test_mask_id_number_keeps_only_the_last_2():
    assert mask_id_number("330102199001011234") == "****************34"
    assert mask_id_number("11010519491231002X") == "****************2X"


def test_mask_id_number_legacy_15_digits():
    assert mask_id_number("110105491231002") == "*************02"


def test_mask_id_number_short_value_is_all_stars():
    assert mask_id_number("1234") == "****"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""


def test_mask_phone_keeps_first_3_and_last_4():
    assert mask_phone("13812345678") == "138****5678"


def test_mask_phone_other_lengths_keep_last_4():
    assert mask_phone("0571-88886666") == "057******6666"
    assert mask_phone("88886666") == "****6666"
    assert mask_phone("110") == "***"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳锋", "欧阳*"),
        ("欧阳娜娜", "欧阳**"),
        ("司马", "司*"),
        ("诸葛孔明", "诸葛**"),
        ("王", "王"),
        ("John Smith", "J*** S****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_masks_keep_surrounding_space_and_length():
    assert mask_name(" 张三 ") == " 张* "
    assert mask_phone("13812345678 ") == "138****5678 "
    assert mask_id_number(" 330102199001011234") == " ****************34"


def test_mask_text_masks_ids_and_phones_inside_text():
    text = "居民张三，身份证11010519491231002X，电话13812345678，旧证110105491231002。"
    masked = mask_text(text)
    assert masked == "居民张三，身份证****************2X，电话138****5678，旧证*************02。"


def test_mask_text_masks_lower_case_x_and_separated_phones():
    assert mask_text("id 11010519491231002x") == "id ****************2x"
    assert mask_text("tel 138 1234 5678") == "tel 138 **** 5678"
    assert mask_text("tel 138-1234-5678.") == "tel 138-****-5678."
    assert mask_text("+86 13812345678") == "+86 138****5678"
    assert mask_text("+8613812345678") == "+86138****5678"


def test_mask_text_leaves_other_numbers_alone():
    text = "案件编号 202611210001，金额 12345678 元，订单 123456789012345678901"
    assert mask_text(text) == text


@given(st.text())
def test_mask_text_keeps_length(text):
    assert len(mask_text(text)) == len(text)


@given(st.from_regex(r"[0-9 ]{0,30}[0-9Xx]?", fullmatch=True))
def test_mask_text_keeps_length_on_digit_runs(text):
    assert len(mask_text(text)) == len(text)


@given(st.text())
def test_field_masks_keep_length(text):
    for mask in (mask_id_number, mask_phone, mask_name):
        assert len(mask(text)) == len(text)


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_mask_phone_hides_the_middle_digits(phone):
    assert mask_phone(phone)[3:7] == "****"
    assert mask_phone(phone)[:3] + mask_phone(phone)[7:] == phone[:3] + phone[7:]
