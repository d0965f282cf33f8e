"""The default criteria of building evaluation (linli/evaluation/defaults.py); staff edit them."""

from django.db import migrations


def add(apps, schema_editor):
    from linli.evaluation.defaults import criteria_load

    criteria_load(apps.get_model("evaluation", "Criterion"))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
