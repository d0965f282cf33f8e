"""URLs of the 三单制 orders and 微心愿 wishes; included by ``linli/party/urls.py`` (namespace ``party``)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
