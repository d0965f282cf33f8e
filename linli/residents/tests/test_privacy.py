"""Masking that cannot be undone by other means: the edit form, full-number searches (rate-limited and
audited), tail searches, the grid worker's phone reveal, and what the database holds in clear."""

from __future__ import annotations

import pytest
from django.db import connection

from linli.core.models import AuditEntry, RateHit
from linli.residents.models import Person

from .conftest import login


def test_edit_form_shows_masks_and_keeps_the_stored_numbers(client, people, grid_worker_a):
    zhang = people.zhang
    login(client, grid_worker_a)
    page = client.get(f"/registry/persons/{zhang.pk}/edit/").content.decode()
    assert zhang.id_number not in page and "13812345678" not in page
    assert "138****5678" in page and "*" * 16 + zhang.id_number[-2:] in page
    form = {"name": "张三丰", "id_number": "*" * 16 + zhang.id_number[-2:], "phone": "138****5678",
            "ethnicity": "", "political_status": "", "registered_address": "", "current_address": "", "notes": ""}
    response = client.post(f"/registry/persons/{zhang.pk}/edit/", form)
    assert response.status_code == 302
    after = Person.objects.get(pk=zhang.pk)
    assert (after.name, after.id_number, after.phone) == ("张三丰", zhang.id_number, "13812345678")
    assert not AuditEntry.objects.filter(action="pii.unmask").exists()


def test_edit_form_takes_a_newly_typed_phone(client, people, grid_worker_a):
    zhang = people.zhang
    login(client, grid_worker_a)
    form = {"name": "张三", "id_number": "*" * 16 + zhang.id_number[-2:], "phone": "13900008888",
            "ethnicity": "", "political_status": "", "registered_address": "", "current_address": "", "notes": ""}
    assert client.post(f"/registry/persons/{zhang.pk}/edit/", form).status_code == 302
    assert Person.objects.get(pk=zhang.pk).phone == "13900008888"


def test_full_number_searches_are_limited_per_user_and_audited(client, people, grid_worker_a, grid_worker_b, settings):
    settings.LINLI_NUMBER_SEARCH_PER_HOUR = 3
    login(client, grid_worker_a)
    numbers = ["13812345678", "13800000001", people.zhang.id_number, "13800000002"]
    answers = [client.get("/api/v1/residents/persons", {"q": n}) for n in numbers]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].json()["items"][0]["name"] == "张三"
    assert answers[3].json()["code"] == "throttled"
    page = client.get("/registry/", {"q": "13812345678"}).content.decode()
    assert 'data-testid="throttled"' in page and "张三" not in page
    # names and tails are not full-number searches
    assert client.get("/api/v1/residents/persons", {"q": "张三"}).status_code == 200
    assert client.get("/api/v1/residents/persons", {"q": "5678"}).status_code == 200
    entries = AuditEntry.objects.filter(action="residents.number_search", actor=grid_worker_a)
    assert [e.result for e in entries.order_by("id")] == ["ok", "ok", "ok", "denied", "denied"]
    assert all(n not in str(e.detail) for e in entries for n in numbers)
    assert RateHit.objects.count() == 3 and all("1380" not in h.key for h in RateHit.objects.all())
    # another user has their own count
    client.logout()
    login(client, grid_worker_b)
    assert client.get("/api/v1/residents/persons", {"q": "13812345678"}).status_code == 200


def test_registering_a_known_id_number_counts_as_a_number_search(client, people, grid_worker_a, houses, settings):
    from linli.core.errors import Refused, Throttled
    from linli.residents import actions

    settings.LINLI_NUMBER_SEARCH_PER_HOUR = 1
    with pytest.raises(Refused):
        actions.person_create(actor=grid_worker_a, place=houses.house_a2, name="冒名", id_number=people.zhang.id_number)
    with pytest.raises(Throttled):
        actions.person_create(actor=grid_worker_a, place=houses.house_a2, name="冒名", id_number=people.zhang.id_number)


def test_id_tail_search_only_for_users_who_may_unmask(people, grid_worker_a, community_staff):
    from linli.residents.selectors import PersonFilters, person_search

    tail = people.zhang.id_number[-4:]
    assert "张三" in [p.name for p in person_search(community_staff, tail, PersonFilters())]
    assert "张三" not in [p.name for p in person_search(grid_worker_a, tail, PersonFilters())]
    assert "张三" in [p.name for p in person_search(grid_worker_a, "5678", PersonFilters())]  # phone tail


def test_grid_worker_reveals_the_phone_of_their_grid_only(client, people, grid_worker_a):
    login(client, grid_worker_a)
    page = client.get(f"/registry/persons/{people.zhang.pk}/").content.decode()
    assert 'data-testid="reveal-phone"' in page and 'data-testid="reveal-id_number"' not in page
    response = client.post(f"/registry/persons/{people.zhang.pk}/reveal/phone/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    entry = AuditEntry.objects.get(action="pii.unmask", result="ok")
    assert entry.actor_id == grid_worker_a.pk and entry.detail["perm"] == "registry.reveal_phone"
    assert client.post(f"/registry/persons/{people.zhang.pk}/reveal/id_number/").status_code == 403
    assert client.post(f"/registry/persons/{people.wang.pk}/reveal/phone/").status_code == 404  # grid B
    api = client.post(f"/api/v1/residents/persons/{people.zhang.pk}/reveal", {"field": "phone"},
                      content_type="application/json")
    assert api.status_code == 200 and api.json()["value"] == "13812345678"


def test_the_database_holds_no_digit_of_the_numbers_in_clear(people):
    zhang = people.zhang
    birth = zhang.id_number[6:14]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM residents_person WHERE id = %s", [zhang.pk])
        row = cursor.fetchone()
    text = " ".join(str(v) for v in row)
    assert zhang.id_number not in text and zhang.phone not in text
    assert f"{birth[:4]}-{birth[4:6]}-{birth[6:]}" not in text  # the day of birth
    assert not any(str(v) in (zhang.id_number[-4:], zhang.phone[-4:]) for v in row)
    assert f"{birth[:4]}-{birth[4:6]}-01" in text  # the month of birth, for the age groups
