import importlib
from types import ModuleType

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from linli.core import lookups  # noqa: F401  (registers the __prefix lookup)

        # The audit log reads these coded values by name (apps register their own: core.views).
        from linli.core.views import audit_value_labels_register

        audit_value_labels_register("via", lambda: {"admin": _("Administration site")})
        # Large exports whose worker gave up are failed; their files removed after a time.
        from linli.core.export_jobs import export_jobs_reap
        from linli.core.jobs import job_reaper_register

        job_reaper_register("core.exports", export_jobs_reap)
        audit_value_labels_register("format", lambda: {"xlsx": "Excel", "pdf": "PDF", "json": "JSON", "csv": "CSV"})


def app_modules(name: str, *, skip: str = "") -> list[ModuleType]:
    """The ``name`` module (``home``, ``demo``, ``privacy`` …) of every installed Linli app that has one, in
    INSTALLED_APPS order, but ``skip``'s: how an app reaches the others' extension points without importing
    them. An import error inside such a module is raised, not taken for its absence."""
    found: list[ModuleType] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("linli.") or config.name == skip:
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
    return found
