"""Case pages (/cases/...): worklists, the case page, the public board. The views arrive with the UI."""

from django.urls import path  # noqa: F401

app_name = "cases"

urlpatterns: list = []
