"""Who may open a case photo (``/media/cases/...``, registered in ``CasesConfig.ready``).

A photo is shown to whoever may see its case: staff through ``access.visible_to`` (their place, owned,
dispatched, summoned), the reporter by login, and the reporter identified by a phone one-time code in
the session (the same predicate as the resident's own case page, ``views._phone_is_reporter``). Staff of
the case see every photo; anybody else only the photos of what the resident's page shows (the report,
and events in ``selectors.public_events``): a photo on an internal note stays internal. The public
board shows no photos, so no photo is public.

Photos are stored as ``cases/<year>/<month>/<case id>-<random>.jpg`` (``actions.photos``; photos stored
before issue 18 carry the case number, 2026-000123-<random>.jpg): the id or number in the name finds the
case by its unique index; the photo row is then looked up by case.
"""

from __future__ import annotations

from django.http import HttpRequest


def case_photo_visible(request: HttpRequest, name: str) -> bool:
    from linli.cases import selectors
    from linli.cases.access import can_view_case, is_staff_for
    from linli.cases.models import CasePhoto
    from linli.cases.views import _phone_is_reporter

    key = name.rsplit("/", 1)[-1].rsplit("-", 1)[0]
    by_case = {"case_id": int(key)} if key.isdigit() else {"case__number": key}
    photo = CasePhoto.objects.select_related("case").filter(image=name, **by_case).first()
    if photo is None:
        return False
    case, user = photo.case, request.user
    if not (can_view_case(user, case) or _phone_is_reporter(request, case)):
        return False
    if photo.event_id is None or is_staff_for(user, case):
        return True
    return selectors.public_events(case).filter(pk=photo.event_id).exists()
