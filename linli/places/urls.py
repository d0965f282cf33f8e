from django.urls import path

from linli.places import views

app_name = "places"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.node, name="node"),
    path("<int:pk>/children", views.children, name="children"),
    path("<int:pk>/edit", views.edit, name="edit"),
    path("<int:pk>/add", views.add_child, name="add_child"),
    path("<int:pk>/move", views.move, name="move"),
    path("<int:pk>/delete", views.delete, name="delete"),
    path("<int:pk>/boundary", views.boundary, name="boundary"),
    path("buildings/<int:pk>/qr.png", views.building_qr, name="building_qr"),
    path("compounds/<int:pk>/qr-sheet", views.compound_qr_sheet, name="compound_qr_sheet"),
]
