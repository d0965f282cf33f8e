from django.urls import path

from linli.party import views

app_name = "party"

urlpatterns: list = [
    path("", views.home, name="home"),
    path("orgs/<int:org_id>/", views.org_detail, name="org_detail"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/new/", views.registration_new, name="registration_new"),
    path("registrations/<int:registration_id>/", views.registration_detail, name="registration_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner_detail"),
    path("reports/", views.report, name="report"),
]
