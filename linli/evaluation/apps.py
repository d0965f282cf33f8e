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

