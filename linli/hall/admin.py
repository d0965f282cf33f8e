"""Read-only admin of the hall: every change goes through the actions (the pages and the API); the admin
only looks."""

from __future__ import annotations

from django.contrib import admin

from linli.hall.models import Application, Certificate, Course, CourseSession, Enrolment, Room, ServiceItem


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[override]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[override]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[override]
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnly):
    list_display = ("name", "code", "category", "promised_days", "agency", "active")
    list_filter = ("category", "agency", "active")
    search_fields = ("name", "code", "initials")


@admin.register(Application)
class ApplicationAdmin(ReadOnly):
    list_display = ("id", "service", "status", "channel", "submitted_at", "due_on")
    list_filter = ("status", "channel")
    exclude = ("applicant_name", "address", "details", "person")  # personal data stays behind the pages


@admin.register(Certificate)
class CertificateAdmin(ReadOnly):
    list_display = ("number", "title", "issued_at", "revoked_at")
    search_fields = ("number",)
    exclude = ("holder_name", "text", "code")


@admin.register(Room)
class RoomAdmin(ReadOnly):
    list_display = ("name", "centre", "kind", "capacity", "needs_approval", "active")
    list_filter = ("kind", "needs_approval", "active")


@admin.register(Course)
class CourseAdmin(ReadOnly):
    list_display = ("title", "kind", "community", "lecturer", "starts_on", "ends_on", "enrolled", "quota", "status")
    list_filter = ("kind", "status")
    search_fields = ("title", "lecturer")


@admin.register(CourseSession)
class CourseSessionAdmin(ReadOnly):
    list_display = ("course", "starts_at", "ends_at", "topic")
    exclude = ("code",)


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnly):
    list_display = ("id", "course", "channel", "status", "enrolled_at")
    list_filter = ("status", "channel")
    exclude = ("name", "person")
