"""The API at /api/v1/: one NinjaAPI, each app's router mounted here (wiring only)."""

from __future__ import annotations

from linli.accounts.api import AUTH, users_router
from linli.accounts.api import router as accounts_router
from linli.care.api import router as care_router
from linli.cases.api import router as cases_router
from linli.core.api import LinliAPI, ORJSONRenderer, install_error_handlers
from linli.deliberation.api import meetings_router, topics_router, votes_router
from linli.deliberation.api_honours import experts_router, honours_router
from linli.deliberation.api_projects import funds_router, projects_router
from linli.evaluation.api import router as evaluation_router
from linli.hall.api import router as hall_router
from linli.iot.api import router as iot_router
from linli.mediation.api import router as mediation_router
from linli.orders.api import router as orders_router
from linli.party.api import router as party_router
from linli.places.api import router as places_router
from linli.points.api import router as points_router
from linli.privacy.api import me_router as privacy_me_router
from linli.privacy.api import router as privacy_router
from linli.residents.api import router as residents_router
from linli.volunteers.api import router as volunteers_router

api = LinliAPI(
    title="Linli API",
    version="1",
    description="Linli (邻里) community governance platform. Errors: {code, message, fields}; "
    "404 missing or out of scope, 409 refused transition, 422 invalid.",
    urls_namespace="api",
    renderer=ORJSONRenderer(),
    auth=AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/users", users_router)
api.add_router("/places", places_router)
api.add_router("/residents", residents_router)
api.add_router("/cases", cases_router)
api.add_router("/party", party_router)
api.add_router("/party", orders_router)  # /party/orders..., /party/wishes...: the paths they had in party
api.add_router("/volunteers", volunteers_router)
api.add_router("/points", points_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/topics", topics_router)
api.add_router("/votes", votes_router)
api.add_router("/meetings", meetings_router)
api.add_router("/projects", projects_router)
api.add_router("/funds", funds_router)
api.add_router("/honours", honours_router)
api.add_router("/experts", experts_router)
api.add_router("/disputes", mediation_router)
api.add_router("/hall", hall_router)
api.add_router("/care", care_router)
api.add_router("/iot", iot_router)
api.add_router("/me", privacy_me_router)
api.add_router("/privacy", privacy_router)
