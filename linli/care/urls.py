from django.urls import path

from linli.care import views, views_canteen

app_name = "care"

urlpatterns = [
    path("", views.visits, name="visits"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("needs/", views.needs, name="needs"),
    path("needs/<int:pk>/<str:name>/", views.need_act, name="need_act"),
    path("home/", views.home_services, name="home_services"),
    path("home/<int:pk>/do/<str:name>/", views.home_service_act, name="home_service_act"),
    path("canteen/", views_canteen.canteen, name="canteen"),
    path("canteen/order/<int:item>/", views_canteen.order, name="meal_order"),
    path("canteen/orders/<int:pk>/cancel/", views_canteen.cancel, name="meal_cancel"),
    path("canteen/<int:pk>/kitchen/", views_canteen.kitchen, name="kitchen"),
    path("canteen/<int:pk>/subsidy.xlsx", views_canteen.subsidy, name="subsidy"),
]
