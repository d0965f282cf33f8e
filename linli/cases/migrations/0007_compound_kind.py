"""The compound kind (三区) of a case, as routing finds it at intake, and a KPI rollup key by it.

Existing cases get the kind of the compound their place lies in. Existing rollup rows keep the key ""
(no compound): run ``linli kpi-recompute --fix`` once after upgrading to split them by compound kind.
"""

from django.db import migrations, models


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Place = apps.get_model("places", "Place")
    kinds = dict(Place.objects.filter(kind="compound").exclude(compound_kind="").values_list("pk", "compound_kind"))
    if not kinds:
        return
    by_kind: dict[str, list[int]] = {}
    for pk, path in Case.objects.exclude(place_path="").values_list("pk", "place_path").iterator(5000):
        for part in path.strip("/").split("/"):
            kind = kinds.get(int(part)) if part.isdigit() else None
            if kind:
                by_kind.setdefault(kind, []).append(pk)
                break
    for kind, ids in by_kind.items():
        for i in range(0, len(ids), 500):
            Case.objects.filter(pk__in=ids[i:i + 500]).update(compound_kind=kind)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_mine_index"),
        ("places", "0002_attributes_geometry_public_code"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="kpirollup",
            name="cases_kpi_rollup_key",
        ),
        migrations.AddField(
            model_name="case",
            name="compound_kind",
            field=models.CharField(blank=True, default="", editable=False, max_length=16, verbose_name="compound kind"),
        ),
        migrations.AddField(
            model_name="kpirollup",
            name="compound_kind",
            field=models.CharField(blank=True, db_default="", default="", max_length=16),
        ),
        migrations.AddConstraint(
            model_name="kpirollup",
            constraint=models.UniqueConstraint(
                fields=("month", "place_path", "category_id", "department_id", "compound_kind"),
                name="cases_kpi_rollup_key",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
