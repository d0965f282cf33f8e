from django.db import migrations


def forward(apps, schema_editor):
    from linli.care.workflow import DEFAULT_PRICE_RULES

    rule = apps.get_model("care", "PriceRule")
    for code, label, min_age, percent in DEFAULT_PRICE_RULES:
        rule.objects.get_or_create(code=code, defaults={"label": label, "min_age": min_age, "percent": percent})


class Migration(migrations.Migration):
    dependencies = [("care", "0003_canteen")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
