from django.contrib import admin

from linli.evaluation.models import Criterion


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "weight", "max_score", "sort", "active")
    list_editable = ("weight", "max_score", "sort", "active")
