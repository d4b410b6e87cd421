"""The maps of an indicator's partners' values: what the indicator page, the progress page and the API draw.

One year at a time: each partner's own value that year (its headline value, no breakdown), the partners that did not
report it grey. Two queries however many partners and years: the partners, and the year's values.
"""

from django.utils.translation import gettext as _

from core import maps
from core.charts import number
from objectives.compare import default_year
from objectives.models import Indicator, Observation
from partners.models import Partner


def partner_names() -> dict[str, str]:
    return dict(Partner.objects.values_list("code", "name"))


def map_years(indicator: Indicator) -> list[int]:
    """The years some partner reported the indicator, latest first."""
    return sorted(set(Observation.objects.filter(indicator=indicator, partner__isnull=False, breakdown="")
                      .values_list("year", flat=True)), reverse=True)


def map_year(indicator: Indicator, *, year: int | None, years: list[int]) -> int | None:
    """The year asked for if any partner reported it then, else the latest such year before it; asked for none, the
    latest whole year (the comparison's default: a year in progress rests on the few who reported early)."""
    if not years:
        return None
    if year is None:
        return default_year(years)
    return next((y for y in years if y <= year), years[-1])


def year_values(indicator: Indicator, year: int) -> dict[str, float]:
    return dict(Observation.objects.filter(indicator=indicator, partner__isnull=False, breakdown="", year=year)
                .values_list("partner__code", "value"))


def indicator_map(indicator: Indicator, *, year: int, names: dict[str, str] | None = None,
                  map_id: str = "indicator-map") -> maps.Map:
    names = partner_names() if names is None else names
    values = year_values(indicator, year)
    reported = len(values)
    title = _("%(name)s by partner, %(year)s") % {"name": indicator.name, "year": year}
    if values:
        low, high = min(values.values()), max(values.values())
        description = _(
            "A map of the ASEM partners coloured by their value of %(code)s in %(year)s, in five classes from light "
            "(lowest) to dark (highest). %(reported)s of %(total)s partners reported, from %(low)s to %(high)s; the "
            "others are grey and hatched. The table beside the map gives every value."
        ) % {"code": indicator.code, "year": year, "reported": reported, "total": len(names),
             "low": number(low, indicator.decimals), "high": number(high, indicator.decimals)}
    else:
        description = _("No partner reported %(code)s in %(year)s: every partner is grey and hatched.") % {
            "code": indicator.code, "year": year}
    return maps.choropleth(map_id=map_id, title=title, description=description, value_label=_("Value"),
                           names=names, values=values, decimals=indicator.decimals, unit=indicator.unit)


def chosen_indicator(indicators: list[Indicator], *, code: str) -> tuple[Indicator | None, bool]:
    """The partner-reported indicator of the list whose code was asked, or the first; and whether the code was known.

    The progress page offers these in a select; an empty code or none asked is the first, not an error.
    """
    reported = [indicator for indicator in indicators if indicator.is_partner_reported]
    if not reported:
        return None, not code
    chosen = next((indicator for indicator in reported if indicator.code == code), None)
    return chosen or reported[0], chosen is not None or not code


def progress_map(indicator: Indicator, *, as_of: int | None) -> maps.Map | None:
    """An indicator's map in the year the page is as of, or the latest before it partners reported; three queries."""
    year = map_year(indicator, year=as_of, years=map_years(indicator))
    return indicator_map(indicator, year=year, map_id="progress-map") if year else None
