from django.urls import path

from linli.dashboards import views, views_map, views_reports, views_screen

app_name = "dashboards"

urlpatterns = [
    path("community/", views.profile_picker, name="profile_picker"),
    path("community/<int:pk>/", views.community_profile, name="community_profile"),
    path("grid/<int:pk>/", views.grid_profile, name="grid_profile"),
    path("map/", views_map.map_picker, name="map_picker"),
    path("map/<int:pk>/", views_map.one_map, name="map"),
    path("map/<int:pk>/layers.json", views_map.map_layers, name="map_layers"),
    path("screen/", views_screen.screen_picker, name="screen_picker"),
    path("screen/<int:pk>/", views_screen.screen, name="screen"),
    path("screen/<int:pk>/data.json", views_screen.screen_data, name="screen_data"),
    path("reports/", views_reports.report_list, name="reports"),
    path("reports/<int:pk>.<str:fmt>", views_reports.report_download, name="report_download"),
    path("reports/place/<int:pk>/generate", views_reports.report_regenerate, name="report_generate"),
]
