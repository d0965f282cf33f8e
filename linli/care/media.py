"""Who may open a visit photo (``/media/care/visits/...``): whoever may see the visit."""

from __future__ import annotations

from django.http import HttpRequest


def visit_photo_visible(request: HttpRequest, name: str) -> bool:
    from linli.care.models import Visit

    return Visit.objects.visible_to(request.user).filter(photo=name).exists()
