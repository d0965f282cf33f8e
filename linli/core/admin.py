"""Core admin: the audit log (read-only, for holders of ``audit.view`` only) and the holiday calendar
(for the system administrator, saved through the calendar actions)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from linli.core.actions import CALENDAR_PERM, calendar_day_delete, calendar_day_set
from linli.core.audit import audit_record
from linli.core.models import AuditEntry, CalendarDay
from linli.core.workdays import calendar_row_problems

AUDIT_PERM = "audit.view"


def _holds(request, perm: str) -> bool:
    user = request.user
    return bool(user.is_active and perm in getattr(user, "perms", ()))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes audit rows; only the audit administrator's permission reads them
    (the system administrator, though staff, does not see the log at all)."""

    list_display = ("at", "actor_name", "action", "target_type", "target_id", "target_repr", "ip", "result")
    list_filter = ("result",)
    search_fields = ("=actor_name", "^action", "=target_id")
    show_full_result_count = False
    actions = None

    def has_module_permission(self, request) -> bool:
        return _holds(request, AUDIT_PERM)

    def has_view_permission(self, request, obj=None) -> bool:
        return _holds(request, AUDIT_PERM)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            audit_record(action="core.audit_view", actor=request.user, detail={"via": "admin"})
        return response


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")

    def clean(self):
        data = super().clean() or {}
        day = data.get("date") or getattr(self.instance, "date", None)
        if day and data.get("kind") is not None and data.get("name") is not None:
            for field, messages in calendar_row_problems(day, data["kind"], data["name"]).items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    ordering = ("-date",)

    def has_module_permission(self, request) -> bool:
        return _holds(request, CALENDAR_PERM)

    def has_view_permission(self, request, obj=None) -> bool:
        return _holds(request, CALENDAR_PERM)

    def has_add_permission(self, request) -> bool:
        return _holds(request, CALENDAR_PERM)

    def has_change_permission(self, request, obj=None) -> bool:
        return _holds(request, CALENDAR_PERM)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _holds(request, CALENDAR_PERM)

    def get_readonly_fields(self, request, obj=None):
        return ("date",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        day = calendar_day_set(date=obj.date, kind=obj.kind, name=obj.name, actor=request.user)
        obj.pk = day.pk

    def delete_model(self, request, obj):
        calendar_day_delete(date=obj.date, actor=request.user)

    def delete_queryset(self, request, queryset):
        for day in queryset.order_by("date"):
            calendar_day_delete(date=day.date, actor=request.user)
