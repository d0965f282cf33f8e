"""URLs of the 三单制 orders and 微心愿 wishes, under /party/ (the paths they had in the party app)."""

from django.urls import path

from linli.orders import views as v

app_name = "orders"

urlpatterns: list = [
    path("orders", v.order_list, name="order_list"),
    path("orders/new", v.order_new, name="order_new"),
    path("orders/mine", v.my_orders, name="my_orders"),
    path("orders/pool", v.order_pool, name="order_pool"),
    path("orders/<int:pk>", v.order_detail, name="order_detail"),
    path("orders/<int:pk>/<slug:name>", v.order_act, name="order_act"),
    path("wishes", v.wish_wall, name="wish_wall"),
    path("wishes/new", v.wish_new, name="wish_new"),
    path("wishes/mine", v.my_wishes, name="my_wishes"),
    path("wishes/adopt", v.wishes_to_adopt, name="wish_adopt_list"),
    path("wishes/manage", v.wish_manage, name="wish_manage"),
    path("wishes/<int:pk>", v.wish_detail, name="wish_detail"),
    path("wishes/<int:pk>/<slug:name>", v.wish_act, name="wish_act"),
]
