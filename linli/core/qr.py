"""QR codes as PNG images (the one QR helper: building stickers, certificates, class sign-in sheets)."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.constants


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
