from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from objectives.models import Indicator, Objective, Observation, Priority, Strategy


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["title", "start_year", "end_year"]
    prepopulated_fields = {"slug": ["title"]}


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0
    fields = ["number", "code", "title", "description"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "strategy"]
    list_select_related = ["strategy"]
    inlines = [PriorityInline]
    search_fields = ["title"]


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "objective"]
    list_select_related = ["objective"]
    list_filter = ["objective"]
    search_fields = ["code", "title"]


class ObservationInline(admin.TabularInline):
    model = Observation
    extra = 1
    fields = ["year", "breakdown", "value", "is_computed", "note"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "priority", "unit", "source", "status_override", "is_demo"]
    list_select_related = ["priority"]
    list_filter = ["priority__objective", "source", "direction", "is_demo"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["priority"]
    inlines = [ObservationInline]
    fieldsets = [
        (None, {"fields": ["priority", "code", "name", "description", "unit", "direction", "weight", "is_demo"]}),
        ("Baseline and target", {"fields": ["baseline_year", "baseline_value", "target_year", "target_value"]}),
        ("Source", {"fields": ["source", "metric", "data_source", "methodology"]}),
        ("Manual status", {"fields": ["status_override", "override_reason"]}),
    ]


@admin.register(Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "year", "breakdown", "value", "is_computed"]
    list_select_related = ["indicator"]
    list_filter = ["is_computed", "year", "indicator__priority__objective"]
    search_fields = ["indicator__code", "indicator__name"]
    autocomplete_fields = ["indicator"]
