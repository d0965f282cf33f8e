from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "linli.residents"
    label = "residents"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # When the places app offers a hook for subtree moves, keep the registry's place paths current.
        from linli.places import actions as place_actions
        from linli.residents.actions.paths import registry_paths_rewrite

        rewriters = getattr(place_actions, "PATH_REWRITERS", None)
        if isinstance(rewriters, list) and registry_paths_rewrite not in rewriters:
            rewriters.append(registry_paths_rewrite)
