from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "linli.party"
    label = "party"
    verbose_name = _("Party-led service")

    def ready(self) -> None:
        from linli.core.media import media_register
        from linli.party.media import order_photo_visible, wish_photo_visible

        media_register("party/orders/", order_photo_visible)
        media_register("party/wishes/", wish_photo_visible)
