# A device's alarm rule is scoped by its device's place (rules.py sets it since rules have a place). Rules
# for one device written before then kept an empty place path, which reads as "every place": every
# monitoring manager of the street saw them and only a street-wide one could change them. They take their
# device's place path now; nothing else about them changes.

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forward(apps, schema_editor):
    AlarmRule = apps.get_model("iot", "AlarmRule")
    Device = apps.get_model("iot", "Device")
    AlarmRule.objects.filter(device__isnull=False, place_path="").update(
        place_path=Subquery(Device.objects.filter(pk=OuterRef("device_id")).values("place_path")[:1]))


class Migration(migrations.Migration):
    dependencies = [("iot", "0003_reading_partitions")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
