"""``core.inserts.insert_many``: the rows it writes are the rows ``bulk_create`` writes (encrypted fields,
lookup hashes, dates, JSON, foreign keys), the instances get their ids, a bad row writes nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from linli.core.inserts import insert_many, insert_rows, update_many
from linli.core.models import AuditEntry
from linli.places.models import Place, PlaceKind
from linli.residents.models import Person

pytestmark = pytest.mark.django_db

def _given(place: Place, tag: int) -> list[dict]:
    """Five persons' fields (tag 1 or 2 keeps the ID numbers and phones of the two sets apart)."""
    return [{
        "name": f"张{tag}{n}", "name_initials": "z", "sex": "1" if n % 2 else "2",
        "id_number": f"33010219800{tag}0{n}0011" if n != 3 else "", "phone": f"170{tag}000000{n}" if n != 2 else "",
        "birth_month": dt.date(1980 + n, 1, 1), "moved_in_on": dt.date(2020, 5, n + 1) if n else None,
        "place_id": place.pk if n != 1 else None, "place_path": place.path, "notes": f"第 {n} 个",
    } for n in range(5)]


def test_the_rows_are_the_rows_bulk_create_writes():
    place = Place.objects.create(kind=PlaceKind.HOUSE, name="101", path="/9/")
    by_bulk = Person.objects.bulk_create([Person(**row) for row in _given(place, 1)])
    before = timezone.now() - dt.timedelta(seconds=1)
    given = _given(place, 2)
    by_insert = insert_many([Person(**row) for row in given])
    assert all(p.pk is not None and not p._state.adding for p in by_insert)
    assert len({p.pk for p in by_bulk + by_insert}) == 10
    hashed = ("id_number_hash", "id_tail_hash", "phone_hash", "phone_tail_hash")
    for a, b, row in zip(by_bulk, by_insert, given, strict=True):
        stored, twin = Person.objects.get(pk=b.pk), Person.objects.get(pk=a.pk)
        assert {k: getattr(stored, k) for k in row} == row
        for name in hashed:  # the lookup hashes' pre_save ran, as bulk_create runs it
            field = Person._meta.get_field(name)
            assert getattr(stored, name) == field.hash_of(getattr(stored, field.source))
            assert bool(getattr(stored, name)) == bool(getattr(twin, name))
        assert stored.status == twin.status and stored.ethnicity == twin.ethnicity == ""
        assert stored.created_at >= before and stored.updated_at >= before  # auto_now_add, auto_now
    # Encrypted at rest: the database holds no plaintext ID number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM residents_person WHERE id = %s", [by_insert[0].pk])
        raw = cursor.fetchone()[0]
    assert raw and "330102" not in raw


def test_json_datetimes_and_foreign_keys_round_trip():
    at = timezone.now().replace(microsecond=123456)
    rows = [AuditEntry(at=at, actor=None, actor_name="console", action="core.test", target_type="x",
                       target_id=str(n), target_repr=f"行 {n}", detail={"n": n, "名": ["甲", None]})
            for n in range(3)]
    insert_many(rows)
    got = list(AuditEntry.objects.filter(action="core.test").order_by("id"))
    assert [e.pk for e in got] == [r.pk for r in rows]
    assert [e.detail for e in got] == [{"n": n, "名": ["甲", None]} for n in range(3)]
    assert {e.at for e in got} == {at}
    assert {e.actor_id for e in got} == {None}


def test_given_ids_are_kept_and_the_others_follow():
    place = Place.objects.create(kind=PlaceKind.HOUSE, name="101", path="/9/")
    top = (Place.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 100
    rows = [Place(kind=PlaceKind.HOUSE, name="given", path="/9/1/", pk=top),
            Place(kind=PlaceKind.HOUSE, name="new", path="/9/2/", parent=place)]
    insert_many(rows)
    assert rows[0].pk == top
    assert Place.objects.get(pk=top).name == "given"
    assert Place.objects.get(pk=rows[1].pk).parent_id == place.pk


def test_a_clash_writes_nothing():
    place = Place.objects.create(kind=PlaceKind.HOUSE, name="101", path="/9/")
    count = Person.objects.count()
    same = "330102198001010011"
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many([Person(name="甲", id_number="330102198001010027", place=place),
                     Person(name="乙", id_number=same, place=place), Person(name="丙", id_number=same, place=place)])
    assert Person.objects.count() == count


def test_one_model_per_call():
    with pytest.raises(ValueError, match="one model"):
        insert_many([Place(kind=PlaceKind.HOUSE, name="1", path="/1/"), Person(name="甲")])


def test_a_parent_saved_after_it_was_given_lends_its_id():
    street = Place(kind=PlaceKind.STREET, name="街道", path="/")
    community = Place(kind=PlaceKind.COMMUNITY, name="社区", path="/", parent=street)
    with pytest.raises(ValueError, match="unsaved related object 'parent'"):
        insert_many([community])
    insert_many([street])
    insert_many([community])
    assert Place.objects.get(pk=community.pk).parent_id == street.pk


def test_rows_as_dicts_are_the_rows_of_instances():
    """``model=``: dicts become the instances ``Model(**row)`` would be (defaults, hashes, auto_now), a foreign
    key given by instance or by id."""
    place = Place.objects.create(kind=PlaceKind.HOUSE, name="102", path="/9/")
    by_instance = insert_many([Person(**row) for row in _given(place, 1)])
    given = _given(place, 2)
    for n, row in enumerate(given):
        if row["place_id"] is not None and n % 2:
            row["place"] = place  # the relation by instance
            del row["place_id"]
    by_dict = insert_many(given, model=Person)
    assert all(type(p) is Person and p.pk is not None and not p._state.adding for p in by_dict)
    fields = [f.attname for f in Person._meta.concrete_fields
              if f.attname not in ("id", "created_at", "updated_at") and not f.attname.endswith("hash")
              and f.attname not in ("name", "id_number", "phone", "notes", "moved_in_on", "birth_month", "sex")]
    for a, b in zip(by_instance, by_dict, strict=True):
        stored, twin = Person.objects.get(pk=b.pk), Person.objects.get(pk=a.pk)
        assert {k: getattr(stored, k) for k in fields} == {k: getattr(twin, k) for k in fields}
        for name in ("id_number_hash", "phone_hash"):
            field = Person._meta.get_field(name)
            assert getattr(stored, name) == field.hash_of(getattr(stored, field.source))
        assert stored.created_at is not None and stored.updated_at is not None
    assert by_dict[3].place is place and by_dict[3].place_id == place.pk  # the instance given is kept


def test_rows_as_dicts_refuse_an_unknown_field_and_an_unsaved_relation():
    with pytest.raises(TypeError, match="no field named 'nom'"):
        insert_many([{"nom": "x"}], model=Person)
    with pytest.raises(ValueError, match="unsaved related object 'place'"):
        insert_many([{"name": "李四", "place": Place(kind=PlaceKind.HOUSE, name="x", path="/9/")}], model=Person)
    assert not Person.objects.filter(name="李四").exists()


def test_update_many_writes_what_bulk_update_writes():
    place = Place.objects.create(kind=PlaceKind.HOUSE, name="101", path="/9/")
    by_bulk = Person.objects.bulk_create([Person(**row) for row in _given(place, 1)])
    by_update = Person.objects.bulk_create([Person(**row) for row in _given(place, 2)])
    fields = ["name", "notes", "birth_month", "place", "phone", "phone_hash"]
    for group, tag in ((by_bulk, 1), (by_update, 2)):
        for n, p in enumerate(group):
            p.name, p.notes, p.birth_month = f"李{tag}{n}", "" if n % 2 else f"改 {n}", dt.date(1990, n + 1, 1)
            p.place = None if n == 4 else place
            p.phone = f"139{tag}000000{n}"
    Person.objects.bulk_update(by_bulk, fields)
    assert update_many(by_update, fields) == 5
    for a, b in zip(by_bulk, by_update, strict=True):
        twin, stored = Person.objects.get(pk=a.pk), Person.objects.get(pk=b.pk)
        assert stored.name == b.name and stored.notes == b.notes and stored.birth_month == b.birth_month
        assert stored.place_id == b.place_id and stored.phone == b.phone
        assert (stored.place_id is None) == (twin.place_id is None)
        field = Person._meta.get_field("phone_hash")  # computed from the new phone, as on save
        assert stored.phone_hash == field.hash_of(b.phone)


def test_update_many_refuses_unsaved_rows_and_the_primary_key():
    place = Place.objects.create(kind=PlaceKind.HOUSE, name="101", path="/9/")
    with pytest.raises(ValueError, match="saved"):
        update_many([Place(kind=PlaceKind.HOUSE, name="1", path="/1/")], ["name"])
    with pytest.raises(ValueError, match="primary key"):
        update_many([place], ["id"])
    assert update_many([], ["name"]) == 0


def test_insert_rows_writes_the_rows_and_needs_every_field():
    from linli.iot.models import Device, Reading  # an append-only table written in rows

    device = Device.objects.create(code="D-1", kind="gas", name="燃气", place=Place.objects.create(
        kind=PlaceKind.HOUSE, name="101", path="/9/"), place_path="/9/")
    at = timezone.now().replace(microsecond=5)
    fields = ("device", "at", "value", "unit", "received_at")
    assert insert_rows(Reading, fields, [(device.pk, at, 1.5, "%LEL", at), (device.pk, at, 2, "", at)]) == 2
    got = list(Reading.objects.order_by("id").values_list("device_id", "at", "value", "unit", "received_at"))
    assert got == [(device.pk, at, 1.5, "%LEL", at), (device.pk, at, 2.0, "", at)]
    with pytest.raises(ValueError, match="every concrete field"):
        insert_rows(Reading, fields[:-1], [(device.pk, at, 1.0, "")])
    with pytest.raises(ValueError, match="set on save"):  # created_at, updated_at
        insert_rows(Place, [f.name for f in Place._meta.concrete_fields if f.name != "id"], [])
