"""Volunteers admin: the skill list only (data the volunteer managers keep), saved through
``actions.skill_save``. Volunteers, teams and activities are worked on in the app's own pages."""

from __future__ import annotations

from django.contrib import admin

from linli.volunteers.actions import skill_save
from linli.volunteers.models import Skill
from linli.volunteers.workflow import PERM_MANAGE


def _holds(request) -> bool:
    user = request.user
    return bool(user.is_active and PERM_MANAGE in getattr(user, "perms", ()))


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort")
    search_fields = ("code", "name")
    fields = ("code", "name", "sort")
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
        return False

    def save_model(self, request, obj, form, change) -> None:
        original = Skill.objects.get(pk=obj.pk) if change else None
        saved = skill_save(actor=request.user, code=obj.code, name=obj.name, sort=obj.sort, skill=original)
        obj.pk = saved.pk
