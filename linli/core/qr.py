"""QR codes as PNG or SVG images: the one QR helper (building stickers, certificates, class and meeting sign-in
sheets, redemption vouchers, the authenticator set-up)."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.http import HttpResponse


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


def qr_svg(data: str, *, box_size: int = 10) -> bytes:
    """An SVG document of the QR code for ``data`` (paths only: crisp at any size, printable)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg_inline(data: str, *, box_size: int = 10) -> str:
    """The ``<svg>`` element alone, to place in a page."""
    svg = qr_svg(data, box_size=box_size).decode()
    return svg[svg.find("<svg") :]


def qr_svg_data_uri(data: str, *, box_size: int = 10) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data, box_size=box_size)).decode("ascii")


def qr_svg_response(data: str, *, box_size: int = 20) -> HttpResponse:
    """The SVG as a response that no cache keeps (a sign-in code is a key to a room)."""
    response = HttpResponse(qr_svg(data, box_size=box_size), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response
