from django.urls import path

from linli.deliberation import views, views_projects

app_name = "deliberation"

urlpatterns = [
    path("", views.topic_list, name="topics"),
    path("topics/new/", views.topic_new, name="topic_new"),
    path("topics/from-case/", views.topic_from_case, name="topic_from_case"),
    path("topics/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/support/", views.topic_support, name="topic_support"),
    path("topics/<int:pk>/do/<str:name>/", views.topic_transition, name="topic_transition"),
    path("votes/", views.vote_list, name="votes"),
    path("votes/new/", views.vote_new, name="vote_new"),
    path("votes/<int:pk>/", views.vote_detail, name="vote_detail"),
    path("votes/<int:pk>/cast/", views.vote_cast, name="vote_cast"),
    path("votes/<int:pk>/do/<str:name>/", views.vote_transition, name="vote_transition"),
    path("votes/<int:pk>/roll/", views.vote_roll, name="vote_roll"),
    path("votes/<int:pk>/paper/", views.vote_paper, name="vote_paper"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/schedule/", views.meeting_schedule, name="meeting_schedule"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/do/<str:name>/", views.meeting_transition, name="meeting_transition"),
    path("meetings/<int:pk>/add/<str:what>/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/qr/", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:pk>/qr.svg", views.meeting_qr_svg, name="meeting_qr_svg"),
    path("meetings/checkin/<str:token>/", views.meeting_checkin, name="meeting_checkin"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/do/<str:name>/", views.decision_transition, name="decision_transition"),
    path("decisions/<int:pk>/case/", views.decision_case, name="decision_case"),
    path("decisions/<int:pk>/rate/", views.decision_rate, name="decision_rate"),
    path("decisions/<int:pk>/project/", views_projects.decision_project, name="decision_project"),
    path("projects/", views_projects.project_list, name="projects"),
    path("projects/new/", views_projects.project_new, name="project_new"),
    path("projects/<int:pk>/", views_projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/do/<str:name>/", views_projects.project_transition, name="project_transition"),
    path("projects/<int:pk>/money/", views_projects.project_money, name="project_money"),
    path("projects/<int:pk>/milestone/", views_projects.project_milestone, name="project_milestone"),
    path("projects/<int:pk>/rate/", views_projects.project_rate, name="project_rate"),
    path("public/projects/<int:pk>/", views_projects.project_public, name="project_public"),
]
