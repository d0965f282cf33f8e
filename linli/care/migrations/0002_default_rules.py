from django.db import migrations


def forward(apps, schema_editor):
    from linli.care.workflow import DEFAULT_RULES

    rule = apps.get_model("care", "VisitRule")
    for code, every, escalate in DEFAULT_RULES:
        rule.objects.get_or_create(tag_code=code, defaults={"every_days": every, "escalate_after_days": escalate})


def backward(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
