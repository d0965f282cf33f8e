"""Case pages (/cases/...): the resident's report and matters, worklists, the case page, staff intake,
the public board. The resident's entry points /r/<code> and /report are wired in config/urls.py."""

from django.urls import path

from linli.cases import views

app_name = "cases"

urlpatterns = [
    path("report", views.report, name="report"),
    path("phone/code", views.phone_code, name="phone_code"),
    path("phone/verify", views.phone_verify, name="phone_verify"),
    path("filed/<str:number>", views.filed, name="filed"),
    path("mine", views.mine, name="mine"),
    path("mine/<str:number>", views.my_case, name="my_case"),
    path("<int:pk>/rate", views.rate, name="rate"),
    path("<int:pk>/support", views.support, name="support"),
    path("worklist", views.worklist, name="worklist"),
    path("dispatch", views.dispatch, name="dispatch"),
    path("dispatch/bulk", views.bulk_dispatch, name="bulk_dispatch"),
    path("department", views.department, name="department"),
    path("department/done", views.department_done, name="department_done"),
    path("supervise", views.supervise, name="supervise"),
    path("new", views.intake, name="intake"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/act/<str:name>", views.case_act, name="act"),
    path("board/", views.boards, name="boards"),
    path("board/<int:pk>", views.board_page, name="board"),
]
