"""The REST API: /api/v1/ and its schema and documentation, served with no outside network."""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from asem_portal.api_index import IndexView
from core.api.docs import RedocView, SchemaView, SwaggerView
from instruments.api import InstrumentViewSet
from mobility.api import ActivityViewSet, FlowSummaryViewSet, MobilityFlowViewSet, OrganisationViewSet, PartnerViewSet
from objectives.api import (
    INDICATOR_CODE,
    IndicatorPartnersView,
    IndicatorProgressView,
    IndicatorViewSet,
    ObjectiveViewSet,
    ObservationViewSet,
    ProgressView,
    StrategyView,
)
from objectives.compare_api import IndicatorComparisonView, ObjectivePartnersView
from objectives.maps_api import IndicatorMapView, PartnersMapView
from opendata.sdmx_api import IndicatorDataView, IndicatorImportView, MobilityDataView, StructureView
from reporting.api import PARTNER_CODE, PartnerValueViewSet, ReturnViewSet, RoundViewSet
from reports.profile_api import PartnerProfileView

app_name = "api"


class Router(DefaultRouter):
    include_root_view = False
    include_format_suffixes = False


router = Router()
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("partners", PartnerViewSet, basename="partner")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("activities", ActivityViewSet, basename="activity")
router.register("mobility/flows", MobilityFlowViewSet, basename="flow")
router.register("mobility/summary", FlowSummaryViewSet, basename="flow-summary")
router.register("rounds", RoundViewSet, basename="round")
router.register("returns", ReturnViewSet, basename="return")

observations = ObservationViewSet.as_view({"get": "list", "post": "create"}, detail=False)
observation = ObservationViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}, detail=True
)


@extend_schema(exclude=True)
class NotFoundView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]

    def initial(self, request, *args, **kwargs):
        raise NotFound("There is no API endpoint at this address: see /api/v1/ for every one, and /api/docs/.")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        del response["Allow"]  # nothing is here, so no method is allowed either
        return response


not_found = NotFoundView.as_view()


v1 = [
    path("", IndexView.as_view(), name="index"),
    path("strategy/", StrategyView.as_view(), name="strategy"),
    path("progress/", ProgressView.as_view(), name="progress"),
    re_path(rf"^indicators/(?P<code>{INDICATOR_CODE})/observations/$", observations, name="observation-list"),
    re_path(rf"^indicators/(?P<code>{INDICATOR_CODE})/observations/(?P<pk>[0-9]{{1,18}})/$", observation,
            name="observation-detail"),
    re_path(rf"^indicators/(?P<code>{INDICATOR_CODE})/progress/$", IndicatorProgressView.as_view(),
            name="indicator-progress"),
    re_path(rf"^indicators/(?P<code>{INDICATOR_CODE})/partners/$", IndicatorPartnersView.as_view(),
            name="indicator-partners"),
    re_path(rf"^indicators/(?P<code>{INDICATOR_CODE})/comparison/$", IndicatorComparisonView.as_view(),
            name="indicator-comparison"),
    re_path(r"^objectives/(?P<number>[0-9]{1,4})/partners/$", ObjectivePartnersView.as_view(),
            name="objective-partners"),
    re_path(rf"^partners/(?P<code>{PARTNER_CODE})/values/$", PartnerValueViewSet.as_view({"get": "list"}),
            name="partner-values"),
    re_path(rf"^partners/(?P<code>{PARTNER_CODE})/profile/$", PartnerProfileView.as_view(), name="partner-profile"),
    re_path(rf"^indicators/(?P<code>{INDICATOR_CODE})/map/$", IndicatorMapView.as_view(), name="indicator-map"),
    path("maps/partners/", PartnersMapView.as_view(), name="partners-map"),
    path("sdmx/structure/", StructureView.as_view(), name="sdmx-structure"),
    re_path(rf"^indicators/(?P<code>{INDICATOR_CODE})/sdmx/$", IndicatorDataView.as_view(), name="indicator-sdmx"),
    re_path(rf"^indicators/(?P<code>{INDICATOR_CODE})/sdmx/import/$", IndicatorImportView.as_view(),
            name="indicator-sdmx-import"),
    path("mobility/sdmx/", MobilityDataView.as_view(), name="mobility-sdmx"),
    path("reports/", include("reports.api_urls")),
    path("", include("workspace.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
    # Anything else under /api/ is a JSON 404, like every other API error.
    re_path(r"^[\s\S]*\Z", not_found),
]
