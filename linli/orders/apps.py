from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """三单制 service orders and 微心愿 wishes: residents ask, party members and volunteers serve."""

    name = "linli.orders"
    label = "orders"
    verbose_name = _("Service orders and wishes")

    def ready(self) -> None:
        from linli.core.media import media_register
        from linli.orders.media import order_photo_visible, wish_photo_visible

        # The photos keep the folders they were stored in when this part lived in the party app.
        media_register("party/orders/", order_photo_visible)
        media_register("party/wishes/", wish_photo_visible)
