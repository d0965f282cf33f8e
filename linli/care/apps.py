from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "linli.care"
    label = "care"
    verbose_name = _("Care")

    def ready(self) -> None:
        from linli.care.media import visit_photo_visible
        from linli.core.media import media_register

        media_register("care/visits/", visit_photo_visible)
