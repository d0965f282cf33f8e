"""Uploaded files behind the apps' access rules: ``GET /media/<path>``.

Every file under ``MEDIA_ROOT`` belongs to the app that stored it. An app registers the folder it stores
under and a resolver in its ``AppConfig.ready()``::

    from linli.core.media import media_register
    media_register("cases/", case_photo_visible)

A resolver is ``(request, name) -> bool`` where ``name`` is the file's name relative to ``MEDIA_ROOT``
(what a ``FileField`` stores, e.g. ``cases/2026/03/2026-000123-1a2b3c.jpg``); it answers whether the
requester may see that file. The longest registered prefix decides. A path no app owns, a file that does
not exist and a file the requester may not see are all answered 404: missing and forbidden look the same.

Names are checked before anything is read: no ``..``, ``.`` or empty segment, no absolute path, no
backslash or NUL; and the resolved file (symlinks followed) must lie inside ``MEDIA_ROOT``.

Production: with ``LINLI_MEDIA_ACCEL_PREFIX`` set (e.g. ``/protected-media/``) the view answers with an
``X-Accel-Redirect`` to that prefix plus the name and nginx sends the file from an ``internal`` location
(docs/deploy.md); otherwise Django streams it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

MediaResolver = Callable[[HttpRequest, str], bool]

_RESOLVERS: dict[str, MediaResolver] = {}

# Shown in the page (<img>, a link that opens in the browser); anything else is downloaded.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def media_register(prefix: str, resolver: MediaResolver) -> None:
    """Make ``resolver`` the judge of every file whose name starts with ``prefix`` (a folder, ``"x/"``)."""
    if not prefix or not prefix.endswith("/") or prefix.startswith("/") or clean_name(prefix[:-1]) is None:
        raise ValueError(f"A media prefix is a relative folder ending with '/': {prefix!r}")
    _RESOLVERS[prefix] = resolver


def media_resolver(name: str) -> MediaResolver | None:
    """The resolver of the longest registered prefix of ``name``, or None."""
    best = max((p for p in _RESOLVERS if name.startswith(p)), key=len, default=None)
    return _RESOLVERS[best] if best is not None else None


def clean_name(path: str) -> str | None:
    """``path`` if it is a plain relative name (segments without ``..``/``.``/empty), else None."""
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return path


def media_file(name: str) -> Path | None:
    """The file ``name`` under ``MEDIA_ROOT`` (symlinks resolved, still inside it), or None."""
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        full = (root / name).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not full.is_relative_to(root) or not full.is_file():
        return None
    return full


def content_type_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


@require_safe
def media_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    name = clean_name(path)
    resolver = media_resolver(name) if name is not None else None
    full = media_file(name) if name is not None and resolver is not None else None
    if name is None or resolver is None or full is None or not resolver(request, name):
        raise Http404
    content_type = content_type_of(name)
    accel = getattr(settings, "LINLI_MEDIA_ACCEL_PREFIX", "") or ""
    response: HttpResponseBase
    if accel:
        # nginx sends the file from its internal location; it keeps Content-Type, Content-Disposition and
        # Cache-Control from this answer (X-Content-Type-Options is added by the location itself).
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(full.open("rb"), content_type=content_type)
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(full.name)}"
    response["Cache-Control"] = "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
