from django.urls import path

from linli.core import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("calendar/", views.calendar_view, name="calendar"),
]
