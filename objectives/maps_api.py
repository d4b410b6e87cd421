"""API v1: the maps' data as GeoJSON, for tools that draw their own maps.

/maps/partners/ is every partner's shape (Natural Earth, simplified; longitude and latitude) with its code, name,
region and kind; /indicators/{code}/map/?year= is the same with each partner's value of the indicator that year and
its class on the portal's map. The EU and the ASEAN Secretariat are features with no geometry.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import views
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core import maps
from core.api.errors import QueryParameterError
from core.api.views import ApiViewMixin
from objectives.api import INDICATOR_CODE_PATH
from objectives.maps import map_year, map_years, year_values
from objectives.models import FIRST_YEAR, LAST_YEAR, Indicator, year_asked
from partners.models import Partner

YEAR = OpenApiParameter(
    "year", {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}, OpenApiParameter.QUERY,
    description="The year whose values to give; the latest year before it that partners reported if none did then. "
                "By default the latest year partners reported.",
)


def _partners() -> dict[str, dict]:
    return {code: {"name": name, "region": region, "kind": kind}
            for code, name, region, kind in Partner.objects.order_by("name").values_list("code", "name", "region",
                                                                                         "kind")}


class PartnersMapView(ApiViewMixin, views.APIView):
    @extend_schema(tags=["partners"], summary="The partners' shapes as GeoJSON", responses=OpenApiTypes.OBJECT,
                   description="A GeoJSON FeatureCollection: one feature per partner, its id and properties.code its "
                               "ISO 3166 alpha-2 code (EU, ASEAN for the two that are not countries, which have no "
                               "geometry). Shapes: Natural Earth, public domain, simplified.")
    def get(self, request):
        return Response(maps.geojson(properties=_partners()))


class IndicatorMapView(ApiViewMixin, views.APIView):
    @extend_schema(tags=["indicators"], summary="An indicator's partners' values on a map, as GeoJSON",
                   parameters=[INDICATOR_CODE_PATH, YEAR], responses=OpenApiTypes.OBJECT,
                   description="The partners' shapes (as /maps/partners/) with each partner's value of the indicator "
                               "in the year (null where it did not report) and its class on the portal's map, "
                               "lowest 1 to highest 5. An indicator measured for ASEM as a whole has no values.")
    def get(self, request, code):
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise NotFound("No indicator has this code.")
        asked = request.query_params.get("year", "").strip()
        year = year_asked(asked) if asked else None
        if asked and year is None:
            raise QueryParameterError({"year": [f"Give a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2024."]})
        partners = _partners()
        shown = map_year(indicator, year=year, years=map_years(indicator)) if indicator.is_partner_reported else None
        values = year_values(indicator, shown) if shown else {}
        scale = maps.classes(list(values.values()), decimals=indicator.decimals)
        for code_, props in partners.items():
            item = maps.class_of(values.get(code_), scale)
            props.update(value=values.get(code_), map_class=scale.index(item) + 1 if item else None)
        collection = maps.geojson(properties=partners)
        collection["indicator"] = {"code": indicator.code, "name": indicator.name, "unit": indicator.unit}
        collection["year"] = shown
        collection["classes"] = [{"class": i + 1, "from": item.low, "to": item.high, "colour": item.colour}
                                 for i, item in enumerate(scale)]
        return Response(collection)
