"""Moving out, death and moving in are actions that end rows with dates and keep history."""

from __future__ import annotations

import datetime

import pytest

from linli.core.errors import NotFound, PermissionDenied, Refused
from linli.core.models import AuditEntry
from linli.residents.actions import (
    household_add_member,
    household_create,
    person_create,
    person_move_in,
    person_move_out,
    person_record_death,
    person_update,
)
from linli.residents.models import Household, HouseholdMember, Occupancy, Person, PersonTag

D1 = datetime.date(2026, 3, 1)
D2 = datetime.date(2026, 4, 15)


def test_move_out_ends_occupancy_membership_tags_and_keeps_rows(people, community_staff):
    household = household_create(head=people.li, house=people.li.place, actor=community_staff, on=D1)
    household_add_member(household=household, person=people.old, relationship="51", actor=community_staff, on=D1)
    person_move_out(person=people.old, actor=community_staff, on=D2, destination="上海")
    old = Person.objects.get(pk=people.old.pk)
    assert old.status == "moved_out" and old.moved_out_on == D2
    assert old.place_path == people.old.place_path  # the grid keeps the history
    occupancy = Occupancy.objects.get(person=old)
    assert occupancy.end_date == D2 and occupancy.end_reason == "moved_out"
    member = HouseholdMember.objects.get(person=old)
    assert member.end_date == D2 and member.start_date == D1
    assert Household.objects.get(pk=household.pk).status == "active"
    assert AuditEntry.objects.filter(action="residents.person_move_out", target_id=str(old.pk)).exists()


def test_move_out_ends_tags_with_date(people, community_staff):
    person_move_out(person=people.zhang, actor=community_staff, on=D2)
    assert PersonTag.objects.filter(person=people.zhang).count() == 2
    assert set(PersonTag.objects.filter(person=people.zhang).values_list("valid_to", flat=True)) == {D2}


def test_head_moves_out_household_keeps_members_without_head(people, community_staff):
    household = household_create(head=people.li, house=people.li.place, actor=community_staff)
    household_add_member(household=household, person=people.old, relationship="51", actor=community_staff)
    person_move_out(person=people.li, actor=community_staff, on=D2)
    household.refresh_from_db()
    assert household.head_id is None and household.status == "active"
    assert HouseholdMember.objects.filter(household=household, end_date__isnull=True).count() == 1


def test_last_member_leaving_dissolves_household(people, community_staff):
    household = household_create(head=people.li, house=people.li.place, actor=community_staff)
    person_record_death(person=people.li, actor=community_staff, on=D2)
    household.refresh_from_db()
    assert household.status == "dissolved" and household.dissolved_on == D2


def test_record_death_keeps_record(people, community_staff):
    person_record_death(person=people.zhang, actor=community_staff, on=D2)
    zhang = Person.objects.get(pk=people.zhang.pk)
    assert zhang.status == "deceased" and zhang.died_on == D2
    assert Occupancy.objects.get(person=zhang).end_date == D2
    with pytest.raises(Refused):
        person_record_death(person=zhang, actor=community_staff)
    with pytest.raises(Refused):
        person_move_in(person=zhang, place=people.li.place, actor=community_staff)


def test_move_to_another_house_ends_old_occupancy(people, houses, community_staff):
    person_move_in(person=people.zhang, place=houses.house_a2, actor=community_staff, kind="tenant", on=D2)
    rows = list(Occupancy.objects.filter(person=people.zhang).order_by("id").values_list("house_id", "end_date",
                                                                                         "kind"))
    assert rows == [(houses.house_a1.pk, D2, "resident"), (houses.house_a2.pk, None, "tenant")]
    zhang = Person.objects.get(pk=people.zhang.pk)
    assert zhang.place_id == houses.house_a2.pk and "102" in zhang.current_address


def test_move_in_again_after_moving_out_keeps_history(people, houses, community_staff):
    person_move_out(person=people.li, actor=community_staff, on=D1)
    person_move_in(person=people.li, place=houses.house_a1, actor=community_staff, on=D2)
    li = Person.objects.get(pk=people.li.pk)
    assert li.status == "active" and li.moved_in_on == D2 and li.moved_out_on is None
    assert Occupancy.objects.filter(person=li).count() == 2


def test_grid_worker_moves_someone_to_another_grid_loses_sight(people, houses, grid_worker_a, community_staff):
    person_move_in(person=people.li, place=houses.house_b1, actor=community_staff)
    assert not Person.objects.visible_to(grid_worker_a).filter(pk=people.li.pk).exists()


def test_grid_worker_cannot_move_into_other_grid(people, houses, grid_worker_a):
    with pytest.raises(NotFound):
        person_move_in(person=people.li, place=houses.house_b1, actor=grid_worker_a)


def test_person_create_duplicate_id_refused(people, houses, community_staff):
    with pytest.raises(Refused) as exc:
        person_create(actor=community_staff, name="冒名", place=houses.house_a1, id_number=people.zhang.id_number)
    assert exc.value.code == "already_registered"


def test_person_create_moved_out_person_moves_in_again(people, houses, community_staff):
    person_move_out(person=people.wang, actor=community_staff, on=D1)
    again = person_create(actor=community_staff, name="王五", place=houses.house_a1, id_number=people.wang.id_number)
    assert again.pk == people.wang.pk and again.status == "active"
    assert Person.objects.filter(id_number_hash=people.wang.id_number_hash).count() == 1


def test_person_update_sex_must_match_id(people, community_staff):
    from linli.core.errors import Invalid

    female = "2" if people.zhang.sex == "1" else "1"
    with pytest.raises(Invalid):
        person_update(person=people.zhang, actor=community_staff, sex=female)


def test_grid_worker_without_change_perm_refused(people, world):
    from linli.core.testing.personas import make_user

    head = make_user("head_a", "building_head", place=world.grid_a)
    with pytest.raises(PermissionDenied):
        person_move_out(person=people.zhang, actor=head)


def test_move_out_twice_refused(people, community_staff):
    person_move_out(person=people.li, actor=community_staff)
    with pytest.raises(Refused):
        person_move_out(person=people.li, actor=community_staff)


def test_move_out_through_page(client, people, grid_worker_a):
    from .conftest import login

    login(client, grid_worker_a)
    response = client.post(f"/registry/persons/{people.li.pk}/move-out/", {"out-on": "2026-04-15",
                                                                        "out-destination": "上海"})
    assert response.status_code == 302
    li = Person.objects.get(pk=people.li.pk)
    assert li.status == "moved_out" and li.moved_out_on == D2
    page = client.get(f"/registry/persons/{li.pk}/").content.decode()
    assert "2026-04-15" in page
