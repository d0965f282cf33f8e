from django.urls import path

from linli.residents import views, views_orgs

app_name = "residents"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("persons/<int:pk>/move-out/", views.person_move_out, name="person_move_out"),
    path("persons/<int:pk>/death/", views.person_record_death, name="person_record_death"),
    path("persons/<int:pk>/move-in/", views.person_move_in, name="person_move_in"),
    path("persons/<int:pk>/tags/", views.person_tag_add, name="person_tag_add"),
    path("persons/<int:pk>/tags/<int:tag_pk>/end/", views.person_tag_end, name="person_tag_end"),
    path("persons/<int:pk>/household/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/members/", views.household_add_member, name="household_add_member"),
    path("households/<int:pk>/members/<int:member_pk>/end/", views.household_end_member, name="household_end_member"),
    path("tags/", views.tag_list, name="tag_list"),
    path("organisations/", views_orgs.organisation_list, name="organisation_list"),
    path("organisations/new/", views_orgs.organisation_create, name="organisation_create"),
    path("organisations/template.xlsx", views_orgs.organisation_template, name="organisation_template"),
    path("organisations/export.xlsx", views_orgs.organisation_export, name="organisation_export"),
    path("organisations/<int:pk>/", views_orgs.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views_orgs.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/reveal/", views_orgs.organisation_reveal, name="organisation_reveal"),
    path("organisations/<int:pk>/serve/", views_orgs.organisation_serve, name="organisation_serve"),
    path("organisations/<int:pk>/services/<int:service_pk>/end/", views_orgs.organisation_serve_end,
         name="organisation_serve_end"),
    path("organisations/<int:pk>/close/", views_orgs.organisation_close, name="organisation_close"),
    path("template.xlsx", views.template_download, name="template"),
    path("export.xlsx", views.export, name="export"),
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("import/<int:pk>/report.xlsx", views.import_report, name="import_report"),
]
