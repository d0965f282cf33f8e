from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "linli.evaluation"
    verbose_name = _("Evaluation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The red flag shows on the building's public page and on its QR page.
        from linli.core.ui import building_badge_register
        from linli.evaluation.selectors import red_flag_badges

        building_badge_register(red_flag_badges)
        # The serving party members and their commitments (亮身份, 亮承诺) on the same pages; their half-year
        # evaluation in the party's report to their employers.
        from linli.core.ui import building_panel_register
        from linli.evaluation.selectors_members import commitment_panels, member_report_notes
        from linli.party.reports import member_note_register

        building_panel_register(commitment_panels)
        member_note_register(member_report_notes)

