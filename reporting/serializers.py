"""The reporting API's serializers: rounds, returns (as read and as filled), partners' approved values, the board.

They read and parse, nothing more: which values a round asks for, who may change a return and when are
reporting.services' rules, and a refusal there is mapped back onto the fields of the body (reporting.api).
"""

import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import LinkField, absolute_url
from mobility.models import MAX_COUNT, DeliveryMode, MobilityLevel
from objectives.models import FIRST_YEAR, LAST_YEAR, Indicator, Observation
from partners.models import Region
from reporting.board import STATES
from reporting.models import Answer, Question, Return, ReturnValue, Round
from reporting.services import can_edit_return

# How many items one save may carry: far above any round (ten years of a few dozen indicators), low enough that a
# body cannot make the services check a million values.
MAX_ITEMS = 2000


class NumberField(serializers.FloatField):
    """A JSON number, as the schema says: DRF's own also takes "12" as text and true as 1."""

    default_error_messages = {
        **serializers.FloatField.default_error_messages,
        "invalid": "Give a number, such as 12 or 12.5.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        try:
            value = float(data)
        except OverflowError:
            self.fail("invalid")
        if not math.isfinite(value):
            self.fail("invalid")
        return value


def _year(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, **kwargs)


def _count(help_text: str, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, help_text=help_text, **kwargs)


# Rounds -------------------------------------------------------------------------------------------------------


class RoundQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["number", "text", "guidance", "required"]


class ApprovedReturnSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", help_text="The partner's code.")

    class Meta:
        model = Return
        fields = ["partner", "approved_at"]


class RoundSerializer(serializers.ModelSerializer):
    url = LinkField(view_name="api:round-detail", lookup_field="slug")
    years = serializers.ListField(child=serializers.IntegerField(), read_only=True,
                                  help_text="Every year the round asks for, first to last.")
    indicators = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="The codes of the indicators partners report in it.")
    questions = RoundQuestionSerializer(many=True, read_only=True, help_text="The narrative questions, in order.")
    approved = ApprovedReturnSerializer(
        source="approved_returns", many=True, read_only=True,
        help_text="The partners whose return the secretariat approved, and when: only their values are public.")

    class Meta:
        model = Round
        fields = ["slug", "name", "first_year", "last_year", "years", "deadline", "state", "includes_flows",
                  "indicators", "questions", "approved", "opened_at", "is_demo", "url"]
        extra_kwargs = {
            "state": {"help_text": "draft (being prepared: only the secretariat sees it), open or closed."},
        }


# Board --------------------------------------------------------------------------------------------------------


class FocalPointSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)


class ReminderSerializer(serializers.Serializer):
    threshold = serializers.CharField(help_text="Which reminder: before-7, after-3, manual-... .")
    sent_at = serializers.DateTimeField()


class BoardRowSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner.code", help_text="The partner's code.")
    partner_name = serializers.CharField(source="partner.name")
    region = serializers.ChoiceField(choices=Region.choices, source="partner.region")
    state = serializers.ChoiceField(choices=STATES, help_text="The return's state, or none when it has no return.")
    values_requested = serializers.IntegerField(help_text="The values the round asks of each partner.")
    values_filled = serializers.IntegerField(help_text="Of them, those the return holds.")
    percent_filled = serializers.IntegerField(help_text="values_filled as a whole percentage, rounded down.")
    flows = serializers.IntegerField(help_text="Mobility flows in the return.")
    answers = serializers.IntegerField(help_text="Questions answered.")
    questions = serializers.IntegerField(help_text="Questions the round asks.")
    updated_at = serializers.DateTimeField(allow_null=True, help_text="When the return last changed.")
    updated_by = serializers.CharField(allow_blank=True, help_text="Who changed it last.")
    focal_points = FocalPointSerializer(many=True, help_text="Whom a reminder reaches.")
    reminders = ReminderSerializer(many=True, help_text="The reminders sent, newest first.")
    return_url = serializers.SerializerMethodField(help_text="The return's API address, if it has one.")

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_return_url(self, row) -> str | None:
        if row.report is None:
            return None
        return absolute_url("api:return-detail", self.context.get("request"), pk=row.report.pk)


class BoardSerializer(serializers.Serializer):
    round = serializers.CharField(source="round.slug", help_text="The round's slug.")
    partners = serializers.IntegerField(source="partner_count", help_text="All partners, whatever the filters.")
    values_requested = serializers.IntegerField(help_text="The values the round asks of each partner.")
    questions = serializers.IntegerField(help_text="Questions the round asks.")
    totals = serializers.DictField(child=serializers.IntegerField(),
                                   help_text="How many partners' returns are in each state, whatever the filters.")
    results = BoardRowSerializer(source="rows", many=True, help_text="One row per partner the filters keep.")


# Returns, as read ------------------------------------------------------------------------------------------------


class ReturnValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", help_text="The indicator's code.")
    value = NumberField(allow_null=True, help_text="The value, in the indicator's unit; null clears it.")

    class Meta:
        model = ReturnValue
        fields = ["indicator", "year", "value"]


class ReturnAnswerSerializer(serializers.ModelSerializer):
    question = serializers.IntegerField(source="question.number", min_value=1, max_value=32767,
                                        help_text="The question's number in the round.")
    text = serializers.CharField(allow_blank=True, max_length=5000, trim_whitespace=False,
                                 help_text="The answer; empty clears it.")

    class Meta:
        model = Answer
        fields = ["question", "text"]


class ReturnFlowSerializer(serializers.Serializer):
    """A mobility flow of a return: the partner's reported row once the return is approved."""

    year = _year()
    origin = serializers.CharField(source="origin.code", help_text="The code of the partner people come from.")
    destination = serializers.CharField(source="destination.code", help_text="The code of the partner people go to.")
    mode = serializers.ChoiceField(choices=DeliveryMode.choices)
    level = serializers.ChoiceField(choices=MobilityLevel.choices)
    programme = serializers.CharField(allow_blank=True)
    participants = _count("How many people.")
    female = _count("Of them female, if known.", allow_null=True)
    fewer_opportunities = _count("Of them with fewer opportunities, if known.", allow_null=True)
    source = serializers.CharField(allow_blank=True, help_text="Where the figures come from.")


class PartnerReturnSerializer(serializers.ModelSerializer):
    """A return in a list: where it stands, not what it holds."""

    id = serializers.IntegerField(read_only=True)
    url = LinkField(view_name="api:return-detail")
    round = serializers.CharField(source="round.slug", help_text="The round's slug.")
    partner = serializers.CharField(source="partner.code", help_text="The partner's code.")

    class Meta:
        model = Return
        fields = ["id", "round", "partner", "state", "version", "updated_at", "submitted_at", "approved_at",
                  "is_demo", "url"]
        extra_kwargs = {
            "version": {"help_text": "Goes up by one with every save: send the one you read with your change."},
        }


class PartnerReturnDetailSerializer(PartnerReturnSerializer):
    """A return with what it holds: its values, answers and flows, none of them public until it is approved."""

    round_url = serializers.SerializerMethodField(help_text="The round's API address: its years, indicators and "
                                                            "questions.")
    updated_by = serializers.SerializerMethodField(help_text="Who saved it last.")
    editable = serializers.SerializerMethodField(
        help_text="Whether you may change it now: its focal points and the secretariat, while it is a draft or "
                  "returned and the round is open.")
    values = ReturnValueSerializer(many=True, read_only=True)
    answers = ReturnAnswerSerializer(many=True, read_only=True)
    flows = ReturnFlowSerializer(many=True, read_only=True)

    class Meta(PartnerReturnSerializer.Meta):
        fields = [*PartnerReturnSerializer.Meta.fields[:-1], "review_note", "updated_by", "editable", "values",
                  "answers", "flows", "round_url", "url"]
        extra_kwargs = {
            **PartnerReturnSerializer.Meta.extra_kwargs,
            "review_note": {"help_text": "The secretariat's note when it returned the submission."},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_round_url(self, report) -> str:
        return absolute_url("api:round-detail", self.context.get("request"), slug=report.round.slug)

    def get_updated_by(self, report) -> str:
        user = report.updated_by
        return user.get_username() if user is not None else ""

    def get_editable(self, report) -> bool:
        request = self.context.get("request")
        return request is not None and can_edit_return(request.user, report)


# Returns, as filled ----------------------------------------------------------------------------------------------


class ValueItemSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=20, help_text="The indicator's code, one the round asks for.")
    year = _year(help_text="A year of the round.")
    value = NumberField(allow_null=True, help_text="The value in the indicator's unit; null clears it.")


class AnswerItemSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, max_value=32767, help_text="The question's number.")
    text = serializers.CharField(allow_blank=True, max_length=5000, trim_whitespace=False,
                                 help_text="The answer; empty clears it.")


class FlowItemSerializer(serializers.Serializer):
    year = _year(help_text="A year of the round.")
    origin = serializers.CharField(max_length=5, help_text="The code of the partner people come from.")
    destination = serializers.CharField(max_length=5, help_text="The code of the partner people go to.")
    mode = serializers.ChoiceField(choices=DeliveryMode.choices, required=False, default=DeliveryMode.PHYSICAL)
    level = serializers.ChoiceField(choices=MobilityLevel.choices)
    programme = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    participants = _count("How many people.")
    female = _count("Of them female, if known.", required=False, allow_null=True, default=None)
    fewer_opportunities = _count("Of them with fewer opportunities, if known.", required=False, allow_null=True,
                                 default=None)
    source = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                   help_text="Where the figures come from.")


def _duplicates(items: list[dict], key, what: str) -> list[dict]:
    """Per item, an error where it repeats an earlier one's key (empty dicts elsewhere), or [] without any."""
    first: dict = {}
    errors = []
    for index, item in enumerate(items):
        name = key(item)
        if name in first:
            errors.append({what: [f"{' '.join(map(str, name))} is given twice: first at {first[name]}."]})
        else:
            first[name] = index
            errors.append({})
    return errors if any(errors) else []


class ReturnFillSerializer(serializers.Serializer):
    """What a save sends: the version it read, and the values, answers and flows it changes."""

    version = serializers.IntegerField(
        min_value=0, help_text="The return's version you read: the save is refused (409, with what changed) when "
                               "someone saved it since.")
    values = ValueItemSerializer(
        many=True, required=False, max_length=MAX_ITEMS,
        help_text="Values to set (or clear, with null): only those given change.")
    answers = AnswerItemSerializer(
        many=True, required=False, max_length=MAX_ITEMS,
        help_text="Answers to set (or clear, with an empty text): only those given change.")
    flows = FlowItemSerializer(
        many=True, required=False, allow_null=True, max_length=MAX_ITEMS,
        help_text="Every mobility flow of the return: the list replaces the return's flows ([] removes them all). "
                  "Leave it out (or null) to keep them.")

    def validate_values(self, values):
        errors = _duplicates(values, lambda item: (item["indicator"], item["year"]), "year")
        if errors:
            raise serializers.ValidationError(errors)
        return values

    def validate_answers(self, answers):
        errors = _duplicates(answers, lambda item: ("Question", item["question"]), "question")
        if errors:
            raise serializers.ValidationError(errors)
        return answers


class ReturnSubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="The return's version you read and are submitting.")


class ReturnNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, help_text="What the focal points should change before "
                                                            "submitting again.")


# Partners' approved values ---------------------------------------------------------------------------------------


class PartnerValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", help_text="The indicator's code.")
    indicator_name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit")
    kind = serializers.ChoiceField(choices=Indicator.Kind.choices, source="indicator.kind")
    indicator_url = serializers.SerializerMethodField(help_text="The indicator's API address.")

    class Meta:
        model = Observation
        fields = ["indicator", "indicator_name", "unit", "kind", "year", "value", "note", "indicator_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_indicator_url(self, observation) -> str:
        return absolute_url("api:indicator-detail", self.context.get("request"), code=observation.indicator.code)
