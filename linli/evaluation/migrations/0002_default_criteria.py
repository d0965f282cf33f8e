"""The default criteria of building evaluation (岩岭社区's monthly 安全, 卫生, 文明创建); staff edit them."""

from django.db import migrations

DEFAULTS = [
    ("safety", "安全", 40, 10, 1),
    ("sanitation", "卫生", 30, 10, 2),
    ("civility", "文明创建", 30, 10, 3),
]


def add(apps, schema_editor):
    Criterion = apps.get_model("evaluation", "Criterion")
    for code, name, weight, max_score, sort in DEFAULTS:
        Criterion.objects.get_or_create(code=code, defaults={"name": name, "weight": weight, "max_score": max_score, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
