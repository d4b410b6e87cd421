from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import (
    EstimatedCountAdminMixin,
    IndexedValuesFieldListFilter,
    UndeliveredEmailAdminMixin,
    indexed_values,
)
from mobility import emails, imports, selectors, services, uploads
from mobility.forms import UploadForm
from mobility.models import Activity, MobilityFlow, Organisation, Partner, PartnerMembership, Region, UndeliveredEmail


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
    # Only the demo loader marks demo data: load_demo --remove deletes whatever carries the mark.
    readonly_fields = ["is_demo"]


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "created_at"]
    list_select_related = ["user", "partner"]
    list_filter = ["partner__region"]
    search_fields = ["user__username", "user__email", "partner__name", "partner__code"]
    autocomplete_fields = ["user", "partner"]


def titled(title):
    """A choice field's usual filter under a title of its own: two filters on fields of the same name read apart."""

    class TitledFilter(admin.ChoicesFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledFilter


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
class ActivityAdmin(EstimatedCountAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "activity_type", "status", "state", "lead_partner", "start_date", "is_demo"]
    list_select_related = ["lead_partner"]
    list_filter = [
        "state", "status", "activity_type", "objectives", "instruments", LeadRegionFilter,
        ("start_year", IndexedValuesFieldListFilter), "is_demo",
    ]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_partner", "partners", "organisations"]
    filter_horizontal = ["objectives", "priorities", "instruments"]
    # The review state moves only through the workflow (submit, approve, return), which also sends its emails;
    # only the demo loader marks demo data, since load_demo --remove deletes whatever carries the mark.
    readonly_fields = ["state", "created_by", "created_at", "updated_at", "submitted_at", "published_at", "is_demo"]
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
    actions = ["approve_submissions"]
    change_list_template = "admin/mobility/activity/change_list.html"

    @admin.action(description=_("Approve and publish the selected submissions"))
    def approve_submissions(self, request, queryset):
        """Through the workflow's service, so the focal points get their email; others are left as they are."""
        approved, refused = 0, []
        for activity in queryset.filter(state=Activity.State.SUBMITTED):
            try:
                services.activity_approve(activity=activity, user=request.user)
                approved += 1
            except (PermissionDenied, ValidationError) as exc:
                refused.append(f"{activity}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        skipped = queryset.exclude(state=Activity.State.SUBMITTED).count() if not refused else 0
        if approved:
            self.message_user(request, _("Published %(n)d submissions.") % {"n": approved}, messages.SUCCESS)
        if skipped:
            self.message_user(request, _("Left %(n)d activities that were not submitted as they are.") % {
                "n": skipped}, messages.WARNING)
        for refusal in refused:
            self.message_user(request, refusal, messages.ERROR)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "review_url": reverse("workspace:review")}
        return super().changelist_view(request, extra_context)


class ReportedByBothEnds(admin.SimpleListFilter):
    """The rows whose route, year, mode, level and programme the other end reported too, with any figure."""

    title = _("reported by both ends")
    parameter_name = "both_ends"

    def lookups(self, request, model_admin):
        return [("yes", _("Reported by both ends")), ("differ", _("Both ends, with different figures"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "differ"):
            return queryset.filter(Exists(selectors.other_ends_report(differing=self.value() == "differ")))
        return queryset


def flow_years() -> list[int]:
    """The years that have flows, in order, read from the unique constraint's leading year (indexed_values)."""
    return indexed_values(MobilityFlow, "year")[0]


class FlowYearFilter(admin.SimpleListFilter):
    """The year filter, its choices read cheaply (flow_years); the parameter stays "year", as addresses have it."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in flow_years()]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not (value.isascii() and value.isdigit()):
            raise IncorrectLookupParameters(f"year: {value!r} is not a year")
        return queryset.filter(year=int(value))


class MobilityFlowForm(forms.ModelForm):
    class Meta:
        model = MobilityFlow
        fields = ["year", "origin", "destination", "mode", "level", "participants", "female", "fewer_opportunities",
                  "programme", "source", "reported_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reported_by" in self.fields:
            self.fields["reported_by"].required = False
            self.fields["reported_by"].help_text = _(
                "The end of the route that reported the row: its origin or its destination. Left empty, the "
                "destination (the host country), whose row is the public figure when both ends report the route."
            )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("reported_by") and cleaned.get("destination"):
            cleaned["reported_by"] = cleaned["destination"]
        return cleaned


@admin.register(MobilityFlow)
class MobilityFlowAdmin(EstimatedCountAdminMixin, SimpleHistoryAdmin):
    form = MobilityFlowForm
    # Newest year first, and the latest entered first within it: read from an index (flow_year_id), where the
    # model's order by the partners' names sorted every row of a million for each page.
    ordering = ["-year", "-pk"]
    # Who reported a row and whether it is the public figure share a column, and demo rows are a filter: the list
    # fits a 1280-pixel screen.
    list_display = ["year", "origin", "destination", "mode", "level", "participants", "female",
                    "fewer_opportunities", "reporter"]
    list_select_related = ["origin", "destination", "reported_by"]
    list_filter = [FlowYearFilter, "mode", "level", ("origin__region", titled(_("region of origin"))),
                   ("destination__region", titled(_("region of destination"))), ReportedByBothEnds, "is_public",
                   "is_demo"]
    search_fields = ["origin__name", "destination__name", "origin__code", "destination__code", "programme"]
    autocomplete_fields = ["origin", "destination", "reported_by"]
    # is_public is the host rule's outcome; is_demo the demo loader's alone, as for activities.
    readonly_fields = ["created_by", "updated_at", "is_public", "is_demo"]
    change_list_template = "admin/mobility/mobilityflow/change_list.html"

    @admin.display(description=_("Reported by"), ordering="reported_by__code")
    def reporter(self, flow):
        return _("%(code)s, public") % {"code": flow.reported_by.code} if flow.is_public else flow.reported_by.code

    def save_model(self, request, obj, form, change):
        routes = [(obj.year, obj.origin_id, obj.destination_id)]
        if change:  # the route it had, whose other row may be public now
            routes.append((form.initial.get("year"), form.initial.get("origin"), form.initial.get("destination")))
        super().save_model(request, obj, form, change)
        services.settle_routes(routes)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.settle_routes([(obj.year, obj.origin_id, obj.destination_id)])

    def delete_queryset(self, request, queryset):
        routes = list(queryset.values_list("year", "origin_id", "destination_id").distinct())
        super().delete_queryset(request, queryset)
        services.settle_routes(routes)

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="mobility_mobilityflow_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        """The secretariat's upload: the same as the workspace's, for flows of any partner."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        problems = None
        if request.method == "POST" and form.is_valid():
            file = form.cleaned_data["file"]
            try:
                outcome = uploads.upload(user=request.user, file=file, filename=file.name, restricted=False)
            except imports.FlowFileInvalid as exc:
                problems = exc
            except PermissionDenied as exc:
                form.add_error("file", str(exc))
            else:
                if isinstance(outcome, uploads.UploadJob):
                    return redirect("workspace:upload", outcome.id)
                self.message_user(request, _("Imported %(result)s.") % {"result": outcome}, messages.SUCCESS)
                return redirect("admin:mobility_mobilityflow_changelist")
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "problems": problems,
            "title": _("Upload a file of mobility flows"), "columns": imports.FLOW_COLUMNS,
            "max_bytes": imports.max_upload_bytes(),
        }
        return TemplateResponse(request, "admin/mobility/mobilityflow/upload.html", context,
                                status=400 if problems or form.errors else 200)


@admin.register(UndeliveredEmail)
class UndeliveredEmailAdmin(UndeliveredEmailAdminMixin, admin.ModelAdmin):
    """Review emails the mail server never took: what they said is kept as it was; the secretariat sends them again
    once the server is back, or deletes them once the people concerned were told another way."""

    list_display = ["failed_at", "activity", "event", "recipients", "error", "attempts"]
    list_select_related = ["activity"]

    def send_email_again(self, undelivered):
        emails.send_again(undelivered)
