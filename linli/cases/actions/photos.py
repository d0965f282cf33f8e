"""Case photos: checked and re-encoded by ``linli.core.uploads.photo_clean`` (bytes and pixels checked
before decoding, no EXIF, scaled down), stored under MEDIA_ROOT/cases/<year>/<month>/.

At most ``MAX_PHOTOS`` (9) per report or report-back; the per-photo limits are in docs/limits.md.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from linli.cases.models import Case, CaseEvent, CasePhoto
from linli.core.errors import Invalid
from linli.core.uploads import CleanPhoto, photo_clean

MAX_PHOTOS = 9


def clean_photo(upload: Any) -> CleanPhoto:
    """A case photo through the one door for photos (linli.core.uploads): limits, then re-encoding."""
    if isinstance(upload, CleanPhoto):
        return upload
    return photo_clean(upload, field="photos")


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
    for c in cleaned:
        photo = CasePhoto(case=case, event=event, width=c.width, height=c.height, size=len(c.data),
                          uploaded_by=uploader, created_at=now)
        # Named by the case id (the number is drawn at the very end of an intake: linli/cases/media.py).
        photo.image.save(f"{case.pk}-{secrets.token_hex(6)}.jpg", ContentFile(c.data), save=False)
        photo.save()
        photos.append(photo)
    return photos
