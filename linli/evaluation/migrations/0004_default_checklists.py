"""The default checklists of the campaigns (linli/evaluation/defaults.py); staff edit them."""

from django.db import migrations


def add(apps, schema_editor):
    from linli.evaluation.defaults import checklists_load

    checklists_load(apps.get_model("evaluation", "ChecklistTemplate"), apps.get_model("evaluation", "ChecklistItem"))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0003_campaigns")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
