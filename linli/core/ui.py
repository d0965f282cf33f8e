"""UI generics every app's views share: permission decorators, and turning an action's DomainError
into the right HTTP answer or into form errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest

from linli.core.errors import DomainError, Invalid, NotFound, PermissionDenied, TooLarge


def perm_required(*perms: str, require_all: bool = False):
    """Logged in and holding one of ``perms`` (all of them with ``require_all``); 403 otherwise.
    Objects are still scoped in the view through the access kit."""
    wanted = frozenset(perms)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            held: frozenset[str] = getattr(request.user, "perms", frozenset())
            if not (wanted <= held if require_all else wanted & held):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def raise_http(exc: DomainError) -> None:
    """Out of scope or missing: 404; not allowed: 403. Other errors are the caller's to show."""
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message)) from exc
    if isinstance(exc, PermissionDenied):
        raise DjangoPermissionDenied(str(exc.message)) from exc


def error_message(request: HttpRequest, exc: DomainError, *, with_fields: bool = False) -> None:
    """A refused page action: 404 or 403 as ``raise_http`` says, else the message shown on the next page
    (``with_fields``: followed by what it says of each field, e.g. a nomination's "nobody of this name")."""
    raise_http(exc)
    parts = [str(exc.message)]
    if with_fields:
        parts += [str(m) for msgs in (exc.fields or {}).values() for m in msgs]
    messages.error(request, " ".join(parts))


class Styled:
    """Bootstrap's classes on every widget of a form or model form (mix in before the form class); large inputs for
    the phone unless ``large_widgets`` is False. Radio buttons and check-box lists keep their own markup."""

    large_widgets = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        large = self.large_widgets
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-lg" if large else "form-select")
            else:
                widget.attrs.setdefault("class", "form-control form-control-lg" if large else "form-control")


class StyledForm(Styled, forms.Form):
    """A plain form with :class:`Styled` widgets."""


def after_cursor(request: HttpRequest, param: str = "after") -> int | None:
    """The keyset pager's ``?after=`` of a page (``param``: a second list's, e.g. ``mine_after``), or None (not
    digits, or past a 64-bit id)."""
    value = request.GET.get(param, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


PAGE_SIZE = 50


def page_rows(
    request: HttpRequest, qs: Any, *, size: int | None = None, ascending: bool = False, key: str = ""
) -> dict[str, Any]:
    """One page of a list page through the one keyset pager (``core.batches.keyset_page``), for
    ``core/partials/more.html``: ``rows``, ``next_after``, ``more_query`` (the page's query without this
    list's cursor, so the "More" link keeps the filters and the other lists' places), ``after_param`` and
    ``next_url`` (the next page's query, "" at the end, for a list whose "More" loads in place with htmx).
    ``size`` defaults to ``PAGE_SIZE``. A second list on the same page passes ``key`` (its cursor is
    ``?<key>_after=``) and includes the partial with its own values."""
    from linli.core.batches import keyset_page

    param = f"{key}_after" if key else "after"
    rows, next_after = keyset_page(qs, after=after_cursor(request, param), size=size or PAGE_SIZE, ascending=ascending)
    query = request.GET.copy()
    query.pop(param, None)
    more_query = query.urlencode()
    next_url = f"?{more_query}&{param}={next_after}" if more_query else f"?{param}={next_after}"
    return {"rows": rows, "next_after": next_after, "more_query": more_query, "after_param": param,
            "next_url": next_url if next_after else ""}


def first_rows(qs: Any, limit: int) -> dict[str, Any]:
    """The first ``limit`` rows of a list that keeps its own order and so is not paged (a select's options, rooms
    grouped by centre), for ``core/partials/cut.html``: ``rows``, and ``cut`` (the limit) when there were more, so
    the page says so instead of cutting without a word."""
    rows = list(qs[: limit + 1])
    return {"rows": rows[:limit], "cut": limit if len(rows) > limit else None}


def form_errors(form, exc: DomainError) -> None:
    """Put an action's error on the form: by field where the field is on the form, else on the form."""
    placed = False
    for field, msgs in exc.fields.items():
        if field in form.fields:
            for msg in msgs:
                form.add_error(field, str(msg))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


UPLOAD_FIELDS = frozenset({"photos", "photo", "file"})


def upload_error_status(exc: DomainError) -> int:
    """The status of a page that shows its form again after an action refused an upload: 413 for a file
    beyond a size limit, 422 for a file that is not what it claims or is a bomb; 200 otherwise (the
    form with its messages)."""
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, Invalid) and UPLOAD_FIELDS & set(exc.fields):
        return 422
    return 200


# --- badges on a building's public pages ---------------------------------------------------------------------
# Apps that have something to show on a building's public page and its QR page (evaluation's red flag, …)
# register a provider at start-up (AppConfig.ready): ``provider(building) -> [{"icon", "label", "style"}]``.
# The places and cases apps render them without importing the apps that provide them.

BuildingBadgeProvider = Callable[[Any], list[dict[str, Any]]]
BUILDING_BADGES: list[BuildingBadgeProvider] = []


def building_badge_register(provider: BuildingBadgeProvider) -> None:
    if provider not in BUILDING_BADGES:
        BUILDING_BADGES.append(provider)


def building_badges(building: Any) -> list[dict[str, Any]]:
    if building is None:
        return []
    badges: list[dict[str, Any]] = []
    for provider in BUILDING_BADGES:
        badges += provider(building)
    return badges


# --- panels on a building's public pages -----------------------------------------------------------------------
# Like the badges, a larger block: ``provider(building) -> [{"title", "icon", "testid", "rows": [{"label",
# "detail", "items": [str]}], "link": {"url", "label"} | None}]`` (the serving party members and their
# commitments, 亮身份 and 亮承诺). Rendered by core/partials/building_panels.html; no personal data unmasked.

BuildingPanelProvider = Callable[[Any], list[dict[str, Any]]]
BUILDING_PANELS: list[BuildingPanelProvider] = []


def building_panel_register(provider: BuildingPanelProvider) -> None:
    if provider not in BUILDING_PANELS:
        BUILDING_PANELS.append(provider)


def building_panels(building: Any) -> list[dict[str, Any]]:
    if building is None:
        return []
    panels: list[dict[str, Any]] = []
    for provider in BUILDING_PANELS:
        panels += provider(building)
    return panels
