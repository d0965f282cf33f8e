"""Categories (大类/小类): created and changed by holders of ``categories.manage`` (community staff,
the street). A category is never deleted once used: it is deactivated."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.selectors import department_get
from linli.cases.models import Category
from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied
from linli.core.refdata import refdata_changed

EDITABLE = (
    "name", "parent", "keywords", "sign_hours", "handle_days", "feedback_days", "default_department",
    "emergency_notice", "duplicate_radius_m", "duplicate_days", "active", "sort_order",
)
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
LIMITS = {"sign_hours": (0, 240), "handle_days": (0, 365), "feedback_days": (0, 60), "duplicate_radius_m": (0, 10000),
          "duplicate_days": (0, 365), "sort_order": (0, 32767)}


def _require(actor: Any) -> None:
    from linli.cases.access import can_manage_categories

    if actor is not None and not can_manage_categories(actor):
        raise PermissionDenied(_("You may not change the categories."))


def _clean(values: dict[str, Any], *, category: Category | None) -> dict[str, Any]:

    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise Invalid(_("Unknown fields."), fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if key == "name":
            value = str(value or "").strip()
            if not value or len(value) > 64:
                errors[key] = [_("A name of at most 64 characters.")]
        elif key in ("keywords", "emergency_notice"):
            value = str(value or "").strip()
        elif key == "active":
            value = bool(value)
        elif key in LIMITS:
            lo, hi = LIMITS[key]
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[key] = [_("A whole number.")]
                continue
            if not lo <= value <= hi:
                errors[key] = [_("Between %(lo)d and %(hi)d.") % {"lo": lo, "hi": hi}]
        elif key == "parent":
            pk = getattr(value, "pk", value)
            value = Category.objects.filter(pk=pk).first() if pk else None
            if pk and value is None:
                errors[key] = [_("Not found.")]
            elif value is not None and (value.parent_id is not None or (category and value.pk == category.pk)):
                errors[key] = [_("Subcategories sit under a top-level category.")]
            elif value is not None and category is not None and category.children.exists():
                errors[key] = [_("A category with subcategories stays at the top level.")]
        elif key == "default_department":
            pk = getattr(value, "pk", value)
            value = department_get(pk) if pk else None
            if pk and value is None:
                errors[key] = [_("Not found.")]
        out[key] = value
    if errors:
        raise Invalid(_("Please correct the category."), fields=errors)
    return out


@transaction.atomic
def category_create(*, actor: Any, code: str, name: str, **values: Any) -> Category:
    _require(actor)
    code = str(code or "").strip()
    if not CODE_RE.match(code):
        raise Invalid(_("A code of letters, digits, dots, hyphens."), fields={"code": [_("Not a valid code.")]})
    if Category.objects.filter(code=code).exists():
        raise Invalid(_("This code is taken."), fields={"code": [_("This code is taken.")]})
    cleaned = _clean({"name": name, **values}, category=None)
    category = Category.objects.create(code=code, **cleaned)
    audit_record(action="cases.category_create", actor=actor, actor_name="" if actor else "console", target=category,
                 detail={"code": code})
    refdata_changed("categories")
    return category


@transaction.atomic
def category_update(*, category: Category, actor: Any, **changes: Any) -> Category:
    _require(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    cleaned = _clean(changes, category=category)
    changed = []
    for key, value in cleaned.items():
        current = getattr(category, key)
        if current != value:
            setattr(category, key, value)
            changed.append(key)
    if changed:
        category.save(update_fields=changed)
        audit_record(action="cases.category_update", actor=actor, actor_name="" if actor else "console",
                     target=category, detail={"changed": changed})
        refdata_changed("categories")
    return category
