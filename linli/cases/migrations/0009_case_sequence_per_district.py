# Case numbers per district and year (issue 18): the city-wide yearly counter becomes the sequence of
# district "" (the numbers already issued keep counting there), and the number field grows to hold
# 2026-330106-000123.

from django.db import migrations, models


def copy_counters(apps, schema_editor):
    CaseCounter = apps.get_model("cases", "CaseCounter")
    CaseSequence = apps.get_model("cases", "CaseSequence")
    CaseSequence.objects.bulk_create(
        [CaseSequence(district="", year=c.year, last=c.last) for c in CaseCounter.objects.all()]
    )


def copy_back(apps, schema_editor):
    CaseCounter = apps.get_model("cases", "CaseCounter")
    CaseSequence = apps.get_model("cases", "CaseSequence")
    for s in CaseSequence.objects.filter(district=""):
        CaseCounter.objects.create(year=s.year, last=s.last)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_summons_instruction_desk_supervised"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseSequence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("district", models.CharField(blank=True, default="", max_length=6)),
                ("year", models.PositiveSmallIntegerField()),
                ("last", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddConstraint(
            model_name="casesequence",
            constraint=models.UniqueConstraint(fields=("district", "year"), name="cases_sequence_district_year"),
        ),
        migrations.RunPython(copy_counters, copy_back),
        migrations.DeleteModel(name="CaseCounter"),
        migrations.AlterField(
            model_name="case",
            name="number",
            field=models.CharField(editable=False, max_length=24, unique=True, verbose_name="number"),
        ),
    ]
