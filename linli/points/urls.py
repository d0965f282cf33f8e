from django.urls import path

from linli.points import views

app_name = "points"

urlpatterns = [
    path("me/", views.my_points, name="my_points"),
    path("shop/", views.shop, name="shop"),
    path("r/<int:pk>/", views.redemption, name="redemption"),
    path("r/<int:pk>/<str:name>/", views.redemption_action, name="redemption_action"),
    path("fulfil/", views.fulfil, name="fulfil"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export/<str:what>.xlsx", views.ledger_export, name="ledger_export"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("correct/", views.correct, name="correct"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("items/", views.items, name="items"),
    path("items/new/", views.item_edit, name="item_new"),
    path("items/<int:pk>/", views.item_edit, name="item_edit"),
    path("rankings/", views.rankings, name="rankings"),
    path("selections/", views.selections, name="selections"),
    path("selections/<int:pk>/", views.selection, name="selection"),
    path("honours/", views.honours, name="honours"),
]
