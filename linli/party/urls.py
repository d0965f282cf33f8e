from django.urls import path  # noqa: F401

from linli.party import urls_service

app_name = "party"

urlpatterns: list = []

# 三单制 orders and 微心愿 wishes (views_service.py).
urlpatterns += urls_service.urlpatterns
