from django.db import migrations, models

def add(apps, schema_editor):
    from linli.evaluation.defaults import weights_load

    weights_load(apps.get_model("evaluation", "RankingWeight"))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0004_default_checklists")]
    operations = [
        migrations.CreateModel(
            name="RankingWeight",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=32, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=32, verbose_name="name")),
                ("weight", models.PositiveSmallIntegerField(default=1, verbose_name="weight")),
                ("sort", models.PositiveSmallIntegerField(default=0)),
            ],
            options={"verbose_name": "ranking weight", "verbose_name_plural": "ranking weights", "ordering": ["sort", "code"]},
        ),
        migrations.RunPython(add, migrations.RunPython.noop),
    ]
