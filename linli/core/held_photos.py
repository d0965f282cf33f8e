"""Photos of a refused send, held for the corrected one: browsers never refill a file input, so a form
refused without JavaScript (a location outside every grid, an empty field, one unreadable photo) would
otherwise lose the photos the resident already chose.

A page that takes photos and refuses a send hands what it got to ``photos_hold``. Each photo passes
``photo_clean`` (the one door of every photo: bytes and pixels checked before decoding, no metadata);
the clean JPEGs and a small thumbnail are written under ``MEDIA_ROOT/held/<id>/`` and the page carries
``HeldPhotos.token`` in a hidden field (``held``), shows the thumbnails (``data:`` URLs, nothing served
from ``/media/``) and a "remove" box per photo (``held_drop``). The next send calls ``photos_held`` to
get them back as ``CleanPhoto`` for the action, and ``photos_release`` once the action succeeded.

A token is signed (``django.core.signing``, salt ``linli.held_photos``), older than
``LINLI_HELD_PHOTOS_HOURS`` (3) it is refused, and it works only in the session that held it (the
session lists its holds): a token copied into another session is useless. Bounds: at most
``MAX_PHOTOS`` (9) photos per hold, at most ``HOLDS_PER_SESSION`` (3) holds per session (the oldest goes),
each photo at most ``MAX_SIDE`` pixels on its longer side. ``held_photos_sweep`` (hourly, with the
core's periodic sweep ``core_ratehits_prune``) deletes holds older than the limit, whoever left them.
"""

from __future__ import annotations

import base64
import io
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from PIL import Image

from linli.core.errors import DomainError
from linli.core.uploads import CleanPhoto, photo_clean

MAX_PHOTOS = 9
HOLDS_PER_SESSION = 3
THUMB_SIDE = 160
SALT = "linli.held_photos"
SESSION_KEY = "held_photos"
FOLDER = "held"


def held_hours() -> float:
    return float(getattr(settings, "LINLI_HELD_PHOTOS_HOURS", None) or 3)


@dataclass
class HeldPhoto:
    key: str  # the photo's name in its hold ("0", "1", ...), what ``held_drop`` names
    thumb: str  # a data: URL of the thumbnail


@dataclass
class HeldPhotos:
    token: str
    photos: list[HeldPhoto] = field(default_factory=list)
    refused: list[DomainError] = field(default_factory=list)  # photos that did not pass the door

    @property
    def room(self) -> int:
        """How many more photos the send may add."""
        return MAX_PHOTOS - len(self.photos)


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def _folder(hold_id: str) -> Path:
    return _root() / hold_id


def _thumb(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as img:
        img.thumbnail((THUMB_SIDE, THUMB_SIDE))
        out = io.BytesIO()
        img.convert("RGB").save(out, format="JPEG", quality=70)
        return out.getvalue()


def _session_holds(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_KEY, []))


def _hold_id(request: HttpRequest, token: str) -> str | None:
    """The hold a token names, if it is signed, young enough and held by this session."""
    if not token:
        return None
    try:
        hold_id = signing.loads(token, salt=SALT, max_age=timedelta(hours=held_hours()))
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(hold_id, str) or not hold_id.isalnum() or hold_id not in _session_holds(request):
        return None
    return hold_id


def _discard(request: HttpRequest, hold_id: str) -> None:
    shutil.rmtree(_folder(hold_id), ignore_errors=True)
    holds = _session_holds(request)
    if hold_id in holds:
        holds.remove(hold_id)
        request.session[SESSION_KEY] = holds


def photos_hold(
    request: HttpRequest, uploads: list[Any], *, kept: list[CleanPhoto] | None = None, replaces: str = ""
) -> HeldPhotos | None:
    """Hold ``kept`` (photos already held and not removed) and every upload that passes the photo door,
    at most ``MAX_PHOTOS`` in all, for this session; ``replaces``: the token of the hold they came from
    (deleted). None when nothing is held (the refused uploads are then lost anyway)."""
    clean: list[CleanPhoto] = list(kept or [])
    refused: list[DomainError] = []
    for upload in uploads:
        if len(clean) >= MAX_PHOTOS:
            break
        try:
            clean.append(photo_clean(upload, field="photos"))
        except DomainError as exc:
            refused.append(exc)
    old = _hold_id(request, replaces)
    if old is not None:
        _discard(request, old)
    if not clean:
        return None
    holds = _session_holds(request)
    while len(holds) >= HOLDS_PER_SESSION:
        _discard(request, holds[0])
        holds = _session_holds(request)
    hold_id = secrets.token_hex(16)
    folder = _folder(hold_id)
    folder.mkdir(parents=True, exist_ok=False)
    photos = []
    for n, photo in enumerate(clean[:MAX_PHOTOS]):
        thumb = _thumb(photo.data)
        (folder / f"{n}.jpg").write_bytes(photo.data)
        photos.append(HeldPhoto(str(n), "data:image/jpeg;base64," + base64.b64encode(thumb).decode()))
    request.session[SESSION_KEY] = [*holds, hold_id]
    return HeldPhotos(token=signing.dumps(hold_id, salt=SALT), photos=photos, refused=refused)


def photos_held(
    request: HttpRequest, token: str, *, drop: list[str] | tuple[str, ...] = ()
) -> list[CleanPhoto]:
    """The held photos of ``token`` (this session's, not expired) without those named in ``drop``; an
    unknown, foreign or expired token holds nothing. The hold stays until ``photos_release``."""
    hold_id = _hold_id(request, token)
    if hold_id is None:
        return []
    out = []
    for path in sorted(_folder(hold_id).glob("*.jpg"), key=lambda p: int(p.stem) if p.stem.isdigit() else -1):
        if not path.stem.isdigit() or path.stem in drop:
            continue
        out.append(photo_clean(path.read_bytes(), field="photos"))  # the one door, again
    return out[:MAX_PHOTOS]


def photos_release(request: HttpRequest, token: str) -> None:
    """The send succeeded: the hold of ``token`` is deleted."""
    hold_id = _hold_id(request, token)
    if hold_id is not None:
        _discard(request, hold_id)


def held_photos_sweep(*, now: float | None = None) -> int:
    """Delete every hold older than ``LINLI_HELD_PHOTOS_HOURS``; the number deleted."""
    root = _root()
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - held_hours() * 3600
    gone = 0
    for folder in root.iterdir():
        try:
            old = folder.stat().st_mtime < cutoff
        except OSError:
            continue
        if old:
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)
            gone += 1
    return gone
