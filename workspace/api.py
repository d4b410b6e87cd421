"""API v1: what the workspace does that the activities' and flows' endpoints (mobility.api) do not already.

- /me/token/: your API token (GET) and a new one in its place (POST);
- /mobility/flows/import/: upload a CSV or XLSX file of flows (POST, multipart; or CSV text in JSON), and the
  expected columns and your uploads' progress (GET);
- /activities/{slug}/history/ and /mobility/flows/{id}/history/: every version with what it changed (GET), and
  the secretariat's revert to one of them (POST).

Writes go through the workspace's services and mobility.uploads, which hold the same rules as the pages.
"""

from django.db import transaction
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import absolute_url
from core.api.parsers import JSONParser, LargeJSONParser
from core.api.views import ApiViewMixin
from core.roles import is_secretariat
from mobility import imports, services, uploads
from mobility.api import ActivitySerializer, MobilityFlowSerializer, activity_queryset
from mobility.models import Activity, DeliveryMode, MobilityFlow, MobilityLevel
from mobility.selectors import flows as flow_queryset
from workspace import history
from workspace import services as workspace

API_ERRORS_SHOWN = 1000


# Token -------------------------------------------------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="Your token, to send as Authorization: Token <key>; "
                                                            "null when you have none (or are not signed in).")
    created = serializers.DateTimeField(allow_null=True, help_text="When it was made.")


class RotateTokenSerializer(serializers.Serializer):
    current_key = serializers.CharField(
        required=False, allow_blank=True, max_length=40,
        help_text="The token being replaced, as a confirmation that you mean to stop it working; "
                  "leave it out when you have none yet.",
    )


def personal(response: Response) -> Response:
    """An answer for the one who asked, and live: no cache along the way keeps it, the portal's own included."""
    add_never_cache_headers(response)
    return response


@extend_schema(tags=["account"])
class TokenView(ApiViewMixin, APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="Read your API token",
                   description="The token of the account making the request; key and created are null for a "
                               "visitor who is not signed in, or who has no token yet.",
                   responses={200: TokenSerializer})
    def get(self, request):
        token = workspace.api_token(request.user) if request.user.is_authenticated else None
        return personal(Response(TokenSerializer({"key": token.key if token else None,
                                                  "created": token.created if token else None}).data))

    @extend_schema(
        summary="Replace your API token",
        description="Makes a new token for your account; the old one stops working at once. Send the current "
                    "key as a confirmation (not needed when you have none yet). For partner focal points and "
                    "the secretariat.",
        request=RotateTokenSerializer, responses={201: TokenSerializer},
        examples=[OpenApiExample("Confirm with the current key",
                                 value={"current_key": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, request_only=True)],
    )
    def post(self, request):
        serializer = RotateTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        current = workspace.api_token(request.user)
        if current is not None and serializer.validated_data.get("current_key") != current.key:
            raise ValidationError({"current_key": ["Give the token you are replacing, to confirm."]})
        token = workspace.rotate_token(user=request.user)
        return Response(TokenSerializer(token).data, status=status.HTTP_201_CREATED)


# Uploads -----------------------------------------------------------------------------------------------------


class ImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Rows of flows in the file.")
    created = serializers.IntegerField(help_text="New flows.")
    updated = serializers.IntegerField(help_text="Flows already reported whose figures the file changed.")
    unchanged = serializers.IntegerField(help_text="Rows identical to the flows already stored.")
    format = serializers.ChoiceField(choices=["csv", "xlsx"], help_text="The file's format.")
    filename = serializers.CharField(allow_blank=True, help_text="The file's name.")
    seconds = serializers.FloatField(help_text="How long the import took.")


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="The file's line (the header is 1); null for the "
                                                               "file as a whole.")
    column = serializers.CharField(allow_null=True, help_text="The column at fault, if one is.")
    message = serializers.CharField(help_text="What is wrong.")


class UploadJobSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The upload's id.")
    filename = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=[uploads.QUEUED, uploads.RUNNING, uploads.DONE, uploads.INVALID,
                                             uploads.FAILED],
                                    help_text="queued, running, done (imported), invalid (nothing imported: see "
                                              "errors) or failed.")
    finished = serializers.BooleanField()
    done = serializers.IntegerField(help_text="Rows checked so far.")
    total = serializers.IntegerField(help_text="Rows in the file, about.")
    percent = serializers.IntegerField(min_value=0, max_value=100)
    message = serializers.CharField()
    result = ImportResultSerializer(allow_null=True, help_text="When done: what was imported.")
    error_count = serializers.IntegerField(help_text="When invalid: how many problems the file has.")
    errors = RowErrorSerializer(many=True, help_text=f"When invalid: the first {uploads.ERRORS_KEPT} problems.")


class ImportFormatSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField(), help_text="The header a file must have.")
    modes = serializers.ListField(child=serializers.CharField(), help_text="Accepted values of mode.")
    levels = serializers.ListField(child=serializers.CharField(), help_text="Accepted values of level.")
    template_csv = serializers.URLField(help_text="A template file with the header and two example rows.")
    template_xlsx = serializers.URLField(help_text="The same as an Excel workbook, with the accepted codes.")
    max_bytes = serializers.IntegerField(help_text="The largest file accepted.")
    background_after_bytes = serializers.IntegerField(
        help_text="Larger files are imported in the background: the answer is 202 and jobs follows them.")
    jobs = UploadJobSerializer(many=True, help_text="Your uploads imported in the background in the last hours, "
                                                    "newest first (only the one asked for with ?job=).")


class UploadFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV or XLSX file of flows, with the columns of the template.")


class UploadTextSerializer(serializers.Serializer):
    filename = serializers.CharField(required=False, max_length=200, default="flows.csv",
                                     help_text="A name for the upload, ending in .csv.")
    content = serializers.CharField(
        trim_whitespace=False,
        help_text="The CSV file's text, header first: at most max_bytes (GET this address) once encoded in UTF-8, "
                  "the same as a file.",
    )


JOB = OpenApiParameter("job", OpenApiTypes.STR, OpenApiParameter.QUERY,
                       description="The id of one of your background uploads: jobs then holds only it.")
CSV_EXAMPLE = OpenApiExample(
    "Two flows as CSV text",
    value={"filename": "flows-2024.csv", "content": imports.template_csv().decode()}, request_only=True,
)


def _job_data(job: uploads.UploadJob) -> dict:
    return {**job.status(), "filename": job.filename, "errors": job.errors}


@extend_schema(tags=["mobility"])
class FlowImportView(ApiViewMixin, APIView):
    parser_classes = [MultiPartParser, LargeJSONParser]

    def max_body_bytes(self) -> int:
        """A file of max_bytes sent as JSON text: escaping a quote, a line break or a non-ASCII letter doubles it."""
        return 2 * imports.max_upload_bytes() + 64 * 1024

    @extend_schema(
        summary="How to upload flows, and your uploads' progress",
        description="The columns and values a file of flows must have, and the state of your uploads that are "
                    "imported in the background (ask again until finished is true).",
        parameters=[JOB], responses={200: ImportFormatSerializer},
    )
    def get(self, request):
        wanted = request.query_params.get("job")
        jobs = []
        if request.user.is_authenticated:
            ids = [wanted] if wanted else uploads.recent_job_ids(request.user)
            jobs = [job for job in map(uploads.get_job, ids) if job and uploads.may_see(request.user, job)]
        return personal(Response(ImportFormatSerializer({
            "columns": imports.FLOW_COLUMNS, "modes": DeliveryMode.values, "levels": MobilityLevel.values,
            "template_csv": request.build_absolute_uri("/workspace/mobility/template.csv"),
            "template_xlsx": request.build_absolute_uri("/workspace/mobility/template.xlsx"),
            "max_bytes": imports.max_upload_bytes(),
            "background_after_bytes": uploads.background_after_bytes(),
            "jobs": [_job_data(job) for job in jobs],
        }).data))

    @extend_schema(
        summary="Upload a file of mobility flows",
        description="A CSV or XLSX file of flows (multipart, field file), or CSV text in JSON. Every row is "
                    "checked against the partner codes, modes, levels, years and counts; the whole file is "
                    "written or nothing is, and a 400 lists every bad row. Focal points upload their partners' "
                    "flows (each row's origin or destination), the secretariat any. A large file is imported in "
                    "the background: the answer is then 202, and GET on this address with ?job= follows it.",
        request={"multipart/form-data": UploadFileSerializer, "application/json": UploadTextSerializer},
        examples=[CSV_EXAMPLE],
        responses={
            200: OpenApiResponse(ImportResultSerializer, description="Imported: how many flows were created, "
                                                                     "updated and left as they were."),
            202: OpenApiResponse(UploadJobSerializer, description="Accepted: imported in the background; the "
                                                                  "Location header is where to follow it."),
        },
    )
    def post(self, request):
        if "file" in request.FILES:
            file = request.FILES["file"]
            filename = file.name
        else:
            serializer = UploadTextSerializer(data=request.data)
            if not serializer.is_valid():
                if not request.content_type.startswith("application/json"):
                    raise ValidationError({"file": ["Send a CSV or XLSX file in the field file."]})
                raise ValidationError(serializer.errors)
            filename = serializer.validated_data["filename"]
            if not filename.lower().endswith(".csv"):
                raise ValidationError({"filename": ["Text in JSON is CSV: end the name with .csv."]})
            file = serializer.validated_data["content"].encode("utf-8")
        try:
            outcome = uploads.upload(user=request.user, file=file, filename=filename)
        except imports.FlowFileInvalid as exc:
            messages = exc.messages[:API_ERRORS_SHOWN]
            if len(exc.errors) > API_ERRORS_SHOWN:
                messages.append(f"... and {len(exc.errors) - API_ERRORS_SHOWN} more problems.")
            raise ValidationError({"file": messages}) from None
        if isinstance(outcome, uploads.UploadJob):
            location = f"{absolute_url('api:flow-import', request)}?job={outcome.id}"
            return Response(_job_data(outcome), status=status.HTTP_202_ACCEPTED, headers={"Location": location})
        return Response(ImportResultSerializer(outcome.as_dict()).data)


# History -----------------------------------------------------------------------------------------------------


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name.")
    label = serializers.CharField(help_text="The field's name, for people.")
    old = serializers.CharField(allow_blank=True, help_text="The value before, as shown to people.")
    new = serializers.CharField(help_text="The value after, as shown to people.")
    added = serializers.ListField(child=serializers.CharField(), help_text="For a list: what was added.")
    removed = serializers.ListField(child=serializers.CharField(), help_text="For a list: what was taken out.")


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="number", help_text="1 for the first version.")
    history_id = serializers.IntegerField(source="record.history_id",
                                          help_text="The version's id: POST it as version to revert to it.")
    date = serializers.DateTimeField(help_text="When it was made.")
    user = serializers.SerializerMethodField(help_text="Who made it; shown to the secretariat and the partner's "
                                                       "focal points only.")
    kind = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    state = serializers.SerializerMethodField(help_text="An activity's review state in this version.")
    reason = serializers.CharField(allow_blank=True, help_text="Why, when the change says: an upload, a revert.")
    changes = ChangeSerializer(many=True, help_text="What it changed from the version before.")

    def get_user(self, version) -> str | None:
        if not self.context.get("show_users") or version.user is None:
            return None
        return version.user.get_username()

    def get_state(self, version) -> str | None:
        return getattr(version.record, "state", None)


class RevertSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The history_id of the version to bring back.")


HISTORY_DESCRIPTION = (
    "Every version, newest first, with who made it, when, and what it changed. The secretariat and the partner's "
    "focal points see every version and its author; others see the published versions only, without authors."
)
REVERT_EXAMPLE = OpenApiExample("Back to an earlier version", value={"version": 1}, request_only=True)


class _HistoryView(ApiViewMixin, APIView):
    parser_classes = [JSONParser]
    model = None

    def insider(self, obj) -> bool:
        raise NotImplementedError

    def records(self, obj, insider: bool):
        return history.history_queryset(self.model).filter(id=obj.pk)

    def get(self, request, **kwargs):
        obj = self.get_object()
        insider = self.insider(obj)
        versions = history.versions(self.model, list(self.records(obj, insider)))
        return Response(VersionSerializer(versions, many=True, context={"show_users": insider}).data)


@extend_schema(tags=["activities"])
class ActivityHistoryView(_HistoryView):
    model = Activity
    detail_serializer_class = ActivitySerializer

    def get_queryset(self):
        return activity_queryset(self.request.user)

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        try:
            return queryset.get(slug=self.kwargs["slug"])
        except Activity.DoesNotExist:
            raise NotFound() from None

    def get_serializer_context(self):
        return {"request": self.request, "view": self}

    def insider(self, activity) -> bool:
        return is_secretariat(self.request.user) or services.owns_activity(self.request.user, activity)

    def records(self, obj, insider):
        records = super().records(obj, insider)
        return records if insider else records.filter(state=Activity.State.PUBLISHED)

    @extend_schema(summary="Every version of an activity", description=HISTORY_DESCRIPTION,
                   responses={200: VersionSerializer(many=True)})
    def get(self, request, **kwargs):
        return super().get(request, **kwargs)

    @extend_schema(
        summary="Revert an activity to an earlier version",
        description="The secretariat writes an earlier version's content back, as a new version that says which "
                    "one it restored; the review state stays as it is, and every version is kept.",
        request=RevertSerializer, responses={200: ActivitySerializer}, examples=[REVERT_EXAMPLE],
    )
    def post(self, request, **kwargs):
        serializer = RevertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            activity = self.object_for_write()
            activity = workspace.revert_activity(activity=activity, history_id=serializer.validated_data["version"],
                                                 user=request.user)
        return self.written(self.get_queryset().get(pk=activity.pk))


@extend_schema(tags=["mobility"])
class FlowHistoryView(_HistoryView):
    model = MobilityFlow
    detail_serializer_class = MobilityFlowSerializer

    def get_queryset(self):
        return flow_queryset()

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        try:
            return queryset.get(pk=self.kwargs["pk"])
        except MobilityFlow.DoesNotExist:
            raise NotFound() from None

    def get_serializer_context(self):
        return {"request": self.request, "view": self}

    def insider(self, flow) -> bool:
        return is_secretariat(self.request.user) or services.owns_flow(self.request.user, flow)

    @extend_schema(summary="Every version of a mobility flow",
                   description="Every version, newest first, with when it was made and what it changed; the "
                               "secretariat and the focal points of its partners also see who made each.",
                   responses={200: VersionSerializer(many=True)})
    def get(self, request, **kwargs):
        return super().get(request, **kwargs)

    @extend_schema(
        summary="Revert a mobility flow to an earlier version",
        description="The secretariat writes an earlier version's figures back, as a new version that says which "
                    "one it restored; every version is kept.",
        request=RevertSerializer, responses={200: MobilityFlowSerializer}, examples=[REVERT_EXAMPLE],
    )
    def post(self, request, **kwargs):
        serializer = RevertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            flow = self.object_for_write()
            flow = workspace.revert_flow(flow=flow, history_id=serializer.validated_data["version"],
                                         user=request.user)
        return self.written(self.get_queryset().get(pk=flow.pk))

