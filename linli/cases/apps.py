from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "linli.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # When the places app offers a hook for subtree moves, keep the cases' place paths current.
        from linli.places import actions as place_actions

        rewriters = getattr(place_actions, "PATH_REWRITERS", None)
        if isinstance(rewriters, list) and cases_paths_rewrite not in rewriters:
            rewriters.append(cases_paths_rewrite)

        from linli.cases.media import case_photo_visible
        from linli.core.media import media_register

        media_register("cases/", case_photo_visible)

        from linli.cases.digest import case_digest
        from linli.notifications.digest import digest_section_register

        digest_section_register("cases", case_digest)


def cases_paths_rewrite(*, old_path: str, new_path: str) -> int:
    """Replace the prefix ``old_path`` by ``new_path`` in every case's ``place_path``; returns rows."""
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    from linli.cases.models import Case

    if not old_path or old_path == new_path:
        return 0
    return Case.objects.filter(place_path__startswith=old_path).update(
        place_path=Concat(Value(new_path), Substr("place_path", len(old_path) + 1))
    )
