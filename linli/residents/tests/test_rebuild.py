"""For every role without ``registry.unmask``: gather everything the API, the pages and the exports show
of one person, and fail if the ID number or the phone can be rebuilt from it.

The attacker is given the most a grid worker could know besides: the district code of the ID number
(the first six digits, from the place table) and the sex. From what is shown they learn the age (a window
of about a year of birth dates), the exact date of birth wherever it appears in any common format, and
every character a masked number shows. The test counts the ID numbers consistent with all of it (valid
check digit included) and requires at least ``MIN_CANDIDATES``: each candidate costs a full-number
search, which is rate-limited (``LINLI_NUMBER_SEARCH_PER_DAY``) and audited.
"""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from openpyxl import load_workbook

from linli.accounts.roles import ADMIN_ROLES, DEPARTMENT_ROLES, ROLE_PERMISSIONS, WIDE_ROLES
from linli.core.idnumber import check_char, make_id_number
from linli.core.testing.personas import make_user
from linli.residents import actions
from linli.residents.models import Person
from linli.residents.tests.conftest import new_id

MIN_CANDIDATES = 1000
PHONE = "13812345678"
BIRTH = datetime.date(1949, 12, 31)
ROLES_WITHOUT_UNMASK = sorted(r for r, perms in ROLE_PERMISSIONS.items()
                              if "registry.unmask" not in perms and r not in WIDE_ROLES)


def _user_for(role: str, world):
    if role in ADMIN_ROLES:
        return make_user(f"u_{role}", role)
    if role in DEPARTMENT_ROLES:
        return make_user(f"u_{role}", role, department=world.department)
    return make_user(f"u_{role}", role, place=world.grid_a)


@pytest.fixture
def subject(houses):
    """张秀英, born on BIRTH exactly (new_id drifts the date as a run grows), living alone in grid A, in a household with her son, tagged."""
    person = actions.person_create(actor=None, place=houses.house_a1, name="张秀英",
                                   id_number=make_id_number("330102", BIRTH, 748), phone=PHONE, notes="独居")
    son = actions.person_create(actor=None, place=houses.house_a1, name="李建国", id_number=new_id(male=True))
    household = actions.household_create(head=person, actor=None, house=houses.house_a1)
    actions.household_add_member(household=household, person=son, relationship="20", actor=None)
    return Person.objects.get(pk=person.pk), household


def _gather(client, person, household) -> list[str]:
    """Everything shown of the person: JSON of the API, HTML of the pages, the cells of the exports."""
    texts = []
    gets = [
        "/api/v1/residents/persons?q=张秀英", f"/api/v1/residents/persons?q={PHONE[-4:]}",
        f"/api/v1/residents/persons/{person.pk}", f"/api/v1/residents/households/{household.pk}",
        "/api/v1/residents/households?q=张秀英", "/api/v1/residents/persons?tag=elderly_60",
        "/registry/?q=张秀英", f"/registry/?q={PHONE[-4:]}", f"/registry/persons/{person.pk}/",
        f"/registry/persons/{person.pk}/edit/", f"/registry/households/{household.pk}/",
        "/api/v1/me", "/", "/party/members/", "/points/",
    ]
    for url in gets:
        response = client.get(url)
        if response.status_code == 200 and not getattr(response, "streaming", False):
            texts.append(response.content.decode())
    for url in ("/registry/export.xlsx?q=张秀英", "/registry/export.xlsx?q=张秀英&full=1"):
        response = client.get(url)
        if response.status_code == 200:
            sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
            texts.append(json.dumps([list(map(str, r)) for r in sheet.iter_rows(values_only=True)],
                                    ensure_ascii=False))
    return texts


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _date_shown(text: str, day: datetime.date) -> bool:
    forms = [day.isoformat(), day.strftime("%Y%m%d"), day.strftime("%Y/%m/%d"), f"{day.year}年{day.month}月{day.day}日",
             day.strftime("%Y年%m月%d日"), day.strftime("%Y.%m.%d")]
    return any(f in text for f in forms)


def id_candidates(texts: list[str], true_id: str, today: datetime.date) -> int:
    """How many valid ID numbers agree with what the texts show (the district code and sex given)."""
    text = "\n".join(texts)
    if true_id in text or true_id.lower() in text:
        return 1
    known: dict[int, str] = {}
    for token in re.findall(r"(?<![0-9A-Za-z*])[0-9Xx*]{18}(?![0-9A-Za-z*])", text):
        if "*" in token and all(ch == "*" or ch.upper() == true_id[i] for i, ch in enumerate(token)):
            known.update({i: ch.upper() for i, ch in enumerate(token) if ch != "*"})
    birth = datetime.date(int(true_id[6:10]), int(true_id[10:12]), int(true_id[12:14]))
    if _date_shown(text, birth):
        days = [birth]
    else:  # the age: born after (age+1) years before today, on or before age years before today
        age = Person(id_number=true_id).age_on(today) or 0
        start = _years_before(today, age + 1) + datetime.timedelta(days=1)
        days = [start + datetime.timedelta(days=i) for i in range(367)]
        days = [d for d in days if d <= _years_before(today, age)]
    female = int(true_id[16]) % 2 == 0
    count = 0
    for day in days:
        stem = true_id[:6] + day.strftime("%Y%m%d")
        if any(stem[i] != known[i] for i in range(14) if i in known):
            continue
        for seq in range(1000):
            body = stem + f"{seq:03d}"
            if (seq % 2 == 0) != female or any(body[i] != known[i] for i in range(14, 17) if i in known):
                continue
            if 17 in known and check_char(body) != known[17]:
                continue
            count += 1
    return count


def phone_hidden_digits(texts: list[str], phone: str) -> int:
    text = "\n".join(texts)
    spaced = [phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"]
    if any(s in text for s in spaced):
        return 0
    hidden = set(range(11))
    for token in re.findall(r"(?<![0-9*])[0-9*]{11}(?![0-9*])", text):
        if "*" in token and all(ch == "*" or ch == phone[i] for i, ch in enumerate(token)):
            hidden -= {i for i, ch in enumerate(token) if ch != "*"}
    return len(hidden)


@pytest.mark.parametrize("role", ROLES_WITHOUT_UNMASK)
def test_nothing_shown_rebuilds_the_id_number_or_phone(role, world, subject, client):
    person, household = subject
    user = _user_for(role, world)
    client.force_login(user)
    texts = _gather(client, person, household)
    today = datetime.date.today()
    candidates = id_candidates(texts, person.id_number, today)
    assert candidates >= MIN_CANDIDATES, f"{role}: {candidates} ID numbers fit what is shown"
    assert phone_hidden_digits(texts, PHONE) >= 4, f"{role}: the phone shows too much"


def test_the_gathering_sees_the_person_for_a_grid_worker(world, subject, client):
    """The test is not vacuous: a grid worker of the grid does get pages and exports of the person."""
    person, household = subject
    client.force_login(_user_for("grid_worker", world))
    texts = _gather(client, person, household)
    joined = "\n".join(texts)
    assert joined.count("张秀英") >= 8 and "138****5678" in joined
    assert "*" * 16 + person.id_number[-2:] in joined
    assert id_candidates(texts, person.id_number, datetime.date.today()) >= MIN_CANDIDATES


def test_the_old_mask_with_the_birth_date_would_fail(world, subject):
    """What the test counts when a page shows the first six and last four digits and the birth date."""
    person, _ = subject
    n = person.id_number
    shown = [f"{n[:6]}********{n[-4:]}", BIRTH.isoformat()]
    assert id_candidates(shown, n, datetime.date.today()) == 1
    shown_age_only = [f"{n[:6]}********{n[-4:]}"]
    assert id_candidates(shown_age_only, n, datetime.date.today()) < 100


def test_a_holder_of_unmask_sees_the_date_of_birth(world, subject, client, community_staff):
    person, household = subject
    client.force_login(community_staff)
    page = client.get(f"/registry/persons/{person.pk}/").content.decode()
    assert BIRTH.isoformat() in page
