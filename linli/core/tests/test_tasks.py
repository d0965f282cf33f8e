import pytest
from django.db import connection

from linli.core.tasks import database_optimize


@pytest.mark.django_db
def test_database_optimize_runs_on_sqlite_and_leaves_postgresql_to_autovacuum():
    assert database_optimize() is (connection.vendor == "sqlite")
