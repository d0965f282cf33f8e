"""Load the shipped holiday calendar (public holidays and make-up working days of 2025 and 2026, as
published by the State Council General Office). Later years come with ``linli calendar_load``."""

import csv
from pathlib import Path

from django.db import migrations

CALENDAR_FILE = Path(__file__).resolve().parent.parent / "data" / "cn_holiday_calendar.csv"


def load(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    db = schema_editor.connection.alias
    with CALENDAR_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    present = {d.isoformat() for d in CalendarDay.objects.using(db).values_list("date", flat=True)}
    CalendarDay.objects.using(db).bulk_create(
        CalendarDay(date=r["date"], kind=r["kind"], name=r["name"]) for r in rows if r["date"] not in present
    )


def unload(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.using(schema_editor.connection.alias).filter(date__year__in=[2025, 2026]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_actor_do_nothing")]
    operations = [migrations.RunPython(load, unload)]
