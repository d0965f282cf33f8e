from django.urls import path

from linli.iot import views, views_manage

app_name = "iot"

urlpatterns = [
    path("alarms/", views.alarm_list, name="alarms"),
    path("alarms/<int:pk>/", views.alarm_detail, name="alarm_detail"),
    path("alarms/<int:pk>/<slug:action>/", views.alarm_act, name="alarm_act"),
    path("devices/", views.device_list, name="devices"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("devices/<int:pk>/<slug:action>/", views.device_act, name="device_act"),
    path("rules/", views_manage.rule_list, name="rules"),
    path("rules/new/", views_manage.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views_manage.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/<slug:action>/", views_manage.rule_act, name="rule_act"),
    path("facilities/", views_manage.facility_list, name="facilities"),
    path("facilities/new/", views_manage.facility_edit, name="facility_new"),
    path("facilities/import/", views_manage.facility_import, name="facility_import"),
    path("facilities/import/template.xlsx", views_manage.facility_template, name="facility_template"),
    path("facilities/<int:pk>/", views_manage.facility_edit, name="facility_edit"),
    path("facilities/<int:pk>/delete/", views_manage.facility_delete, name="facility_delete"),
]
