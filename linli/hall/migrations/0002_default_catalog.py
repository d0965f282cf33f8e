from django.db import migrations


def forward(apps, schema_editor):
    from linli.hall.catalog import ensure_default_catalog

    ensure_default_catalog(apps.get_model("hall", "ServiceItem"))


def backward(apps, schema_editor):
    from linli.hall.catalog import DEFAULT_SERVICES

    service = apps.get_model("hall", "ServiceItem")
    service.objects.filter(place__isnull=True, code__in=[row[0] for row in DEFAULT_SERVICES], applications__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("hall", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
