"""Citizen ID numbers (公民身份号码, GB 11643-1999).

18 characters: a 6-digit address code, the 8-digit date of birth, a 3-digit sequence (odd for men,
even for women) and a check character (ISO 7064 MOD 11-2: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
over the first 17 digits, sum mod 11 indexes ``10X98765432``). Legacy 15-digit numbers (two-digit
year, no check character) are upgraded to 18. Retired address codes are accepted: old IDs keep them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Invalid

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex_code: str  # GB/T 2261.1: "1" male, "2" female

    @property
    def area_code(self) -> str:
        return self.number[:6]

    def __str__(self) -> str:
        return self.number


class InvalidIdNumber(Invalid):
    code = "invalid_id_number"


def check_char(body: str) -> str:
    """The check character for the first 17 digits."""
    if len(body) != 17 or not (body.isascii() and body.isdigit()):
        raise ValueError("the body of an ID number is 17 digits")
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def _fail(message: str, field: str) -> InvalidIdNumber:
    return InvalidIdNumber(message, fields={field: [message]} if field else None)


def parse_id_number(value: str, *, field: str = "id_number", today: date | None = None) -> IdNumber:
    """Validate and normalise an ID number (upper-case X; 15 digits upgraded to 18).

    Raises ``InvalidIdNumber`` (an ``Invalid``, 422) naming the problem; the error's ``fields`` holds
    the message under ``field``.
    """
    text = "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()
    if len(text) == 15:
        if not (text.isascii() and text.isdigit()):
            raise _fail(_("An ID number may only contain digits and a final X."), field)
        body = text[:6] + "19" + text[6:]
        text = body + check_char(body)
    if len(text) != 18:
        raise _fail(_("An ID number has 18 characters (or 15 for the old format)."), field)
    body, last = text[:17], text[17]
    if not (body.isascii() and body.isdigit()) or last not in "0123456789X":
        raise _fail(_("An ID number may only contain digits and a final X."), field)
    try:
        birth = date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise _fail(_("The date of birth in the ID number is not a real date."), field) from None
    if birth > (today or timezone.localdate()):
        raise _fail(_("The date of birth in the ID number is in the future."), field)
    if birth < EARLIEST_BIRTH:
        raise _fail(_("The date of birth in the ID number is before 1900."), field)
    if check_char(body) != last:
        raise _fail(_("Wrong check character"), field)
    return IdNumber(number=text, birth_date=birth, sex_code="1" if int(body[16]) % 2 else "2")


def is_valid_id_number(value: str) -> bool:
    try:
        parse_id_number(value)
    except Invalid:
        return False
    return True


def make_id_number(area: str, birth: date, seq: int) -> str:
    """A valid ID number for demo and test data: ``seq`` (0-999) is odd for a man, even for a woman."""
    if len(area) != 6 or not area.isdigit():
        raise ValueError("the address code is 6 digits")
    if not 0 <= seq <= 999:
        raise ValueError("the sequence is 0-999")
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + check_char(body)
