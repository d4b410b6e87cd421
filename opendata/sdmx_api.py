"""The API's SDMX: the published structure, an indicator's observations and the mobility totals as SDMX-ML and
SDMX-CSV, and the secretariat's import of a data message into an indicator's observations."""

import hashlib

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import QueryParameterError, too_large
from core.api.etags import etag_for
from core.api.fields import absolute_url
from core.api.parsers import LargeJSONParser
from core.api.permissions import SecretariatOrReadOnly
from core.api.views import ApiViewMixin
from objectives.api import INDICATOR_CODE_PATH
from objectives.models import Indicator
from opendata import sdmx


class _SdmxRenderer(renderers.BaseRenderer):
    """A message the view has written already (bytes): sent as it is.

    Its media type has no version parameter, which DRF would require of every Accept header (*/* included); the
    response's Content-Type carries it (media_type_with_version).
    """

    charset = None

    @classmethod
    def media_type_with_version(cls) -> str:
        return cls.full_media_type

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class StructureRenderer(_SdmxRenderer):
    full_media_type = sdmx.STRUCTURE_MEDIA_TYPE
    media_type = full_media_type.partition(";")[0]
    format = "sdmx-ml"


class StructureSpecificRenderer(_SdmxRenderer):
    full_media_type = sdmx.STRUCTURE_SPECIFIC_MEDIA_TYPE
    media_type = full_media_type.partition(";")[0]
    format = "sdmx-ml"


class CsvRenderer(_SdmxRenderer):
    full_media_type = sdmx.CSV_MEDIA_TYPE
    media_type = full_media_type.partition(";")[0]
    format = "sdmx-csv"


class XmlRenderer(_SdmxRenderer):
    """Plain XML asked for: the structure-specific SDMX-ML."""

    media_type = full_media_type = "application/xml"
    format = "xml"


DATA_FORMATS = {"sdmx-ml": "SDMX-ML 2.1, structure-specific (the default)", "sdmx-csv": "SDMX-CSV 2.0.0",
                "xml": "the same SDMX-ML as application/xml"}
DATA_FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=list(DATA_FORMATS),
    description="The message's format: " + "; ".join(f"{name}, {what}" for name, what in DATA_FORMATS.items())
                + ". The Accept header can ask for it instead, by the SDMX media types.",
)
DATA_RESPONSES = {
    (200, sdmx.STRUCTURE_SPECIFIC_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description="SDMX-ML 2.1."),
    (200, sdmx.CSV_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description="SDMX-CSV 2.0.0."),
    (200, "application/xml"): OpenApiResponse(OpenApiTypes.STR, description="SDMX-ML 2.1, for Accept: "
                                                                           "application/xml or ?format=xml."),
}
STRUCTURE_NOTE = ("The structure (dimensions, codelists, attributes) is published at /api/v1/sdmx/structure/; "
                  "docs/api.md in the portal's repository describes it.")


class _MessageView(ApiViewMixin, APIView):
    """A read whose answer is an SDMX message, in the format negotiated."""

    # Structure-specific SDMX-ML only: sdmx1 2.28 names a generic message's root StructureSpecificData.
    renderer_classes = [StructureSpecificRenderer, CsvRenderer, XmlRenderer]
    filename = "data"

    def get_renderers(self):
        return [renderer() for renderer in self.renderer_classes]

    def table(self) -> sdmx.DataTable:
        raise NotImplementedError

    def answer(self, request) -> Response:
        chosen = request.accepted_renderer.format
        table = self.table()
        # Written straight from the table: the CSV needs nothing of sdmx1's objects, nor the structure's queries. It
        # holds every observation's key, value and attributes, so with the demonstration flag (the header's Source)
        # it is what the message says, without the moment it was prepared: the ETag of either format.
        csv = sdmx.table_to_sdmx_csv(table)
        if chosen == "sdmx-csv":
            body, suffix = csv, "csv"
        else:
            body, suffix = sdmx.to_sdmx_ml(sdmx.table_message(table)), "xml"
        signature = [table.demo, hashlib.sha256(csv).hexdigest()]
        response = Response(body, headers={"ETag": etag_for(signature, f"-{chosen}")},
                            content_type=request.accepted_renderer.media_type_with_version())
        response["Content-Disposition"] = f'inline; filename="{self.filename}.{suffix}"'
        return response


class StructureView(_MessageView):
    renderer_classes = [StructureRenderer, XmlRenderer]

    @extend_schema(
        tags=["sdmx"], summary="The SDMX structure: data structures, codelists and dataflows",
        description="An SDMX-ML 2.1 structure message, written by sdmx1: the dataflows DF_ASEM_INDICATORS (every "
                    "indicator's observations: INDICATOR, REF_AREA, BREAKDOWN, TIME_PERIOD; attributes UNIT_MEASURE, "
                    "COVERAGE, SOURCE, DEMO) and DF_ASEM_MOBILITY (the public flows summed: DIRECTION, MODE, LEVEL, "
                    "STATISTIC, TIME_PERIOD), their data structures, codelists and concepts. Build data messages "
                    "to import against it.",
        responses={(200, sdmx.STRUCTURE_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR,
                                                                     description="SDMX-ML 2.1 structure message."),
                   (200, "application/xml"): OpenApiResponse(OpenApiTypes.STR,
                                                             description="The same, for Accept: application/xml or "
                                                                         "?format=xml.")},
    )
    def get(self, request):
        structure = sdmx.build_structure()
        body = sdmx.to_sdmx_ml(structure.message)
        etag = etag_for([[str(a.urn), [str(item) for item in getattr(a, "items", {})]]
                         for artefacts in (structure.message.codelist, structure.message.structure)
                         for a in artefacts.values()])
        response = Response(body, headers={"ETag": etag},
                            content_type=request.accepted_renderer.media_type_with_version())
        response["Content-Disposition"] = 'inline; filename="asem-structure.xml"'
        return response


class IndicatorDataView(_MessageView):
    @extend_schema(
        tags=["sdmx"], summary="An indicator's observations as an SDMX message",
        description="Every observation of the indicator (ASEM's and each partner's, the headline and every "
                    "breakdown) as an SDMX data message of the dataflow DF_ASEM_INDICATORS, written by sdmx1. "
                    "Demonstration data says so: DEMO=true on each observation and the header's Source. "
                    + STRUCTURE_NOTE,
        parameters=[INDICATOR_CODE_PATH, DATA_FORMAT], responses=DATA_RESPONSES,
    )
    def get(self, request, code):
        self.indicator = Indicator.objects.filter(code=code).first()
        if self.indicator is None:
            raise NotFound("No indicator has this code.")
        self.filename = f"asem-indicator-{code}"
        return self.answer(request)

    def table(self) -> sdmx.DataTable:
        return sdmx.indicator_table(self.indicator)


class MobilityDataView(_MessageView):
    filename = "asem-mobility"

    @extend_schema(
        tags=["sdmx"], summary="The mobility totals as an SDMX message",
        description="The public flows (where both ends reported a route, the host's row) summed by year, direction, "
                    "mode and level: participants, of them female and of them with fewer opportunities, as an SDMX "
                    "data message of the dataflow DF_ASEM_MOBILITY, written by sdmx1. Totals that include "
                    "demonstration flows say so: DEMO=true, and the header's Source. " + STRUCTURE_NOTE,
        parameters=[DATA_FORMAT], responses=DATA_RESPONSES,
    )
    def get(self, request):
        return self.answer(request)

    def table(self) -> sdmx.DataTable:
        return sdmx.mobility_table()


# The import ------------------------------------------------------------------------------------------------------


class SdmxImportFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An SDMX-CSV 2.0.0 or SDMX-ML 2.1 data message of DF_ASEM_INDICATORS.")
    source = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                   help_text="Where the values come from; without it, each observation's SOURCE "
                                             "attribute, else the message header's sender and id.")


class SdmxImportTextSerializer(serializers.Serializer):
    content = serializers.CharField(trim_whitespace=False,
                                    help_text="The message's text: SDMX-CSV 2.0.0 or SDMX-ML 2.1.")
    source = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                   help_text="Where the values come from, as for a file.")


class SdmxChangeSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[sdmx.ADDED, sdmx.CHANGED, sdmx.UNCHANGED])
    ref_area = serializers.CharField(help_text="A partner's code, or ASEM.")
    breakdown = serializers.CharField(allow_blank=True, help_text="key=value, or empty for the headline.")
    year = serializers.IntegerField()
    value = serializers.FloatField(help_text="The value the file gives.")
    old_value = serializers.FloatField(allow_null=True, help_text="The value before, for a change.")
    source = serializers.CharField(allow_blank=True)
    old_source = serializers.CharField(allow_null=True)


class SdmxImportResultSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code")
    dry_run = serializers.BooleanField(help_text="True: nothing was written; the changes are what a real run makes.")
    digest = serializers.CharField(help_text="The SHA-256 of the message.")
    added = serializers.IntegerField(source="counts.added")
    changed = serializers.IntegerField(source="counts.changed")
    unchanged = serializers.IntegerField(source="counts.unchanged")
    skipped = serializers.ListField(child=serializers.CharField(),
                                    help_text="Observations left out, and why: the ASEM value of an indicator "
                                              "partners report is made from theirs.")
    changes = SdmxChangeSerializer(many=True, help_text="Every observation of the message and what it does.")


class SdmxImportFormatSerializer(serializers.Serializer):
    formats = serializers.ListField(child=serializers.CharField())
    structure = serializers.URLField(help_text="The structure the messages follow.")
    dataflow = serializers.CharField()
    max_bytes = serializers.IntegerField(help_text="The largest message taken.")


IMPORT_EXAMPLE = OpenApiExample(
    "Two years of Germany's values as SDMX-CSV", request_only=True, value={
        "source": "Federal Statistical Office, 2026 release",
        "content": "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\r\n"
                   "dataflow,ASEM_EDU:DF_ASEM_INDICATORS(1.0),I,1_1_a,DE,_T,2024,1520\r\n"
                   "dataflow,ASEM_EDU:DF_ASEM_INDICATORS(1.0),I,1_1_a,DE,_T,2025,1610\r\n",
    })
DRY_RUN = OpenApiParameter("dry_run", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                           description="true: check the message and list what would change, writing nothing.")


def _dry_run(request) -> bool:
    value = request.query_params.get("dry_run", "").strip().lower()
    if value in ("", "false", "0", "no"):
        return False
    if value in ("true", "1", "yes"):
        return True
    raise QueryParameterError({"dry_run": ["Give true or false."]})


@extend_schema(tags=["sdmx"], parameters=[INDICATOR_CODE_PATH])
class IndicatorImportView(ApiViewMixin, APIView):
    parser_classes = [MultiPartParser, LargeJSONParser]
    permission_classes = [SecretariatOrReadOnly]

    def max_body_bytes(self) -> int:
        """A message of max_bytes sent as JSON text: escaping a quote or a line break doubles it."""
        return 2 * sdmx.max_upload_bytes() + 64 * 1024

    def indicator(self, code: str) -> Indicator:
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise NotFound("No indicator has this code.")
        return indicator

    @extend_schema(summary="How to import an SDMX message into an indicator",
                   description="The formats an import takes, the structure its messages follow and the largest "
                               "message it takes.", responses={200: SdmxImportFormatSerializer})
    def get(self, request, code):
        self.indicator(code)
        return Response(SdmxImportFormatSerializer({
            "formats": ["SDMX-CSV 2.0.0", "SDMX-ML 2.1 (generic or structure-specific)"],
            "structure": absolute_url("api:sdmx-structure", request), "dataflow": f"DF_{sdmx.INDICATORS}",
            "max_bytes": sdmx.max_upload_bytes(),
        }).data)

    @extend_schema(
        summary="Import an SDMX data message into an indicator's observations",
        description="The secretariat's: an SDMX-CSV 2.0.0 or SDMX-ML 2.1 data message of DF_ASEM_INDICATORS "
                    "(multipart, field file; or its text in JSON). Every observation is checked (the indicator, "
                    "REF_AREA a partner's code or ASEM, the year, a finite value, a count whole, breakdowns adding "
                    "up, none given twice); a 400 names each observation at fault and nothing is written. With "
                    "?dry_run=true nothing is written either: the answer lists what would be added and changed. "
                    "Otherwise every change is written at once, each observation keeping its source.",
        parameters=[DRY_RUN], examples=[IMPORT_EXAMPLE],
        request={"multipart/form-data": SdmxImportFileSerializer, "application/json": SdmxImportTextSerializer},
        responses={200: OpenApiResponse(SdmxImportResultSerializer,
                                        description="Checked, and unless a dry run, written: every observation's "
                                                    "change.")},
    )
    def post(self, request, code):
        indicator = self.indicator(code)
        dry_run = _dry_run(request)
        if "file" in request.FILES:
            upload = request.FILES["file"]
            if upload.size > sdmx.max_upload_bytes():
                raise too_large(sdmx.max_upload_bytes())
            content = upload.read()
            source = str(request.data.get("source", ""))
        else:
            serializer = SdmxImportTextSerializer(data=request.data)
            if not serializer.is_valid():
                if not request.content_type.startswith("application/json"):
                    raise ValidationError({"file": ["Send an SDMX-CSV or SDMX-ML message in the field file."]})
                raise ValidationError(serializer.errors)
            content = serializer.validated_data["content"].encode("utf-8")
            source = serializer.validated_data.get("source", "")
        if len(source) > 300:
            raise ValidationError({"source": ["Give at most 300 characters."]})
        try:
            with transaction.atomic():
                result = sdmx.import_observations(user=request.user, indicator=indicator, content=content,
                                                  source=source, dry_run=dry_run)
        except sdmx.SdmxFileInvalid as exc:
            raise ValidationError({"file": exc.messages}) from None
        return Response(SdmxImportResultSerializer(result).data)
