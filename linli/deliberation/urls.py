from django.urls import path

from linli.deliberation import views

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
]
