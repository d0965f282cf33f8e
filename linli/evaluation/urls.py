from django.urls import path

from linli.evaluation import views, views_members

app_name = "evaluation"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("rounds/new", views.round_open, name="round_open"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/do/<str:name>", views.round_transition, name="round_transition"),
    path("rounds/<int:pk>/sheet/<int:building_id>", views.sheet, name="sheet"),
    path("mine/", views.mine, name="mine"),
    path("notice/", views.notice, name="notice"),
    path("rankings/", views.rankings, name="rankings"),
    path("training/", views.training, name="training"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/sms", views.survey_sms, name="survey_sms"),
    path("surveys/<int:pk>/do/<str:name>", views.survey_transition, name="survey_transition"),
    path("surveys/<int:pk>/answers/<int:answer_id>/case", views.answer_case, name="answer_case"),
    path("surveys/<int:pk>/phone/<int:household_id>", views.survey_phone, name="survey_phone"),
    path("s/<str:token>", views.survey_public, name="survey_public"),
    path("members/", views_members.members, name="members"),
    path("members/<int:pk>/do/<str:name>", views_members.member_transition, name="member_transition"),
    path("commitments/", views_members.commitments, name="commitments"),
    path("commitments/rate/<int:building_id>/<int:year>", views_members.commitments_rate, name="commitments_rate"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/do/<str:name>", views.campaign_transition, name="campaign_transition"),
    path("campaigns/<int:pk>/inspect/<int:target_id>", views.inspect, name="inspect"),
]
