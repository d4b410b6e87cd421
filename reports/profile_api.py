"""/api/v1/partners/{code}/profile/: a partner's profile for tools that draw their own, as the page shows it."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, views
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.views import ApiViewMixin
from mobility.models import Partner
from reporting.api import PARTNER_CODE
from reports.profile_data import partner_flows, partner_values, reporting_record


class PartnerProfileSerializer(serializers.Serializer):
    partner = serializers.DictField(help_text="The partner: code, name, region and kind.")
    objectives = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each objective with an indicator the partner reports: its status rolled up from the partner's own "
                  "statuses, a summary of them, and each indicator with the partner's latest value and year, its own "
                  "status with every figure behind it, and the same year's figure for its side of ASEM ('side') and "
                  "for all of ASEM ('asem'): value, coverage (how many partners reported) and partners (how many "
                  "there are).")
    reporting = serializers.ListField(
        child=serializers.DictField(),
        help_text="Its return in each round opened so far, newest first: approved, submitted or not submitted.")
    mobility = serializers.DictField(
        help_text="Its public mobility: participants in and out, the balance (in for each one out), the sums by "
                  "year, mode and level, and its largest routes in each direction.")


class PartnerProfileView(ApiViewMixin, views.APIView):
    @extend_schema(
        tags=["partners"], summary="A partner's profile: its statuses, its reporting record and its mobility",
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=f"^{PARTNER_CODE}$",
                                     description="The partner's code: ISO 3166 alpha-2, EU or ASEAN (any case).")],
        responses=PartnerProfileSerializer,
    )
    def get(self, request, code):
        partner = Partner.objects.filter(code=code.upper()).first()
        if partner is None:
            raise NotFound("No partner has this code.")
        data = {
            "partner": {"code": partner.code, "name": partner.name, "region": partner.region, "kind": partner.kind,
                        "url": request.build_absolute_uri(partner.get_absolute_url())},
            "objectives": [line.as_dict() for line in partner_values(partner).objectives],
            "reporting": [line.as_dict() for line in reporting_record(partner)],
            "mobility": partner_flows(partner).as_dict(),
        }
        return Response(PartnerProfileSerializer(data).data)
