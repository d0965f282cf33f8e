"""Limits at the door for uploaded files: every photo and every workbook passes through here first.

Photos (cases, service orders, wishes, activities and every module to come) go through
``photo_clean``: the byte size is checked, then the image *header* is read (format and pixel count),
and only a photo within the limits is decoded. A JPEG is decoded at a reduced scale (libjpeg's DCT
scaling, ``Image.draft``), so its decoded size stays near the stored size however large the camera's.
The result is a fresh JPEG without EXIF/XMP/ICC data (no location, no camera, no owner), upright and
at most ``MAX_SIDE`` pixels on its longer side.

Workbooks (the registry import, the 12345 import, any later Excel upload) go through ``xlsx_check``
before anything parses them: the byte size, that the file is a zip, the number of parts, and the sum of
the parts' *uncompressed* sizes (a 300 KB zip can hold gigabytes of XML). Every import reads its
workbook through ``xlsx_sheet`` (python-calamine), which checks first, then inflates each part once
through Python's zipfile (which never yields more bytes than a part declares and fails the CRC when
there are more), so the declared sizes bound what calamine can be made to read. Calamine expands no
XML entities. ``defusedxml`` (installed with Linli) makes openpyxl refuse entity expansion where
openpyxl still reads (our own files in tests).

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
from collections.abc import Iterator
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


def _xlsx_source(upload: Any) -> Any:
    """What to open: a path as text, or a file object at its start."""
    if isinstance(upload, bytes | bytearray):
        return io.BytesIO(upload)
    if isinstance(upload, str | Path):
        return str(upload)
    source = getattr(upload, "file", upload)
    if hasattr(source, "seek"):
        source.seek(0)
    return source


def _xlsx_verify_sizes(source: Any, field: str) -> None:
    """Inflate every part once through Python's zipfile, in pieces, keeping nothing: zipfile never yields
    more than a part declares and fails its CRC when the data is longer, so after this the declared sizes
    that ``xlsx_check`` summed are the sizes the reader (calamine, which trusts the zip) will inflate."""
    position = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source) as archive:
            for part in archive.infolist():
                with archive.open(part) as data:
                    while data.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise _not_a_workbook(field) from exc
    finally:
        if position is not None:
            source.seek(position)


def _xlsx_cell(value: Any) -> Any:
    """A cell as openpyxl gave it: an empty cell is None, a whole number an int (a workbook stores every
    number as a float; "1001" typed in a cell is 1001, not 1001.0)."""
    if value == "":
        return None
    if type(value) is float and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


@dataclass
class XlsxSheet:
    """One sheet of a checked workbook, read by calamine (Rust): ``name``, ``height`` (rows up to the last
    used one) and ``rows()``: (the row's number in Excel, its values from column A) for every row that
    holds a value, the header row included. Values are None, str, int, float, bool, date or datetime."""

    name: str
    height: int
    _sheet: Any

    def rows(self, *, start: int = 1) -> Iterator[tuple[int, tuple[Any, ...]]]:
        first = self._sheet.start
        pad = (None,) * (first[1] if first else 0)
        cell = _xlsx_cell
        for number, values in enumerate(self._sheet.iter_rows(), start=1):
            if number < start:
                continue
            row = (*pad, *map(cell, values)) if pad else tuple(map(cell, values))
            if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row):
                yield number, row


def xlsx_sheet(upload: Any, *, sheet: str | None = None, field: str = "file") -> XlsxSheet:
    """THE reader of uploaded workbooks (every import reads through it): the workbook is checked at the
    door first (``xlsx_check``: size, parts, declared unpacked size; then every part inflated once to prove
    the declared sizes true), then the sheet named ``sheet`` (else the first) is read with calamine.
    ``upload``: bytes, a path, or a file object. A file that cannot be read is Invalid (422), too large
    TooLarge (413). Calamine holds the sheet's cells in memory while they are read (about 60 bytes a
    cell); the limits above bound it."""
    from python_calamine import CalamineWorkbook

    xlsx_check(upload, field=field)
    source = _xlsx_source(upload)
    if not isinstance(source, str):
        _xlsx_verify_sizes(source, field)
    else:
        with open(source, "rb") as opened:
            _xlsx_verify_sizes(opened, field)
    try:
        book = CalamineWorkbook.from_path(source) if isinstance(source, str) else CalamineWorkbook.from_filelike(source)
        names = book.sheet_names
        ws = book.get_sheet_by_name(sheet if sheet in names else names[0])
    except Exception as exc:  # noqa: BLE001 - calamine raises several kinds on a damaged file
        raise _not_a_workbook(field) from exc
    return XlsxSheet(name=ws.name, height=ws.end[0] + 1 if ws.end else 0, _sheet=ws)


def xlsx_rows(upload: Any, columns: dict[str, tuple[str, ...]], *, max_rows: int, field: str = "file",
              required: tuple[str, ...] = ()) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a small workbook's first sheet, read through ``xlsx_sheet`` (checked at the door): each
    as (its row number in Excel, {key: value}) for the ``columns`` ({key: the headers it may have}), blank
    rows left out. Refused in Chinese (422) when it is not readable, has no rows, more than ``max_rows``,
    or lacks a header of ``required``. What the simple imports read (devices, facilities)."""
    lines = xlsx_sheet(upload, field=field).rows()
    first = next(lines, None)
    header = [str(h or "").strip() for h in (first[1] if first else ())]
    where = {key: next((i for i, h in enumerate(header) if h in names), None) for key, names in columns.items()}
    missing = [columns[key][0] for key in required if where.get(key) is None]
    if missing:
        raise Invalid(_("The sheet lacks the columns: %(columns)s.") % {"columns": "、".join(missing)},
                      fields={field: [_("Use the template.")]})
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, values in lines:
        if len(rows) >= max_rows:
            raise Invalid(_("At most %(n)s rows per file.") % {"n": max_rows}, fields={field: [_("Too many rows.")]})
        rows.append((number, {key: (values[i] if i is not None and i < len(values) else None)
                              for key, i in where.items()}))
    if not rows:
        raise Invalid(_("The sheet has no rows."), fields={field: [_("No rows.")]})
    return rows
