from django.urls import path

from linli.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("rounds/new", views.round_open, name="round_open"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/do/<str:name>", views.round_transition, name="round_transition"),
    path("rounds/<int:pk>/sheet/<int:building_id>", views.sheet, name="sheet"),
    path("mine/", views.mine, name="mine"),
    path("notice/", views.notice, name="notice"),
]
