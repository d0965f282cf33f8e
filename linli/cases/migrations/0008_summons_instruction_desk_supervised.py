"""吹哨 with an instruction per department (the summons' ``note`` becomes its ``instruction``); the desk
index covers the cases to verify and to close; an index for the supervised branch of the 督办 list."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_compound_kind"),
    ]

    operations = [
        migrations.RenameField(model_name="casesummons", old_name="note", new_name="instruction"),
        migrations.AlterField(
            model_name="casesummons",
            name="instruction",
            field=models.TextField(verbose_name="instruction"),
        ),
        migrations.RemoveIndex(model_name="case", name="cases_case_desk"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ["accepted", "rated", "reported", "reported_back"])),
                fields=["place_path", "status"], name="cases_case_desk", opclasses=["varchar_pattern_ops", ""],
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["accepted", "dispatched", "handling", "parked", "rated", "reported", "reported_back",
                                    "signed", "verified"]),
                    ("supervision_count__gt", 0),
                ),
                fields=["-id"], name="cases_case_supervised_open",
            ),
        ),
    ]
