from django.urls import path

from linli.cases import views_kpi

app_name = "cases_kpi"

urlpatterns = [
    path("kpi/", views_kpi.kpi_page, name="kpi"),
    path("kpi/export.xlsx", views_kpi.kpi_export, name="export"),
    path("hotline/import", views_kpi.hotline_upload, name="hotline_import"),
]
