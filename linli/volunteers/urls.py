from django.urls import path

from linli.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/signup/", views.signup, name="signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("mine/", views.my_activities, name="my_activities"),
    path("join/", views.join, name="join"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("organise/", views.organise, name="organise"),
    path("activities/new/", views.activity_edit, name="activity_create"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/do/<str:name>/", views.activity_transition, name="activity_transition"),
    path("activities/<int:pk>/qr/", views.activity_qr, name="activity_qr"),
    path("activities/<int:pk>/qr.svg", views.activity_qr_svg, name="activity_qr_svg"),
    path("activities/<int:pk>/attendance/", views.activity_attendance, name="attendance"),
    path("signups/<int:pk>/<str:step>/", views.signup_mark, name="signup_mark"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/members/<str:step>/", views.team_member, name="team_member"),
    path("talent/members/", views.pool_member, name="pool_member"),
    path("talent/", views.talent, name="talent"),
    path("export/hours.xlsx", views.hours_export, name="hours_export"),
]
