from django.urls import path, re_path

from linli.open311 import views, views_keys

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("", views_keys.keys, name="root"),
    path("keys/", views_keys.keys, name="keys"),
    path("keys/<int:pk>/revoke", views_keys.revoke, name="revoke"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<rid>[^/]+?)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token_detail, name="token"),
]
