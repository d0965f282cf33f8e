# The readings partitioned by month on PostgreSQL (linli/core/partitions.py, as the audit log and the case
# events): the prune then drops whole months instead of deleting rows. Nothing changes on SQLite.

from django.db import migrations

from linli.core.partitions import partition_table, unpartition_table


def forward(apps, schema_editor):
    partition_table(schema_editor, "iot_reading", "at")


def backward(apps, schema_editor):
    unpartition_table(schema_editor, "iot_reading", "at")


class Migration(migrations.Migration):
    dependencies = [("iot", "0002_readings_no_update"), ("core", "0005_audit_partitions")]
    operations = [migrations.RunPython(forward, backward)]
