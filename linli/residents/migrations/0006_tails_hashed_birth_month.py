"""No digit of an ID number or phone in clear: the last four become keyed hashes, the date of birth
becomes the month of birth (the day stays inside the encrypted ID number)."""

import linli.core.fields
from django.db import migrations, models


def forwards(apps, schema_editor):
    Person = apps.get_model("residents", "Person")
    tail_id = Person._meta.get_field("id_tail_hash")
    tail_phone = Person._meta.get_field("phone_tail_hash")
    batch = []
    for p in Person.objects.order_by("pk").iterator(chunk_size=2000):
        p.id_tail_hash = tail_id.hash_of(p.id_number)
        p.phone_tail_hash = tail_phone.hash_of(p.phone)
        p.birth_month = p.birth_date.replace(day=1) if p.birth_date else None
        batch.append(p)
        if len(batch) >= 2000:
            Person.objects.bulk_update(batch, ["id_tail_hash", "phone_tail_hash", "birth_month"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["id_tail_hash", "phone_tail_hash", "birth_month"])


def backwards(apps, schema_editor):
    from linli.core.idnumber import parse_id_number

    Person = apps.get_model("residents", "Person")
    for p in Person.objects.order_by("pk").iterator(chunk_size=2000):
        p.id_tail = (p.id_number or "")[-4:]
        p.phone_tail = (p.phone or "")[-4:]
        p.birth_date = parse_id_number(p.id_number).birth_date if p.id_number else None
        p.save(update_fields=["id_tail", "phone_tail", "birth_date"])


def search_triggers(apps, schema_editor):
    """SQLite drops a table's triggers when RemoveField rebuilds it: put back the search index's
    (linli/residents/search_index.py; its FTS table and rows are untouched)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    from linli.residents import search_index

    for sql in search_index.SQLITE_DROP_TRIGGERS:
        schema_editor.execute(sql)
    for sql in search_index.SQLITE_TRIGGERS:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("residents", "0005_person_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="birth_month",
            field=models.DateField(blank=True, db_index=True, editable=False, null=True, verbose_name="month of birth"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_tail_hash",
            field=linli.core.fields.LookupHashField(blank=True, db_index=True, default="", editable=False, max_length=64, part="tail4", source="id_number"),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_tail_hash",
            field=linli.core.fields.LookupHashField(blank=True, db_index=True, default="", editable=False, max_length=64, part="tail4", source="phone"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="person", name="birth_date"),
        migrations.RemoveField(model_name="person", name="id_tail"),
        migrations.RemoveField(model_name="person", name="phone_tail"),
        migrations.RunPython(search_triggers, migrations.RunPython.noop, elidable=False),
    ]
