"""QR codes for buildings: each opens the resident's report page of its building, ``/r/<public code>``.

The address is absolute: ``LINLI_PUBLIC_URL`` (e.g. ``https://linli.example.cn``) when the operator sets
it, since printed codes outlive the address a staff member happened to use; otherwise the request's.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.constants
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

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


def qr_png(data: str, *, box_size: int = 10, border: int = 4) -> bytes:
    """A PNG of the QR code for ``data`` (error correction M: survives a scuffed sticker)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(data: str, *, box_size: int = 6) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(data, box_size=box_size)).decode("ascii")
