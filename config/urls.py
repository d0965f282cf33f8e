"""URL wiring only."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from config.api import api
from linli.cases import views as case_views
from linli.core.media import media_serve
from linli.core.views import healthz
from linli.hall import views as hall_views
from linli.places.views import building_report

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("places/", include("linli.places.urls")),
    path("registry/", include("linli.residents.urls")),
    path("cases/", include("linli.cases.urls")),
    path("cases/", include("linli.cases.urls_kpi")),  # KPI page, Excel export, 12345 import
    path("party/", include("linli.party.urls")),
    path("party/", include("linli.orders.urls")),  # 三单制 orders and 微心愿 wishes keep their /party/ paths
    path("volunteers/", include("linli.volunteers.urls")),
    path("hall/", include("linli.hall.urls")),
    path("care/", include("linli.care.urls")),
    # A certificate's QR code: genuine or revoked, who issued it, when (linli/hall).
    path("v/<str:code>", hall_views.certificate_verify, name="certificate_verify"),
    path("points/", include("linli.points.urls")),
    path("evaluation/", include("linli.evaluation.urls")),
    path("deliberation/", include("linli.deliberation.urls")),
    path("disputes/", include("linli.mediation.urls")),
    path("iot/", include("linli.iot.urls")),
    path("open311/v2/", include("linli.open311.urls")),
    path("dashboards/", include("linli.dashboards.urls")),
    path("notices/", include("linli.notifications.urls")),
    # A resident's own data (/my/data) and the staff's correction requests (/privacy/corrections).
    path("", include("linli.privacy.urls")),
    # The building QR code opens the resident's report form; the building's public page stays at /r/<code>/about.
    path("r/<str:code>", case_views.building_report, name="building_report"),
    path("r/<str:code>/about", building_report, name="building_about"),
    path("report", case_views.report, name="report"),
    path("report/where", case_views.report_where, name="report_where"),
    path("", include("linli.accounts.urls")),
    path("", include("linli.core.urls")),
    # Uploaded files, in every mode, only to whoever the owning app's resolver allows (linli/core/media.py).
    re_path(r"^media/(?P<path>.+)$", media_serve, name="media"),
]

if settings.LINLI_BENCH:  # pragma: no cover
    # bench/http_rps.py only (LINLI_BENCH=1): the baseline, a bare view behind the same middleware as every page.
    from django.http import HttpResponse

    urlpatterns.append(path("bench/bare", lambda request: HttpResponse("ok"), name="bench_bare"))

# Under /api/ errors answer in the API's one shape, never an HTML page (linli/core/hostile.py).
handler400 = "linli.core.hostile.bad_request"
handler403 = "linli.core.hostile.permission_denied"
handler404 = "linli.core.hostile.not_found"
handler500 = "linli.core.hostile.server_error"
