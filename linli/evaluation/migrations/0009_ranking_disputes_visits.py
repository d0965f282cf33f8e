from django.db import migrations


def load(apps, schema_editor):
    from linli.evaluation.defaults import weights_load

    weights_load(apps.get_model("evaluation", "RankingWeight"))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0008_training")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
