"""API of the 三单制 orders and 微心愿 wishes; mounted under /api/v1/party by ``linli/party/api.py``."""

from ninja import Router

router = Router(tags=["party"])
