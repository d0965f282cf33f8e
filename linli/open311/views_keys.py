"""Staff page: issue and revoke Open311 API keys (the key is shown once)."""

from __future__ import annotations

import contextlib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.open311.actions import PERM_KEYS, open311_key_issue, open311_key_revoke
from linli.open311.models import Open311Key


def _staff(request: HttpRequest) -> None:
    if PERM_KEYS not in getattr(request.user, "perms", ()):
        raise PermissionDenied


@login_required
def keys(request: HttpRequest) -> HttpResponse:
    _staff(request)
    new_key, error = "", ""
    if request.method == "POST":
        try:
            _row, new_key = open311_key_issue(name=request.POST.get("name", ""), actor=request.user)
        except DomainError as exc:
            error = str(exc.message)
    rows = Open311Key.objects.select_related("created_by")[:200]
    return render(request, "open311/keys.html", {"keys": rows, "new_key": new_key, "error": error})


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    with contextlib.suppress(DomainError):
        open311_key_revoke(key_id=pk, actor=request.user)
    return redirect("open311:keys")
