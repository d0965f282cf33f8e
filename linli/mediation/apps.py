from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "linli.mediation"
    label = "mediation"
    verbose_name = _("Dispute mediation")

    def ready(self) -> None:
        # Overdue disputes and screenings, and new disputes, reach the staff's daily digest.
        from linli.mediation.digest import mediation_digest
        from linli.notifications.digest import digest_section_register

        digest_section_register("mediation", mediation_digest)

        # A long ledger's Excel is written by the worker (linli.core.export_jobs).
        from linli.mediation.export import export_kinds_register

        export_kinds_register()
