"""API v1: reporting rounds, partners' returns (read, fill, submit, approve, return), approved values and the board.

- rounds/ and rounds/{slug}/: public (a round being prepared only for the secretariat);
- rounds/{slug}/board/: the secretariat's board of who has reported (reporting.board), as JSON or CSV;
- returns/ and returns/{id}/: a focal point's own partners' returns, every one for the secretariat; PATCH fills
  one, and submit/, approve/ and return/ move it through review;
- partners/{code}/values/: a partner's approved values, public.

Every write goes through reporting.services, which holds who may do what and what a value must be; a refusal
there comes back naming the field of the body it is about (values.2.value for the third value sent).
"""

import django_filters
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.api.errors import INVALID_STATE, Conflict, QueryParameterError
from core.api.schema import AutoSchema
from core.api.views import ApiViewMixin
from core.roles import is_secretariat
from mobility.services import partner_ids
from objectives.api import YearFilter
from objectives.models import Indicator, Observation
from partners.models import Partner, Region
from reporting import services
from reporting.board import ORDERS, STATES, board
from reporting.models import Answer, Return, ReturnFlow, ReturnValue, Round
from reporting.serializers import (
    BoardRowSerializer,
    BoardSerializer,
    PartnerReturnDetailSerializer,
    PartnerReturnSerializer,
    PartnerValueSerializer,
    ReturnFillSerializer,
    ReturnNoteSerializer,
    ReturnSubmitSerializer,
    RoundSerializer,
)

SLUG = r"[-a-zA-Z0-9_]+"
ID = r"[0-9]{1,18}"
PARTNER_CODE = r"[A-Za-z]{2,5}"


# Who may read what ---------------------------------------------------------------------------------------------


class SignedIn(permissions.BasePermission):
    """Returns are never public: their focal points and the secretariat read them."""

    message = "Only a partner's focal points and the secretariat read its returns."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class SecretariatOnly(permissions.BasePermission):
    message = "Only the secretariat sees the board of a round."

    def has_permission(self, request, view):
        return is_secretariat(request.user)


class ReportingSchema(AutoSchema):
    """The project's schema, with the reads only focal points and the secretariat may make marked as such.

    A view lists them in private_actions: they need credentials, and may be refused (403).
    """

    def _private(self) -> bool:
        return self.method == "GET" and getattr(self.view, "action", None) in getattr(self.view, "private_actions", ())

    def _error_codes(self, operation) -> list[str]:
        codes = super()._error_codes(operation)
        if self._private():
            codes.append("403")
        if getattr(self.view, "action", None) == "approve":
            codes.append("400")  # values the indicators' own rules refuse on publishing, though checked when saved
        return codes

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None and getattr(self.view, "action", None) in ("partial_update", "submit"):
            operation["responses"]["409"]["description"] = (
                "The return's state does not allow this now (code invalid_state, field state), or someone saved it "
                "after the version sent (code conflict, field version: one error for each thing they changed).")
        if operation is not None and self._private():
            operation["security"] = [scheme for scheme in operation.get("security", []) if scheme]
            operation["responses"]["403"]["description"] = (
                "Signed in, but this account may not read this: a focal point reads only its partners' returns, "
                "and only the secretariat the board.")
        return operation


# Rounds --------------------------------------------------------------------------------------------------------


class RoundFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=Round.State.choices, label=_("State"))
    year = YearFilter(method="filter_year", label=_("Rounds that ask for this year"))
    ordering = django_filters.OrderingFilter(fields=[("deadline", "deadline"), ("name", "name")], label=_("Sort by"))

    class Meta:
        model = Round
        fields = []

    def filter_year(self, queryset, name, value):
        return queryset.filter(first_year__lte=value, last_year__gte=value)


def round_queryset(user):
    """The rounds a user may read, each with its indicators, questions and approved returns, in four queries."""
    rounds = Round.objects.prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("code")),
        "questions",
        Prefetch("returns", queryset=Return.objects.filter(state=Return.State.APPROVED).select_related("partner")
                 .order_by("partner__code"), to_attr="approved_returns"),
    )
    return rounds if is_secretariat(user) else rounds.exclude(state=Round.State.DRAFT)


ROUND_SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=f"^{SLUG}$", description="The round's slug.",
    examples=[OpenApiExample("Stocktaking 2027", value="stocktaking-2027")],
)
BOARD_ORDERINGS = [name for key in ORDERS for name in (key, f"-{key}")]
BOARD_PARAMETERS = [
    OpenApiParameter("state", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=STATES,
                     description="Only the partners whose return is in this state (none: without a return)."),
    OpenApiParameter("region", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=Region.values,
                     description="Only the partners of this region."),
    OpenApiParameter("ordering", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=BOARD_ORDERINGS,
                     description="Sort by partner, region, state, filled (the share of values given) or changed "
                                 "(when the return last changed); - in front reverses. By partner unless given."),
    OpenApiParameter("format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["json", "csv"],
                     description="json (the default) or csv: the rows alone, one line per partner."),
]


def board_options(params) -> dict[str, str]:
    """The board's filter and order from the query string, each bad value a 400 naming its parameter."""
    options, errors = {}, {}
    for parameter, choices, option in (("state", STATES, "state"), ("region", Region.values, "region"),
                                       ("ordering", BOARD_ORDERINGS, "order")):
        if parameter not in params:
            continue
        value = params[parameter]
        if value in choices:
            options[option] = value
        else:
            errors[parameter] = [f"Choose one of: {', '.join(choices)}."]
    if errors:
        raise QueryParameterError(errors)
    return options


@extend_schema_view(
    list=extend_schema(summary="List the reporting rounds",
                       description="The rounds in which the secretariat asks partners for their figures: the years "
                                   "and indicators each asks for, its narrative questions, its deadline and which "
                                   "partners' returns are approved. A round being prepared is the secretariat's "
                                   "alone."),
    retrieve=extend_schema(summary="Read one reporting round", description="A round by its slug.",
                           parameters=[ROUND_SLUG]),
)
@extend_schema(tags=["reporting"])
class RoundViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG
    csv_filename = "rounds"
    csv_actions = ("list", "board")
    schema = ReportingSchema()
    private_actions = ("board",)

    def get_queryset(self):
        return round_queryset(self.request.user)

    def get_serializer_class(self):
        return BoardRowSerializer if self.action == "board" else RoundSerializer

    @extend_schema(
        summary="Who has reported in a round",
        description="The secretariat's board: one row per partner, with its return's state, how many of the "
                    "values asked it holds, its flows and answers, who changed it last, its focal points and the "
                    "reminders sent; totals count every partner whatever the filters. As CSV, the rows alone.",
        parameters=[ROUND_SLUG, *BOARD_PARAMETERS], responses=BoardSerializer, operation_id="rounds_board",
    )
    @action(detail=True, methods=["get"], permission_classes=[SecretariatOnly], filter_backends=[])
    def board(self, request, *args, **kwargs):
        options = board_options(request.query_params)
        round_ = self.get_object(Round.objects.all())
        self.csv_filename = f"board-{round_.slug}"
        # The API lists every reminder sent, as it always has; the page shows the count and the latest.
        result = board(round_, **options, every_reminder=True)
        return Response(BoardSerializer(result, context=self.get_serializer_context()).data)


# Returns -------------------------------------------------------------------------------------------------------


class ReturnFilter(django_filters.FilterSet):
    round = django_filters.ModelChoiceFilter(queryset=Round.objects.all(), to_field_name="slug",
                                             label=_("Round (slug)"))
    partner = django_filters.ModelChoiceFilter(queryset=Partner.objects.all(), to_field_name="code",
                                               label=_("Partner (code)"))
    state = django_filters.ChoiceFilter(choices=Return.State.choices, label=_("State"))
    ordering = django_filters.OrderingFilter(
        fields=[("partner__name", "partner"), ("state", "state"), ("updated_at", "updated_at")], label=_("Sort by"))

    class Meta:
        model = Return
        fields = []


def return_queryset(user, *, detail: bool):
    """The returns a user may read: its partners' for a focal point, every one for the secretariat."""
    returns = Return.objects.select_related("round", "partner").order_by("-round__deadline", "round__name",
                                                                         "partner__name")
    if not is_secretariat(user):
        returns = returns.filter(partner__in=partner_ids(user))
    if detail:
        returns = returns.select_related("updated_by").prefetch_related(
            Prefetch("values", queryset=ReturnValue.objects.select_related("indicator")),
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            Prefetch("flows", queryset=ReturnFlow.objects.select_related("origin", "destination")),
        )
    return returns


class StaleReturn(Conflict):
    """A save based on a version someone has saved over since: 409, with what changed."""

    default_code = "conflict"

    def __init__(self, *, sent: int, current: int, changes: list[str]):
        self.changes = changes
        super().__init__(f"Someone saved this return after version {sent}, the one you read (it is at version "
                         f"{current} now): nothing of your change is saved. {' '.join(changes)}".strip())
        self.field = "version"


def _body_field(key: str, values: dict, answers: dict) -> str:
    """Where in the body a service's error key points: "2.2.p/2025" is values.<index>.value, "2.2.p/2025/year"
    values.<index>.year, and so on."""
    if key == "__all__":
        return api_settings.NON_FIELD_ERRORS_KEY
    if key.startswith("answer/"):
        number = key.removeprefix("answer/")
        index = answers.get(int(number)) if number.isdigit() else None
        return f"answers.{index}.text" if index is not None else "answers"
    if key.startswith("flow/"):
        index, _, field = key.removeprefix("flow/").partition("/")
        return f"flows.{index}" if field in ("", "__all__") else f"flows.{index}.{field}"
    if "/" in key:  # "<code>/<year>" is about the value; "<code>/<year>/indicator" or ".../year" about that part
        code, year, part = [*key.split("/"), "value"][:3]
        index = values.get((code, int(year))) if year.isdigit() else None
        return f"values.{index}.{part}" if index is not None else "values"
    return key


def refused(exc: services.ReturnInvalid, data: dict | None = None):
    """A service's ReturnInvalid as the API's error: 409 naming state for a step the state forbids, else a 400."""
    errors = exc.errors
    if "state" in errors:
        conflict = Conflict(" ".join(map(str, errors["state"])), code=INVALID_STATE)
        conflict.field = "state"
        return conflict
    data = data or {}
    values = {(item["indicator"], item["year"]): index for index, item in enumerate(data.get("values", []))}
    answers = {item["question"]: index for index, item in enumerate(data.get("answers", []))}
    detail: dict[str, list[str]] = {}
    for key, messages in errors.items():
        detail.setdefault(_body_field(key, values, answers), []).extend(map(str, messages))
    return ValidationError(detail)


FILL_EXAMPLE = OpenApiExample(
    "Two values, an answer and the flows",
    value={
        "version": 3,
        "values": [{"indicator": "2.2.p", "year": 2025, "value": 12}, {"indicator": "3.3.p", "year": 2025,
                                                                      "value": None}],
        "answers": [{"question": 1, "text": "A national strategy for lifelong learning was adopted."}],
        "flows": [{"year": 2025, "origin": "TH", "destination": "DE", "mode": "physical",
                   "level": "higher_education", "programme": "ASEM-DUO", "participants": 120, "female": 64,
                   "fewer_opportunities": 12, "source": "National agency report"}],
    },
    request_only=True,
)
REVIEW = (
    "A return is a draft its focal points fill and submit; the secretariat approves it (its values become the "
    "partner's public figures and its flows the partner's reported flows) or returns it with a note."
)


@extend_schema_view(
    list=extend_schema(
        summary="List returns",
        description="A focal point's partners' returns; the secretariat's list has every partner's, to filter by "
                    "round, partner and state. Returns are never public: approving one publishes its values."),
    retrieve=extend_schema(summary="Read one return",
                           description="A return by its id: its state, version, values, answers and flows."),
)
@extend_schema(tags=["reporting"])
class ReturnViewSet(ApiViewMixin, viewsets.GenericViewSet):
    serializer_class = PartnerReturnSerializer
    detail_serializer_class = PartnerReturnDetailSerializer
    filterset_class = ReturnFilter
    permission_classes = [SignedIn]
    lookup_value_regex = ID
    csv_filename = "returns"
    schema = ReportingSchema()
    private_actions = ("list", "retrieve")

    def get_queryset(self):
        return return_queryset(self.request.user, detail=self.action != "list")

    def get_serializer_class(self):
        return PartnerReturnSerializer if self.action == "list" else PartnerReturnDetailSerializer

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, StaleReturn) and exc.changes:
            response.data["errors"] = [{"location": "body", "field": "version", "code": "conflict", "message": change}
                                       for change in exc.changes]
        return response

    def _refetched(self, report):
        return self.get_queryset().get(pk=report.pk)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Fill in a return",
        description=f"{REVIEW} A save sends the version it read, and any of: values to set or clear (only those "
                    "given change), answers to set or clear, and the full list of flows. It is saved whole or not "
                    "at all: a bad value is a 400 naming it (values.2.value for the third value sent). When "
                    "someone saved the return since the version sent, the answer is 409 and says what they "
                    "changed. Its focal points and the secretariat fill it while it is a draft or returned.",
        request=ReturnFillSerializer, responses={200: PartnerReturnDetailSerializer}, examples=[FILL_EXAMPLE],
    )
    def partial_update(self, request, *args, **kwargs):
        with transaction.atomic():
            report = self.object_for_write()
            body = ReturnFillSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            values = {(item["indicator"], item["year"]): item["value"] for item in data.get("values", [])}
            answers = {item["question"]: item["text"] for item in data.get("answers", [])}
            try:
                services.save_return(
                    report=report, user=request.user, version=data["version"],
                    values=values if "values" in data else None, answers=answers if "answers" in data else None,
                    flows=data.get("flows"),
                )
            except services.ReturnConflict as exc:
                raise StaleReturn(sent=data["version"], current=report.version, changes=exc.changes) from None
            except services.ReturnInvalid as exc:
                raise refused(exc, data) from None
        return self.written(self._refetched(report))

    @extend_schema(
        summary="Submit a return for review",
        description="A draft or returned return goes to the secretariat (state submitted): its focal points "
                    "send the version they read. A required question without an answer is a 400 naming it.",
        request=ReturnSubmitSerializer, responses={200: PartnerReturnDetailSerializer},
        examples=[OpenApiExample("The version read", value={"version": 4}, request_only=True)],
        operation_id="returns_submit",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        with transaction.atomic():
            report = self.object_for_write()
            body = ReturnSubmitSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                services.submit_return(report=report, user=request.user, version=body.validated_data["version"])
            except services.ReturnConflict as exc:
                raise StaleReturn(sent=body.validated_data["version"], current=report.version,
                                  changes=exc.changes) from None
            except services.ReturnInvalid as exc:
                raise refused(exc) from None
        return self.written(self._refetched(report))

    @extend_schema(
        summary="Approve a submitted return",
        description="The secretariat approves a submission: its values become the partner's published values "
                    "(and the ASEM figures made from them), its flows the partner's reported flows.",
        request=None, responses={200: PartnerReturnDetailSerializer}, operation_id="returns_approve",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        with transaction.atomic():
            report = self.object_for_write()
            try:
                services.approve_return(report=report, user=request.user)
            except services.ReturnInvalid as exc:
                raise refused(exc) from None
        return self.written(self._refetched(report))

    @extend_schema(
        summary="Return a submission with a note",
        description="The secretariat sends a submitted (or approved) return back to its focal points with a note "
                    "saying what to change; they can edit and submit it again.",
        request=ReturnNoteSerializer, responses={200: PartnerReturnDetailSerializer}, operation_id="returns_return",
        examples=[OpenApiExample("A note", value={"note": "Please give the 2025 value of 2.2.p."}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, *args, **kwargs):
        with transaction.atomic():
            report = self.object_for_write()
            body = ReturnNoteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                services.return_return(report=report, user=request.user, note=body.validated_data["note"])
            except services.ReturnInvalid as exc:
                raise refused(exc) from None
        return self.written(self._refetched(report))


# A partner's approved values ---------------------------------------------------------------------------------------


class PartnerValueFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", max_length=20,
                                          label=_("Indicator (code, such as 2.2.a)"))
    year = YearFilter(label=_("Year"))
    year_from = YearFilter(field_name="year", lookup_expr="gte", label=_("From year"))
    year_to = YearFilter(field_name="year", lookup_expr="lte", label=_("To year"))
    ordering = django_filters.OrderingFilter(fields=[("indicator__code", "indicator"), ("year", "year")],
                                             label=_("Sort by"))

    class Meta:
        model = Observation
        fields = []


@extend_schema_view(list=extend_schema(
    summary="A partner's approved values",
    description="The values a partner reported for the indicators partners report, as the secretariat approved "
                "them in the reporting rounds: one per indicator and year. A return not yet approved shows none.",
    parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=f"^{PARTNER_CODE}$",
                                 description="The partner's code: ISO 3166 alpha-2, EU or ASEAN (any case).")],
))
@extend_schema(tags=["partners"])
class PartnerValueViewSet(ApiViewMixin, viewsets.GenericViewSet):
    serializer_class = PartnerValueSerializer
    filterset_class = PartnerValueFilter

    def partner(self) -> Partner:
        if not hasattr(self, "_partner"):
            try:
                self._partner = Partner.objects.get(code=self.kwargs["code"].upper())
            except Partner.DoesNotExist:
                raise NotFound("No partner has this code.") from None
        return self._partner

    @property
    def csv_filename(self) -> str:
        return f"values-{self.kwargs.get('code', '').upper()}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Observation.objects.none()  # the schema generator has no partner to look up
        return (Observation.objects.filter(partner=self.partner(), breakdown="").select_related("indicator")
                .order_by("indicator__code", "year"))
