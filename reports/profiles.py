"""A partner's profile: how it is doing toward 2030 on the indicators it reports, beside its side of ASEM and all
of ASEM; its reporting record; the activities it leads and joins; its mobility in and out. And its two CSVs."""

from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from core.exports import Column, csv_response
from mobility import charts
from mobility.maps import partner_map
from mobility.models import Partner
from mobility.selectors import flow_conflicts, partner_activities, partner_mobility
from objectives.formats import num
from objectives.status_html import explained_status_html
from reports.profile_data import Figure, IndicatorLine, partner_flows, partner_values, reporting_record, value_records

PARTNER_ACTIVITIES_SHOWN = 10
# Routes both ends reported with different figures that a partner's page lists; the secretariat's admin has them all.
CONFLICTS_SHOWN = 20

VALUE_COLUMNS = [
    Column("indicator", lambda r: r["indicator"].code),
    Column("name", lambda r: r["indicator"].name),
    Column("unit", lambda r: r["indicator"].unit),
    Column("aggregation", lambda r: r["indicator"].aggregation),
    Column("year", lambda r: r["year"]),
    Column("value", lambda r: r["value"]),
    Column("side_value", lambda r: r["side"].value),
    Column("side_coverage", lambda r: r["side"].coverage),
    Column("side_partners", lambda r: r["side"].partners),
    Column("asem_value", lambda r: r["asem"].value),
    Column("asem_coverage", lambda r: r["asem"].coverage),
    Column("asem_partners", lambda r: r["asem"].partners),
]
MOBILITY_COLUMNS = [
    Column("year", lambda r: r["year"]),
    Column("mode", lambda r: r["mode"]),
    Column("level", lambda r: r["level"]),
    Column("incoming", lambda r: r["incoming"]),
    Column("outgoing", lambda r: r["outgoing"]),
]


def figure_html(figure: Figure, *, aggregation: str, decimals: int) -> SafeString:
    """templates/reports/profile_figure.html, character for character."""
    if not figure.coverage:
        return format_html("{}\n", "–")
    counts = {"counter": figure.coverage, "total": figure.partners}
    if aggregation == "sum":
        words = ngettext("sum of %(counter)s of %(total)s partners", "sum of %(counter)s of %(total)s partners",
                         figure.coverage) % counts
    elif aggregation == "mean":
        words = ngettext("mean of %(counter)s of %(total)s partners", "mean of %(counter)s of %(total)s partners",
                         figure.coverage) % counts
    else:
        words = ngettext("of %(counter)s of %(total)s partners reporting",
                         "of %(counter)s of %(total)s partners reporting", figure.coverage) % counts
    return format_html('{} <span class="muted">{}</span>\n', num(figure.value, decimals), words)


def indicator_rows_html(lines: list[IndicatorLine], partner: Partner) -> SafeString:
    """An objective's rows of indicators on the profile, written directly, as the template drew them character for
    character: a hundred rows of a status and two figures through includes took most of the page's time."""
    return format_html_join("", (
        '\n      <tr id="indicator-{}">'
        '\n        <th scope="row"><a href="{}#partner-{}">{}</a> {} <span class="muted">({})</span></th>'
        '\n        <td class="cell-status">{}</td>'
        '\n        <td class="num">{} <span class="muted">({})</span></td>'
        '\n        <td class="num">{}</td>'
        '\n        <td class="num">{}</td>'
        '\n      </tr>'
    ), (
        (line.indicator.code, line.indicator.get_absolute_url(), partner.code, line.indicator.code,
         line.indicator.name, line.indicator.unit, explained_status_html(line.result),
         num(line.value, line.indicator.decimals), line.year,
         figure_html(line.side, aggregation=line.indicator.aggregation, decimals=line.indicator.decimals),
         figure_html(line.asem, aggregation=line.indicator.aggregation, decimals=line.indicator.decimals))
        for line in lines
    ))


def mobility_rows_html(rows: list[dict]) -> SafeString:
    """The rows of its mobility by year, mode and level, written directly as the template drew them: a hundred and
    eighty rows at ten years of data."""
    # Each label translated once, not once a row.
    labels: dict[tuple[str, str], str] = {}
    for row in rows:
        for key in ("mode", "level"):
            if (key, row[key]) not in labels:
                labels[key, row[key]] = str(row[f"{key}_label"])
    return format_html_join("", (
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td></tr>'
    ), ((row["year"], labels["mode", row["mode"]], labels["level", row["level"]], num(row["incoming"], 2),
         num(row["outgoing"], 2)) for row in rows))


@require_safe
def partner_profile(request, code):
    partner = get_object_or_404(Partner, code=code)
    values = partner_values(partner)
    led, joined = partner_activities(partner)
    led_shown = list(led[:PARTNER_ACTIVITIES_SHOWN])
    joined_shown = list(joined[:PARTNER_ACTIVITIES_SHOWN])
    mobility = partner_flows(partner)
    by_year = partner_mobility(partner)  # from the kept totals by route when they are current
    conflicts = flow_conflicts(partner=partner)
    context = {
        "partner": partner,
        "values": values,
        "value_tables": [(line, indicator_rows_html(line.indicators, partner)) for line in values.objectives],
        "record": reporting_record(partner),
        "led": led_shown,
        "led_count": led.count(),
        "joined": joined_shown,
        "joined_count": joined.count(),
        "flows": mobility,
        "flow_rows": mobility_rows_html(mobility.rows),
        "mobility": by_year,
        "mobility_chart": charts.partner_mobility_chart(partner, by_year),
        "flow_map": partner_map(partner, years=[row["year"] for row in by_year], routes=mobility.routes),
        "conflicts": conflicts[:CONFLICTS_SHOWN],
        "conflict_count": len(conflicts),
        "more_conflicts": max(len(conflicts) - CONFLICTS_SHOWN, 0),
        "shows_demo_data": (values.shows_demo or any(row["demo"] for row in by_year)
                            or any(a.is_demo for a in led_shown + joined_shown)),
    }
    return render(request, "reports/profile.html", context)


@require_safe
def values_csv(request, code):
    partner = get_object_or_404(Partner, code=code)
    return csv_response(f"asem-{partner.code.lower()}-values.csv", value_records(partner), VALUE_COLUMNS, whole=True)


@require_safe
def mobility_csv(request, code):
    partner = get_object_or_404(Partner, code=code)
    return csv_response(f"asem-{partner.code.lower()}-mobility.csv", partner_flows(partner).rows, MOBILITY_COLUMNS,
                        whole=True)
