from django.apps import AppConfig
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
        audit_value_labels_register("format", lambda: {"xlsx": "Excel", "pdf": "PDF", "json": "JSON", "csv": "CSV"})
