"""Case photos: checked, re-encoded without EXIF (location, camera, owner), scaled down, stored under
MEDIA_ROOT/cases/<year>/<month>/.

Limits: ``LINLI_CASE_PHOTO_MAX_BYTES`` per uploaded file (default 10 MB), ``MAX_PHOTOS`` (9) per report
or report-back, ``MAX_SIDE`` pixels on the longer side after scaling. Anything Pillow cannot read as
an image is refused (422).
"""

from __future__ import annotations

import io
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from linli.cases.models import Case, CaseEvent, CasePhoto
from linli.core.errors import Invalid

MAX_PHOTOS = 9
MAX_SIDE = 2048
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early


def max_bytes() -> int:
    return int(getattr(settings, "LINLI_CASE_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def _read(upload: Any) -> bytes:
    if isinstance(upload, bytes | bytearray):
        return bytes(upload)
    if hasattr(upload, "size") and upload.size is not None and upload.size > max_bytes():
        raise Invalid(_("A photo is too large."), fields={"photos": [_("At most %(mb)d MB per photo.") % {
            "mb": max_bytes() // (1024 * 1024)}]})
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(max_bytes() + 1)


def clean_photo(upload: Any) -> tuple[bytes, int, int]:
    """The photo as JPEG bytes without metadata, oriented and scaled: (bytes, width, height)."""
    raw = _read(upload)
    if len(raw) > max_bytes():
        raise Invalid(_("A photo is too large."), fields={"photos": [_("At most %(mb)d MB per photo.") % {
            "mb": max_bytes() // (1024 * 1024)}]})
    try:
        with Image.open(io.BytesIO(raw)) as opened:
            opened.load()
            img: Image.Image = ImageOps.exif_transpose(opened)  # upright once the EXIF tag is gone
            img = img.convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            # A fresh image carries no EXIF, XMP or ICC data: nothing but the pixels is written.
            clean = Image.new("RGB", img.size)
            clean.paste(img)
            clean.save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue(), clean.width, clean.height
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise Invalid(_("A file is not a photo we can read."), fields={"photos": [_("Use a JPEG or PNG photo.")]}) from exc


def check_count(files: list[Any]) -> None:
    if len(files) > MAX_PHOTOS:
        raise Invalid(
            _("At most %(n)d photos.") % {"n": MAX_PHOTOS},
            fields={"photos": [_("At most %(n)d photos.") % {"n": MAX_PHOTOS}]},
        )


def photos_attach(*, case: Case, files: list[Any], actor: Any, event: CaseEvent | None, now: datetime) -> list[CasePhoto]:
    """Clean and store ``files`` on ``case`` (called inside the action's transaction)."""
    check_count(files)
    cleaned = [clean_photo(f) for f in files]  # every file is checked before anything is stored
    uploader = actor if getattr(actor, "is_authenticated", False) else None
    photos = []
    for data, width, height in cleaned:
        photo = CasePhoto(case=case, event=event, width=width, height=height, size=len(data), uploaded_by=uploader,
                          created_at=now)
        # Named by the case id (the number is drawn at the very end of an intake: linli/cases/media.py).
        photo.image.save(f"{case.pk}-{secrets.token_hex(6)}.jpg", ContentFile(data), save=False)
        photo.save()
        photos.append(photo)
    return photos
