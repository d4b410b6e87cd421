"""The secretariat's admin of reporting rounds: prepare a round, open and close it; read the returns, the reminders
sent and the emails the mail server refused.

A round's state moves only through reporting.services (open_round, close_round), whether from the list's actions or
from the form's state field, so opening always gives every partner its prefilled return. A return is changed only by
its focal points and reviewed on its review page: the admin shows it and links there.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin, UndeliveredEmailAdminMixin
from reporting import emails, services
from reporting.models import Answer, Question, Reminder, Return, ReturnFlow, ReturnValue, Round, UndeliveredReturnEmail

# What a new round asks unless the secretariat changes it: the AEP stocktaking's own questions.
SUGGESTED_QUESTIONS = [
    {"number": 1, "text": "What were the highlights of the years this round covers?",
     "guidance": "The achievements you are proudest of, with figures and links where you have them.",
     "required": True},
    {"number": 2, "text": "What challenges did you meet?",
     "guidance": "What held progress back, and what you did about it.", "required": False},
    {"number": 3, "text": "What good practice would you share with the other partners?",
     "guidance": "A programme, policy or way of working others could learn from, and where to read more.",
     "required": False},
    {"number": 4, "text": "What do you plan for the coming years?",
     "guidance": "Your next steps toward the strategy's objectives.", "required": False},
]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["number", "text", "guidance", "required"]

    def has_changed(self):
        # A suggested question is saved as it is offered; emptied, it is left out, as an empty extra form is.
        if self.instance.pk is None and self.initial.get("text"):
            return bool((self.data.get(self.add_prefix("text")) or "").strip())
        return super().has_changed()


class QuestionInline(admin.StackedInline):  # stacked: each input has its label, which a table row lacks
    model = Question
    form = QuestionForm
    fields = ["number", "text", "guidance", "required"]
    extra = 1

    def get_extra(self, request, obj=None, **kwargs):
        return len(SUGGESTED_QUESTIONS) if obj is None else self.extra


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = ["name", "slug", "first_year", "last_year", "deadline", "state", "indicators", "includes_flows"]
        # A box per indicator, each with its label: the few indicators partners report fit, and the two-list
        # chooser's help icon carries an attribute screen readers may not be given.
        widgets = {"indicators": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An indicator with a published source (official statistics) has its partners' values from that source: a
        # round asking for them would let returns overwrite the source's figures, so it is not offered.
        indicators = self.fields["indicators"]
        indicators.queryset = indicators.queryset.filter(source_url="")

    def clean_state(self):
        state = self.cleaned_data["state"]
        if self.instance.pk and self.instance.state != Round.State.DRAFT and state == Round.State.DRAFT:
            raise forms.ValidationError(_("A round that has opened cannot go back to being prepared: close it."))
        return state


def _refusal(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    form = RoundForm
    list_display = ["name", "state", "first_year", "last_year", "deadline", "includes_flows", "board", "is_demo"]
    list_filter = ["state", "is_demo"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["opened_at", "created_at", "is_demo"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "first_year", "last_year", "deadline", "state", "is_demo"]}),
        (_("What partners report"), {"fields": ["indicators", "includes_flows"]}),
        (_("Record"), {"fields": ["opened_at", "created_at"]}),
    ]
    inlines = [QuestionInline]
    actions = ["open_rounds", "close_rounds"]

    @admin.display(description=_("Who has reported"))
    def board(self, round_):
        if round_.state == Round.State.DRAFT:
            return "–"
        try:
            return format_html('<a href="{}">{}</a>', reverse("reporting:board", args=[round_.slug]), _("Board"))
        except NoReverseMatch:
            return "–"

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, QuestionInline) and not obj.pk:
            kwargs["initial"] = SUGGESTED_QUESTIONS
        return kwargs

    def save_model(self, request, obj, form, change):
        # Saved in the state it was in; the state asked for is reached through the service, once the questions and
        # indicators are saved too (save_related).
        obj._state_asked = obj.state
        obj.state = form.initial.get("state", Round.State.DRAFT) if change else Round.State.DRAFT
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        round_ = form.instance
        asked = getattr(round_, "_state_asked", round_.state)
        if asked == round_.state:
            return
        self._move(request, round_, asked)

    def _move(self, request, round_: Round, state: str) -> bool:
        move = services.open_round if state == Round.State.OPEN else services.close_round
        try:
            move(round=round_, user=request.user)
        except (PermissionDenied, services.ReturnInvalid) as error:
            self.message_user(request, _("%(round)s is still %(state)s: %(why)s") % {
                "round": round_, "state": round_.get_state_display().lower(), "why": _refusal(error)}, messages.ERROR)
            return False
        if state == Round.State.OPEN:
            self.message_user(request, _("%(round)s is open: every partner has its return, prefilled with its "
                                         "approved figures.") % {"round": round_}, messages.SUCCESS)
        else:
            self.message_user(request, _("%(round)s is closed: its returns can no longer be changed.") % {
                "round": round_}, messages.SUCCESS)
        return True

    @admin.action(description=_("Open the round"), permissions=["change"])
    def open_rounds(self, request, queryset):
        for round_ in queryset.order_by("pk"):
            self._move(request, round_, Round.State.OPEN)

    @admin.action(description=_("Close the round"), permissions=["change"])
    def close_rounds(self, request, queryset):
        for round_ in queryset.order_by("pk"):
            self._move(request, round_, Round.State.CLOSED)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReturnValueInline(ReadOnlyInline):
    model = ReturnValue
    fields = ["indicator", "year", "value", "note"]


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ["question", "text"]


class ReturnFlowInline(ReadOnlyInline):
    model = ReturnFlow
    fields = ["year", "origin", "destination", "mode", "level", "programme", "participants", "female",
              "fewer_opportunities", "source"]


@admin.register(Return)
class ReturnAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """A return is its focal points' to change and the review page's to decide on: here it is read."""

    list_display = ["partner", "round", "state", "version", "updated_at", "updated_by", "review"]
    list_select_related = ["partner", "round", "updated_by"]
    list_filter = ["round", "state", "partner__region", "is_demo"]
    search_fields = ["partner__name", "partner__code"]
    fields = ["round", "partner", "state", "review", "review_note", "version", "updated_at", "updated_by",
              "submitted_at", "approved_at", "approved_version", "is_demo"]
    readonly_fields = fields
    inlines = [ReturnValueInline, AnswerInline, ReturnFlowInline]

    @admin.display(description=_("Review"))
    def review(self, report):
        return format_html('<a href="{}">{}</a>', reverse("workspace:return-review", args=[report.pk]),
                           _("Open its review page"))


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The reminders sent, as they were sent: a record, never written here."""

    list_display = ["sent_at", "report", "threshold", "recipients", "sent_by"]
    list_select_related = ["report__partner", "report__round", "sent_by"]
    list_filter = ["report__round", "threshold"]
    search_fields = ["report__partner__name", "recipients"]


@admin.register(UndeliveredReturnEmail)
class UndeliveredReturnEmailAdmin(UndeliveredEmailAdminMixin, admin.ModelAdmin):
    """A return's emails the mail server never took, kept as they were; sent again from here once it is back."""

    list_display = ["failed_at", "report", "event", "recipients", "error", "attempts"]
    list_select_related = ["report__partner", "report__round"]

    def send_email_again(self, undelivered):
        emails.send_again(undelivered)
