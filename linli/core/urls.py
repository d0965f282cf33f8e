from django.urls import path

from linli.core import views, views_exports

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("exports/", views_exports.export_list, name="exports"),
    path("exports/<int:pk>/", views_exports.export_status, name="export_status"),
    path("exports/<int:pk>/file.xlsx", views_exports.export_download, name="export_download"),
]
