from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "linli.points"
    label = "points"
    verbose_name = _("Points")

    # The migration modules holding the ledgers' append-only triggers (each with TABLE, SQLITE_UP/DOWN):
    # the test-suite's ``flush`` (linli/core) lifts them for the flush and puts them back.
    append_only_triggers = [
        "linli.points.migrations.0006_ledger_redactable",  # points entries (redactable notes)
        "linli.points.migrations.0007_hours_redactable",  # service hours (redactable notes)
    ]

    def ready(self) -> None:
        # Large ledger exports run in the worker (linli.core.export_jobs).
        from linli.points.exports import export_kinds_register

        export_kinds_register()

    def restore_after_flush(self, using: str) -> None:
        """Put the shipped rules back after a flush (transactional tests)."""
        from importlib import import_module

        from linli.points.models import PointsRule

        rules = import_module("linli.points.migrations.0003_default_rules").RULES
        for code, name, area, points, description in rules:
            PointsRule.objects.using(using).get_or_create(
                code=code, defaults={"name": name, "area": area, "points": points, "description": description}
            )
