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
