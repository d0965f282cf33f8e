"""Limits at the door for uploaded files: every photo and every workbook passes through here first.

Photos (cases, service orders, wishes, activities and every module to come) go through
``photo_clean``: the byte size is checked, then the image *header* is read (format and pixel count),
and only a photo within the limits is decoded. A JPEG is decoded at a reduced scale (libjpeg's DCT
scaling, ``Image.draft``), so its decoded size stays near the stored size however large the camera's.
The result is a fresh JPEG without EXIF/XMP/ICC data (no location, no camera, no owner), upright and
at most ``MAX_SIDE`` pixels on its longer side.

Workbooks (the registry import, the 12345 import, any later Excel upload) go through ``xlsx_check``
before openpyxl sees them: the byte size, that the file is a zip, the number of parts, and the sum of
the parts' *uncompressed* sizes (a 300 KB zip can hold gigabytes of XML). Python's zipfile never
yields more bytes than a part declares (it stops and fails the CRC), so the declared sizes bound what
the parser can be made to read. ``defusedxml`` (installed with Linli) makes openpyxl refuse XML entity
expansion.

Too large is 413 (``TooLarge``); not a photo, not a workbook, or a bomb is 422 (``Invalid``). The limits
are settings (docs/limits.md):

- ``LINLI_PHOTO_MAX_BYTES`` (10 MB) per photo, ``LINLI_PHOTO_MAX_PIXELS`` (64 Mpx) for a JPEG,
  ``LINLI_PHOTO_MAX_PIXELS_FULL`` (24 Mpx) for formats decoded at full size (PNG, WebP);
- ``LINLI_XLSX_MAX_BYTES`` (20 MB) per workbook, ``LINLI_XLSX_MAX_UNCOMPRESSED`` (200 MB) in all,
  ``LINLI_XLSX_MAX_PARTS`` (500).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from linli.core.errors import Invalid, TooLarge

MB = 1024 * 1024
MAX_SIDE = 2048
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# Pillow's own guard stays on as a second line (it refuses images above twice this while opening).
Image.MAX_IMAGE_PIXELS = 64_000_000


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, None) or default)


def photo_max_bytes() -> int:
    # LINLI_CASE_PHOTO_MAX_BYTES is the older name of the same limit.
    return _setting("LINLI_PHOTO_MAX_BYTES", _setting("LINLI_CASE_PHOTO_MAX_BYTES", 10 * MB))


def photo_max_pixels() -> int:
    return _setting("LINLI_PHOTO_MAX_PIXELS", 64_000_000)


def photo_max_pixels_full() -> int:
    return _setting("LINLI_PHOTO_MAX_PIXELS_FULL", 24_000_000)


def xlsx_max_bytes() -> int:
    return _setting("LINLI_XLSX_MAX_BYTES", 20 * MB)


def xlsx_max_uncompressed() -> int:
    return _setting("LINLI_XLSX_MAX_UNCOMPRESSED", 200 * MB)


def xlsx_max_parts() -> int:
    return _setting("LINLI_XLSX_MAX_PARTS", 500)


# --- photos -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes  # JPEG, no metadata
    width: int
    height: int


def _mb(n: int) -> str:
    return f"{n / MB:g}"


def _size_of(upload: Any) -> int | None:
    if isinstance(upload, bytes | bytearray):
        return len(upload)
    size = getattr(upload, "size", None)
    return int(size) if size is not None else None


def _read_bounded(upload: Any, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of an upload (bytes, a Django UploadedFile or any file object)."""
    if isinstance(upload, bytes | bytearray):
        return bytes(upload[: limit + 1])
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(limit + 1)


def photo_too_large(field: str) -> TooLarge:
    limit = _mb(photo_max_bytes())
    return TooLarge(_("A photo is too large."), fields={field: [_("At most %(mb)s MB per photo.") % {"mb": limit}]})


def _not_a_photo(field: str) -> Invalid:
    return Invalid(_("A file is not a photo we can read."), fields={field: [_("Use a JPEG or PNG photo.")]})


def photo_check_size(upload: Any, *, field: str = "photos") -> None:
    """Refuse (413) a photo larger than the byte limit without reading it, where its size is known."""
    size = _size_of(upload)
    if size is not None and size > photo_max_bytes():
        raise photo_too_large(field)


def photo_clean(upload: Any, *, field: str = "photos") -> CleanPhoto:
    """The photo as JPEG bytes without metadata, upright and scaled; refused before decoding when it
    is too large in bytes (413) or in pixels, or not a JPEG, PNG or WebP image (422)."""
    photo_check_size(upload, field=field)
    raw = _read_bounded(upload, photo_max_bytes())
    if len(raw) > photo_max_bytes():
        raise photo_too_large(field)
    try:
        with Image.open(io.BytesIO(raw)) as opened:  # reads the header only
            if opened.format not in PHOTO_FORMATS:
                raise _not_a_photo(field)
            width, height = opened.size
            pixels = width * height
            limit = photo_max_pixels() if opened.format == "JPEG" else photo_max_pixels_full()
            if width <= 0 or height <= 0 or pixels > limit:
                raise Invalid(
                    _("The photo has too many pixels."),
                    fields={field: [_("At most %(mp)d megapixels.") % {"mp": limit // 1_000_000}]},
                    code="too_many_pixels",
                )
            if opened.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale when that still covers MAX_SIDE.
                opened.draft("RGB", (MAX_SIDE, MAX_SIDE))
            opened.load()
            orientation = opened.getexif().get(0x0112)
            opened.thumbnail((MAX_SIDE, MAX_SIDE))  # in place, first: every copy below is small
            img: Image.Image = opened
            if orientation:
                exif = img.getexif()
                exif[0x0112] = orientation
                img = ImageOps.exif_transpose(img)  # upright once the EXIF tag is gone
            img = img.convert("RGB")
            out = io.BytesIO()
            # A fresh image carries no EXIF, XMP or ICC data: nothing but the pixels is written.
            clean = Image.new("RGB", img.size)
            clean.paste(img)
            clean.save(out, format="JPEG", quality=85, optimize=True)
            return CleanPhoto(out.getvalue(), clean.width, clean.height)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError, SyntaxError) as exc:
        raise _not_a_photo(field) from exc


def api_photos_max_bytes() -> int:
    """The decoded bytes of all photos of one API request (they travel as base64 inside the JSON body)."""
    return _setting("LINLI_API_PHOTOS_MAX_BYTES", 16 * MB)


def photos_from_base64(items: list[str] | None, *, field: str = "photos") -> list[bytes]:
    """Decode base64 photos of an API body (``data:`` URLs accepted): each within the photo limit, all
    together within ``LINLI_API_PHOTOS_MAX_BYTES`` (413 beyond); not base64 is 422."""
    import base64
    import binascii

    out: list[bytes] = []
    total = 0
    for item in items or []:
        text = item.split(",", 1)[1] if item.startswith("data:") else item
        if len(text) * 3 // 4 > photo_max_bytes() + 3:
            raise photo_too_large(field)
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Invalid(_("A photo is not valid base64."), fields={field: [_("Not base64.")]}) from exc
        if len(data) > photo_max_bytes():
            raise photo_too_large(field)
        total += len(data)
        if total > api_photos_max_bytes():
            raise TooLarge(
                _("The photos are too large together."),
                fields={field: [_("At most %(mb)s MB of photos in one request.") % {"mb": _mb(api_photos_max_bytes())}]},
            )
        out.append(data)
    return out


# --- workbooks ------------------------------------------------------------------------------------------------


def _not_a_workbook(field: str) -> Invalid:
    return Invalid(_("The file is not an Excel workbook (.xlsx)."), fields={field: [_("Upload an Excel workbook (.xlsx).")]})


def xlsx_check(upload: Any, *, field: str = "file") -> None:
    """Refuse a workbook that is too large (413), not a zip, or whose parts would unpack to more than
    the limit (422), before anything parses it. ``upload``: bytes, a path, or a file object (its
    position is restored)."""
    size = _size_of(upload)
    if size is None and isinstance(upload, str | Path):
        size = Path(upload).stat().st_size
    if size is not None and size > xlsx_max_bytes():
        raise TooLarge(
            _("The workbook is too large."),
            fields={field: [_("At most %(mb)s MB per workbook.") % {"mb": _mb(xlsx_max_bytes())}]},
        )
    if isinstance(upload, bytes | bytearray):
        source: Any = io.BytesIO(upload)
    elif isinstance(upload, str | Path):
        source = str(upload)
    else:
        source = getattr(upload, "file", upload)
    position = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _not_a_workbook(field) from exc
    finally:
        if position is not None:
            source.seek(position)
    if len(parts) > xlsx_max_parts() or sum(max(0, p.file_size) for p in parts) > xlsx_max_uncompressed():
        raise Invalid(
            _("The workbook unpacks to too much data."),
            fields={field: [_("At most %(mb)s MB of data once unpacked.") % {"mb": _mb(xlsx_max_uncompressed())}]},
            code="too_much_data",
        )
    if not any(p.filename == "[Content_Types].xml" for p in parts):
        raise _not_a_workbook(field)


def xlsx_uncompressed_size(path: str | Path) -> int:
    """The sum of a (checked) workbook's declared part sizes: how much a parser will read."""
    with zipfile.ZipFile(path) as archive:
        return sum(p.file_size for p in archive.infolist())


def xlsx_rows(upload: Any, columns: dict[str, tuple[str, ...]], *, max_rows: int, field: str = "file",
              required: tuple[str, ...] = ()) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a small workbook's first sheet, checked at the door first (``xlsx_check``): each as
    (its row number in Excel, {key: value}) for the ``columns`` ({key: the headers it may have}), blank
    rows left out. Refused in Chinese (422) when it is not readable, has no rows, more than ``max_rows``,
    or lacks a header of ``required``. What the simple imports read (devices, facilities); the registry
    reads its large workbooks itself (linli/residents/importer.py)."""
    from openpyxl import load_workbook

    xlsx_check(upload, field=field)
    if isinstance(upload, bytes | bytearray):
        source: Any = io.BytesIO(upload)
    else:
        source = getattr(upload, "file", upload)
        if hasattr(source, "seek"):
            source.seek(0)
    try:
        book = load_workbook(source, read_only=True, data_only=True)
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(lines, ())]
        where = {key: next((i for i, h in enumerate(header) if h in names), None) for key, names in columns.items()}
        missing = [columns[key][0] for key in required if where.get(key) is None]
        if missing:
            raise Invalid(_("The sheet lacks the columns: %(columns)s.") % {"columns": "、".join(missing)},
                          fields={field: [_("Use the template.")]})
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(lines, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            if len(rows) >= max_rows:
                raise Invalid(_("At most %(n)s rows per file.") % {"n": max_rows}, fields={field: [_("Too many rows.")]})
            rows.append((number, {key: (values[i] if i is not None and i < len(values) else None)
                                  for key, i in where.items()}))
        book.close()
    except Invalid:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _not_a_workbook(field) from exc
    if not rows:
        raise Invalid(_("The sheet has no rows."), fields={field: [_("No rows.")]})
    return rows
