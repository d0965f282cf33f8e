from django.urls import path

from linli.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge", views.badge, name="badge"),
    path("<int:pk>/open", views.open_notice, name="open"),
    path("read-all", views.read_all, name="read_all"),
    path("settings", views.preferences, name="preferences"),
]
