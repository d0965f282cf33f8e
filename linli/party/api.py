from ninja import Router

from linli.party.api_service import router as service_router

router = Router(tags=["party"])

# 三单制 orders and 微心愿 wishes: /api/v1/party/orders..., /api/v1/party/wishes...
router.add_router("/", service_router)
