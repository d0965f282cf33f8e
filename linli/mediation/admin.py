"""Read-only admin of the mediation app: every change goes through the actions (parties' personal data is
never shown here)."""

from __future__ import annotations

from django.contrib import admin

from linli.mediation.models import Dispute, MediationTeam, Mediator, ScreeningRound


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[override]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[override]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[override]
        return False


@admin.register(Dispute)
class DisputeAdmin(ReadOnly):
    list_display = ("number", "title", "kind", "status", "community", "due_on")
    list_filter = ("status", "kind")
    search_fields = ("number", "title")
    exclude = ("facts",)


@admin.register(Mediator)
class MediatorAdmin(ReadOnly):
    list_display = ("name", "place", "team", "active")


@admin.register(MediationTeam)
class TeamAdmin(ReadOnly):
    list_display = ("name", "community", "active")


@admin.register(ScreeningRound)
class ScreeningAdmin(ReadOnly):
    list_display = ("grid", "month", "done_at")
