from django.urls import path

from linli.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("community/", views.profile_picker, name="profile_picker"),
    path("community/<int:pk>/", views.community_profile, name="community_profile"),
    path("grid/<int:pk>/", views.grid_profile, name="grid_profile"),
]
