"""The substring index of names and addresses (linli/residents/search_index.py): pg_trgm on PostgreSQL,
an FTS5 trigram table kept by triggers on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    from linli.residents import search_index

    search_index.create(schema_editor)


def backwards(apps, schema_editor):
    from linli.residents import search_index

    search_index.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("residents", "0004_import_job_runner")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
