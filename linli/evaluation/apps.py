from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "linli.evaluation"
    verbose_name = _("Evaluation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Rounds, results and campaigns keep copies of place paths: place_move rewrites them.
        from linli.places.actions import PATH_REWRITERS

        if evaluation_paths_rewrite not in PATH_REWRITERS:
            PATH_REWRITERS.append(evaluation_paths_rewrite)
        # The red flag shows on the building's public page and on its QR page.
        from linli.core.ui import building_badge_register
        from linli.evaluation.selectors import red_flag_badges

        building_badge_register(red_flag_badges)


def evaluation_paths_rewrite(*, old_path: str, new_path: str) -> int:
    """Replace the prefix ``old_path`` by ``new_path`` in every place path evaluation keeps; returns rows."""
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    from linli.evaluation.models import Campaign, EvaluationRound, RoundResult

    if not old_path or old_path == new_path:
        return 0
    moved = 0
    for model in (EvaluationRound, RoundResult, Campaign):
        moved += model.objects.filter(place_path__startswith=old_path).update(
            place_path=Concat(Value(new_path), Substr("place_path", len(old_path) + 1))
        )
    return moved
