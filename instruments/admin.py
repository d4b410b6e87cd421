from django.contrib import admin

from instruments.models import Aim, Instrument


class AimInline(admin.TabularInline):
    model = Aim
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [AimInline]


@admin.register(Aim)
class AimAdmin(admin.ModelAdmin):
    list_display = ["text", "instrument", "order"]
    list_select_related = ["instrument"]
    list_filter = ["instrument"]
