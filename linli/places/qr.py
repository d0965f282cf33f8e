"""QR codes for buildings: each opens the resident's report page of its building, ``/r/<public code>``.

The address is absolute: ``LINLI_PUBLIC_URL`` (e.g. ``https://linli.example.cn``) when the operator sets
it, since printed codes outlive the address a staff member happened to use; otherwise the request's.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from linli.core.qr import qr_data_uri, qr_png  # noqa: F401 (places.views takes them from here)
from linli.places.models import Place


def building_report_path(building: Place) -> str:
    return reverse("building_report", kwargs={"code": building.public_code})


def building_report_url(building: Place, request: HttpRequest | None = None) -> str:
    path = building_report_path(building)
    base = (getattr(settings, "LINLI_PUBLIC_URL", "") or "").rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path
