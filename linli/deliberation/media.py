"""Who may open a project's milestone photo (``/media/deliberation/projects/<project id>/...``): whoever may
see the project (anyone once it is public)."""

from __future__ import annotations

from django.http import HttpRequest


def project_photo_visible(request: HttpRequest, name: str) -> bool:
    from linli.deliberation.models import MilestonePhoto, Project

    parts = name.split("/")
    if len(parts) != 4 or not parts[2].isdigit():
        return False
    project_id = int(parts[2])
    if not MilestonePhoto.objects.filter(image=name, milestone__project_id=project_id).exists():
        return False
    return Project.objects.visible_to(request.user).filter(pk=project_id).exists()
