from django.urls import path

from linli.iot import views

app_name = "iot"

urlpatterns = [
    path("alarms/", views.alarm_list, name="alarms"),
    path("alarms/<int:pk>/", views.alarm_detail, name="alarm_detail"),
    path("alarms/<int:pk>/<slug:action>/", views.alarm_act, name="alarm_act"),
    path("devices/", views.device_list, name="devices"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("devices/<int:pk>/<slug:action>/", views.device_act, name="device_act"),
]
