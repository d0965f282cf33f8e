"""``flush`` that copes with the append-only audit log.

Django's ``flush`` (also run by transactional tests between tests) empties every table; the audit log's
triggers (migration 0002) refuse that. This version lifts the triggers inside the same transaction as
the flush and puts them back before it commits, then restores the reference data the migrations load
(the shipped holiday calendar). It refuses to run in production: there the audit log is never emptied.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps as django_apps
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections, transaction

from linli.core.models import AuditEntry

# The audit log's triggers as they stand (0008: append-only, redactable by the anonymisation).
_TRIGGERS = import_module("linli.core.migrations.0009_redaction")


def _trigger_modules(config) -> list[str]:
    """The trigger modules an AppConfig declares: ``append_only_triggers`` is one module path or a list."""
    declared = getattr(config, "append_only_triggers", None) or []
    return [declared] if isinstance(declared, str) else list(declared)


class Command(flush.Command):
    help = (
        flush.Command.help
        + " Lifts the audit log's append-only triggers for the flush; refused in production."
    )

    def handle(self, **options):
        if settings.PRODUCTION:
            raise CommandError("flush is disabled in production: the audit log is append-only.")
        database = options["database"]
        connection = connections[database]
        if options["interactive"]:
            confirm = input(
                f'This will IRREVERSIBLY DESTROY all data in the "{connection.settings_dict["NAME"]}" database, '
                "the audit log included.\nType 'yes' to continue, or 'no' to cancel: "
            )
            if confirm != "yes":
                self.stdout.write("Flush cancelled.")
                return
        options["interactive"] = False
        # The audit log's triggers, and those of any app that declares ``append_only_triggers`` on its
        # AppConfig: the module path of a migration with TABLE, SQLITE_UP and SQLITE_DOWN, or a list of them.
        guarded = [(AuditEntry._meta.db_table, _TRIGGERS)]
        for config in django_apps.get_app_configs():
            for module_path in _trigger_modules(config):
                module = import_module(module_path)
                guarded.append((module.TABLE, module))
        with transaction.atomic(using=database), connection.cursor() as cursor:
            for db_table, triggers in guarded:
                if connection.vendor == "postgresql":
                    cursor.execute(f"ALTER TABLE {connection.ops.quote_name(db_table)} DISABLE TRIGGER USER")
                elif connection.vendor == "sqlite":
                    for sql in triggers.SQLITE_DOWN:
                        cursor.execute(sql)
            super().handle(**options)
            for db_table, triggers in guarded:
                if connection.vendor == "postgresql":
                    cursor.execute(f"ALTER TABLE {connection.ops.quote_name(db_table)} ENABLE TRIGGER USER")
                elif connection.vendor == "sqlite":
                    for sql in triggers.SQLITE_UP:
                        cursor.execute(sql)
            from linli.core.workdays import calendar_restore_shipped

            calendar_restore_shipped(using=database)
            for config in django_apps.get_app_configs():
                if hasattr(config, "restore_after_flush"):
                    config.restore_after_flush(database)
