"""On PostgreSQL, two bookings of a room that hold their slot (pending or confirmed) can never overlap: an
exclusion constraint over (room, [starts_at, ends_at)) with btree_gist. SQLite has no such constraint; there
``room_book`` checks inside the IMMEDIATE transaction that serialises writers."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE hall_booking ADD CONSTRAINT hall_booking_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN ('pending', 'confirmed'));
"""
DROP = "ALTER TABLE hall_booking DROP CONSTRAINT IF EXISTS hall_booking_no_overlap;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("hall", "0003_rooms")]

    operations = [migrations.RunPython(forward, backward)]
