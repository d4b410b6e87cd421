from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.admin import EstimatedCountAdminMixin, IndexedValuesFieldListFilter
from objectives import progress, services
from objectives.models import Indicator, Objective, Observation, PartnerTarget, Priority, Strategy
from objectives.registry import metrics, validate_metric
from objectives.selectors import indicator_progress, indicators_progress
from partners.models import Partner


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


class ObservationInlineForm(forms.ModelForm):
    def _post_clean(self):
        # The formset checks the breakdowns against the rows as submitted; the saved rows may be about to change.
        self.instance.breakdowns_checked_by_formset = True
        super()._post_clean()


def add_observation_problems(form: forms.ModelForm, indicator: Indicator, data: dict) -> None:
    """Put what is wrong with whose a row is (objectives.services.observation_problems) on the form's fields."""
    candidate = Observation(indicator=indicator, partner=data.get("partner"), year=data.get("year"),
                            value=data.get("value"), breakdown=data.get("breakdown") or "")
    for field, problems in services.observation_problems(candidate).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


class ObservationFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # Each partner's breakdowns add up with its own total, ASEM's with ASEM's.
        by_year: dict[tuple[int | None, int], dict[str, float]] = defaultdict(dict)
        for form in self.forms:
            if self._should_delete_form(form):
                continue
            data = form.cleaned_data  # empty for an extra row left blank
            if data and form.has_changed():
                # The indicator as this same post leaves it: a change of how partners report counts already.
                add_observation_problems(form, self.instance, data)
            if data.get("year") is not None and data.get("value") is not None:
                partner = data.get("partner")
                by_year[(partner.pk if partner else None, data["year"])][data.get("breakdown") or ""] = data["value"]
        problems = [problem for (_partner, year), values in sorted(by_year.items(), key=lambda item: item[0][1])
                    for problem in self.instance.breakdown_problems(year, values)]
        if problems:
            raise forms.ValidationError(problems)


class ObservationInline(admin.TabularInline):
    model = Observation
    form = ObservationInlineForm
    formset = ObservationFormSet
    extra = 1
    fields = ["partner", "year", "breakdown", "value", "coverage", "is_computed", "note"]
    readonly_fields = ["coverage"]

    def get_queryset(self, request):
        # Each row is titled by its indicator and partner: read with the rows, not one query a row.
        return super().get_queryset(request).select_related("indicator", "partner")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "partner":
            # The partners read once for every row's list: the rows of an indicator partners report are many.
            if not hasattr(request, "observation_partner_choices"):
                request.observation_partner_choices = [
                    ("", _("ASEM as a whole")), *((p.pk, str(p)) for p in Partner.objects.order_by("name"))]
            field.choices = request.observation_partner_choices
        return field


class IndicatorForm(forms.ModelForm):
    """Offers the registered metrics to choose from; the admin supplies the model and fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.metric
        unknown = [(current, f"{current} (registered by no app)")] if current and current not in metrics else []
        self.fields["metric"] = forms.ChoiceField(
            choices=[("", "---------"), *metrics.choices(), *unknown], required=False,
            help_text=Indicator._meta.get_field("metric").help_text,
        )

    def clean_metric(self):
        metric = self.cleaned_data["metric"]
        if metric:
            validate_metric(metric)
        return metric


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    form = IndicatorForm
    # Only the demo loader marks demo data: load_demo --remove deletes whatever carries the mark.
    readonly_fields = ["progress", "is_demo"]
    actions = ["refresh_computed"]
    list_display = ["code", "name", "priority_code", "status", "unit", "values_from", "is_demo"]
    list_select_related = ["priority"]
    list_filter = ["priority__objective", "source", "aggregation", "direction", "is_demo"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["priority"]
    inlines = [ObservationInline]
    fieldsets = [
        (None, {"fields": ["priority", "code", "name", "description", "unit", "kind", "direction", "weight",
                           "is_demo"]}),
        ("Baseline and target", {"fields": ["baseline_year", "baseline_value", "target_year", "target_value"]}),
        ("Source", {"fields": ["source", "metric", "data_source", "source_url", "coverage_note", "methodology"]}),
        ("Reported by partners", {"fields": ["aggregation", "count_at_least"]}),
        ("Progress", {"fields": ["progress"]}),
        ("Manual status", {"fields": ["status_override", "override_reason"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The partners' rows as saved, or how they make the ASEM value, may have changed: make it afresh.
        if form.instance.is_partner_reported or {"aggregation", "count_at_least"} & set(form.changed_data):
            services.recompute_partner_aggregates(indicators=[form.instance])

    def get_changelist_instance(self, request):
        """The page's indicators with their progress, assessed together: one query, not one per row."""
        changelist = super().get_changelist_instance(request)
        changelist.result_list = list(changelist.result_list)
        results = indicators_progress(changelist.result_list)
        for indicator in changelist.result_list:
            indicator.listed_progress = results[indicator.pk]
        return changelist

    @admin.display(description=_("values"), ordering="aggregation")
    def values_from(self, indicator):
        """Where its values come from, in a word or two: a metric, the partners (and how they add up), or by hand."""
        if indicator.source == Indicator.Source.COMPUTED:
            return _("computed")
        if indicator.is_partner_reported:
            return _("partners: %(rule)s") % {"rule": indicator.aggregation}
        return _("by hand")

    @admin.display(description=_("priority"), ordering="priority__code")
    def priority_code(self, indicator):
        # The code alone: the priority's whole title took a third of the row; it shows on hovering.
        return format_html('<span title="{}">{}</span>', indicator.priority.title, indicator.priority.code)

    @admin.display(description=_("Status"))
    def status(self, indicator):
        result = indicator.listed_progress
        return result.status_label + (_(" (set by hand)") if result.is_override else "")

    @admin.display(description=_("Current status"))
    def progress(self, indicator):
        if indicator.pk is None:
            return _("Shown once the indicator is saved.")
        result = indicator_progress(indicator)
        rows = [
            (_("Status"), result.status_label + (" (set by hand)" if result.is_override else "")),
            (_("Why"), result.explanation),
            (_("As of"), result.as_of),
            (_("Baseline"), _figure(result.baseline_value, result.baseline_year)),
            (_("Latest"), _figure(result.latest_value, result.latest_year)),
            (_("Target"), _figure(result.target_value, result.target_year)),
            (_("Actual growth a year"), _growth(result.actual_growth, result.growth_method)),
            (_("Required growth a year"), _growth(result.required_growth, result.growth_method)),
            (_("Ratio"), "-" if result.ratio is None else f"{progress.rounded(result.ratio, 3):.3f}"),
            (_("Method"), result.method),
            (_("Score"), "-" if result.score is None else f"{result.score:g} of {progress.MAX_SCORE:g}"),
        ]
        return format_html(
            '<table class="progress-figures"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                             ((label, "-" if value is None else value) for label, value in rows)),
        )

    @admin.action(description=_("Refresh the selected computed indicators from the portal's data"))
    def refresh_computed(self, request, queryset):
        computed = list(queryset.filter(source=Indicator.Source.COMPUTED).values_list("pk", flat=True))
        if not computed:
            self.message_user(request, _("None of the selected indicators is computed."), messages.WARNING)
            return
        report = services.refresh_computed_indicators(indicator_ids=computed)
        level = messages.WARNING if report.unknown_metrics or report.failed_metrics else messages.SUCCESS
        self.message_user(request, str(report), level)


def _figure(value, year) -> str | None:
    return None if value is None else f"{value:,.6g} ({year})"


def _growth(growth, growth_method) -> str | None:
    if growth is None:
        return None
    if growth_method == progress.GROWTH_LINEAR:
        return f"{progress.rounded(growth, 6):+,.6g}"
    return f"{progress.rounded(growth * 100, 3):+.3f} %"


class ObservationForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        if data.get("indicator") is not None:
            add_observation_problems(self, data["indicator"], data)
        return data


@admin.register(Observation)
class ObservationAdmin(EstimatedCountAdminMixin, SimpleHistoryAdmin):
    form = ObservationForm
    # Whose value, and how an ASEM value was made, share a column, and the indicator's name wraps (the admin keeps a
    # foreign key's cell on one line, and the official statistics' names are long): the list fits a 1280-pixel screen.
    list_display = ["of_indicator", "year", "breakdown", "value_shown", "whose"]
    list_select_related = ["indicator", "partner"]
    list_filter = ["is_computed", ("year", IndexedValuesFieldListFilter), "indicator__priority__objective",
                   "indicator__aggregation"]
    search_fields = ["indicator__code", "indicator__name", "partner__code", "partner__name"]
    autocomplete_fields = ["indicator", "partner"]
    readonly_fields = ["coverage"]

    @admin.display(description=_("indicator"), ordering="indicator__code")
    def of_indicator(self, observation):
        return str(observation.indicator)

    @admin.display(description=_("whose"), ordering="partner__code")
    def whose(self, observation):
        """The partner's code, or ASEM's; an ASEM value made from partners' says how many."""
        if observation.partner_id:
            return observation.partner.code
        if observation.coverage is not None:
            return ngettext("ASEM, of %(count)s partner", "ASEM, of %(count)s partners",
                            observation.coverage) % {"count": observation.coverage}
        return _("ASEM, computed") if observation.is_computed else "ASEM"

    @admin.display(description=_("value"), ordering="value")
    def value_shown(self, observation):
        return observation.value_shown

    # A partner's value written or deleted here makes its indicator's ASEM series afresh, as everywhere else.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.recompute_partner_aggregates(indicators=[obj.indicator])

    def delete_model(self, request, obj):
        indicator = obj.indicator
        super().delete_model(request, obj)
        services.recompute_partner_aggregates(indicators=[indicator])

    def delete_queryset(self, request, queryset):
        indicators = list(Indicator.objects.filter(pk__in=queryset.values("indicator")))
        super().delete_queryset(request, queryset)
        services.recompute_partner_aggregates(indicators=indicators)


class PartnerTargetForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        indicator = data.get("indicator")
        if indicator is not None and not indicator.is_partner_reported:
            self.add_error("indicator", _("%(code)s is measured for ASEM as a whole: partners do not report it, so no "
                                          "partner has a target of its own on it.") % {"code": indicator.code})
        return data


@admin.register(PartnerTarget)
class PartnerTargetAdmin(SimpleHistoryAdmin):
    """A partner's own target on an indicator it reports: its status on the indicator's page is measured toward it."""

    form = PartnerTargetForm
    list_display = ["indicator", "partner", "target_year", "target_value"]
    list_select_related = ["indicator", "partner"]
    list_filter = ["indicator__priority__objective", "target_year"]
    search_fields = ["indicator__code", "indicator__name", "partner__code", "partner__name"]
    autocomplete_fields = ["indicator", "partner"]
