"""The default monthly questionnaire (linli/evaluation/defaults.py); staff edit it."""

from django.db import migrations


def add(apps, schema_editor):
    from linli.evaluation.defaults import questionnaires_load

    questionnaires_load(apps.get_model("evaluation", "Questionnaire"), apps.get_model("evaluation", "Question"))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0006_surveys")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
