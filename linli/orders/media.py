"""Who may open an order or wish photo (``/media/party/orders/...``, ``/media/party/wishes/...``,
registered in ``OrdersConfig.ready``).

An order's photos (the request's and the work's) go to whoever may see the order, a wish's photos to
whoever may see the wish (``access``: ``visible_to``). The public wish wall shows no photos
(``selectors.wish_wall`` reads titles, descriptions and masked names only), so a wish photo is
not public.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest


def order_photo_visible(request: HttpRequest, name: str) -> bool:
    from linli.orders.models import ServiceOrder

    return ServiceOrder.objects.visible_to(request.user).filter(Q(photo=name) | Q(done_photo=name)).exists()


def wish_photo_visible(request: HttpRequest, name: str) -> bool:
    from linli.orders.models import Wish

    return Wish.objects.visible_to(request.user).filter(Q(photo=name) | Q(fulfil_photo=name)).exists()
