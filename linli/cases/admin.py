"""Cases admin: the categories only, for holders of ``categories.manage``, saved through the category
actions. Cases themselves are data, not configuration: they are read and changed in the case pages
(the administrators' roles see no resident data)."""

from __future__ import annotations

from django.contrib import admin

from linli.cases.actions import category_create, category_update
from linli.cases.actions.categories import EDITABLE
from linli.cases.models import Category
from linli.cases.workflow import PERM_CATEGORIES


def _holds(request) -> bool:
    user = request.user
    return bool(user.is_active and PERM_CATEGORIES in getattr(user, "perms", ()))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "sign_hours", "handle_days", "feedback_days", "default_department", "active")
    list_filter = ("active",)
    search_fields = ("code", "name", "keywords")
    fields = ("code", *EDITABLE)
    actions = None

    def has_module_permission(self, request) -> bool:
        return _holds(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _holds(request)

    def has_add_permission(self, request) -> bool:
        return _holds(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _holds(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in EDITABLE if f in form.cleaned_data}
        if change:
            saved = category_update(category=obj, actor=request.user, **values)
        else:
            saved = category_create(actor=request.user, code=form.cleaned_data["code"], **values)
        obj.pk = saved.pk
