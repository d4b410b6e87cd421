from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from mobility.models import Activity, MobilityFlow, Organisation, Partner, PartnerMembership, Region


class PartnerMembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "kind"]
    list_filter = ["region", "kind"]
    search_fields = ["code", "name"]
    inlines = [PartnerMembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "partner", "is_demo"]
    list_select_related = ["partner"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "acronym"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["partner"]


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "created_at"]
    list_select_related = ["user", "partner"]
    list_filter = ["partner__region"]
    search_fields = ["user__username", "user__email", "partner__name", "partner__code"]
    autocomplete_fields = ["user", "partner"]


class LeadRegionFilter(admin.SimpleListFilter):
    title = _("lead partner's region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return Region.choices

    def queryset(self, request, queryset):
        if self.value() in Region.values:
            return queryset.filter(lead_partner__region=self.value())
        return queryset


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "activity_type", "status", "state", "lead_partner", "start_date", "is_demo"]
    list_select_related = ["lead_partner"]
    list_filter = [
        "state", "status", "activity_type", "objectives", "instruments", LeadRegionFilter, "start_year", "is_demo",
    ]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_partner", "partners", "organisations"]
    filter_horizontal = ["objectives", "priorities", "instruments"]
    readonly_fields = ["created_by", "created_at", "updated_at", "submitted_at", "published_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "activity_type", "status", "is_demo"]}),
        (_("Review"), {"fields": ["state", "review_note", "submitted_at", "published_at"]}),
        (_("When and where"), {"fields": ["start_date", "end_date", "start_year", "end_year", "place", "online",
                                          "delivery_mode"]}),
        (_("Who"), {"fields": ["lead_partner", "lead_description", "partners", "organisations",
                               "participants_asia", "participants_europe"]}),
        (_("Strategy"), {"fields": ["objectives", "priorities", "instruments"]}),
        (_("Results and sources"), {"fields": ["outcomes", "website", "source_url"]}),
        (_("Record"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]


@admin.register(MobilityFlow)
class MobilityFlowAdmin(SimpleHistoryAdmin):
    list_display = ["year", "origin", "destination", "mode", "level", "participants", "female",
                    "fewer_opportunities", "is_demo"]
    list_select_related = ["origin", "destination"]
    list_filter = ["year", "mode", "level", "origin__region", "destination__region", "is_demo"]
    search_fields = ["origin__name", "destination__name", "origin__code", "destination__code", "programme"]
    autocomplete_fields = ["origin", "destination"]
    readonly_fields = ["created_by", "updated_at"]
