"""Admin for the plan's indicators and their observations."""

from django.contrib import admin

from indicators_app.models import Indicator, Observation


class ObservationInline(admin.TabularInline):
    model = Observation
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "group", "target_text", "responsible_department"]
    list_filter = ["category", "group", "frequency", "responsible_department"]
    search_fields = ["code", "name"]
    inlines = [ObservationInline]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period", "value", "unit", "source", "reported_by"]
    list_filter = ["indicator__category", "period"]
    search_fields = ["indicator__name", "source"]
