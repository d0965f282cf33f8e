from django.db import migrations


def create_builtin_tags(apps, schema_editor):
    from linli.residents.builtin import ensure_builtin_tags

    ensure_builtin_tags(apps.get_model("residents", "Tag"))


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial")]

    operations = [migrations.RunPython(create_builtin_tags, migrations.RunPython.noop)]
