from django.urls import path

from linli.mediation import views

app_name = "mediation"

urlpatterns = [
    path("", views.dispute_list, name="disputes"),
    path("ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("figures/", views.figures, name="figures"),
    path("screening/", views.screening_overview, name="screening"),
    path("screening/<int:grid_id>/", views.screening_grid, name="screening_grid"),
    path("red-property/", views.red_property, name="red_property"),
    path("team/", views.team, name="team"),
    path("new/", views.dispute_new, name="dispute_new"),
    path("<int:pk>/", views.dispute_detail, name="dispute_detail"),
    path("<int:pk>/do/<str:name>/", views.dispute_act, name="dispute_act"),
    path("<int:pk>/parties/<int:party_id>/reveal/", views.party_reveal, name="party_reveal"),
    path("<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
]
