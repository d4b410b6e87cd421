"""The mobility pages' charts, from the selectors' figures: titles, descriptions and series."""

from django.utils.translation import gettext as _

from core import charts
from core.charts import Series, number
from mobility.models import DeliveryMode, MobilityLevel
from mobility.selectors import YearDirections

CHOICES = {"mode": DeliveryMode, "level": MobilityLevel}


def table_by_year(table: dict[int, dict[str, int]], group: str) -> dict:
    """{year: {key: n}} as a table: the columns in the choices' order, a row per year, and the totals."""
    present = {key for row in table.values() for key in row}
    columns = [(choice.value, choice.label) for choice in CHOICES[group] if choice.value in present]
    rows = [
        {"year": year, "values": [row.get(value, 0) for value, _label in columns], "total": sum(row.values())}
        for year, row in table.items()
    ]
    totals = [sum(row["values"][i] for row in rows) for i in range(len(columns))]
    return {"columns": columns, "rows": rows, "totals": totals, "grand_total": sum(totals)}


def _trend(name: str, points: list[tuple[int, float]]) -> str:
    if not points:
        return _("%(name)s: no data.") % {"name": name}
    (first_year, first), (last_year, last) = points[0], points[-1]
    return _("%(name)s: %(first)s in %(first_year)s, %(last)s in %(last_year)s.") % {
        "name": name, "first": number(first), "first_year": first_year, "last": number(last),
        "last_year": last_year,
    }


def directions_chart(by_year: list[YearDirections]):
    """The mobility page's main chart: participants each year from Asia to Europe and from Europe to Asia."""
    to_europe = [(row.year, row.asia_to_europe) for row in by_year]
    to_asia = [(row.year, row.europe_to_asia) for row in by_year]
    return charts.bar_chart(
        chart_id="chart-directions",
        title=_("Participants by year and direction between Asia and Europe"),
        description=" ".join([_trend(_("Asia to Europe"), to_europe), _trend(_("Europe to Asia"), to_asia)]),
        categories=[str(row.year) for row in by_year],
        series=[(_("Asia to Europe"), [v for _y, v in to_europe]), (_("Europe to Asia"), [v for _y, v in to_asia])],
    )


def mobility_charts(by_year: list[YearDirections], mode_table: dict, level_table: dict, corridors: list[dict]) -> dict:
    balance = [(row.year, round(row.balance, 3)) for row in by_year if row.balance is not None]
    return {
        "directions": directions_chart(by_year),
        "balance": charts.line_chart(
            chart_id="chart-balance",
            title=_("Balance of mobility between Asia and Europe"),
            description=_("The smaller direction divided by the larger; 1 is perfectly balanced. ")
            + _trend(_("Balance"), balance),
            series=[Series(_("Balance ratio"), balance)],
            y_label=_("ratio"),
        ),
        "modes": charts.bar_chart(
            chart_id="chart-modes",
            title=_("Participants by year and mode"),
            description=" ".join(
                _("%(mode)s: %(total)s in all.") % {"mode": label, "total": number(total)}
                for (_value, label), total in zip(mode_table["columns"], mode_table["totals"], strict=True)
            ) or _("No data."),
            categories=[str(row["year"]) for row in mode_table["rows"]],
            series=[(str(label), [row["values"][i] for row in mode_table["rows"]])
                    for i, (_value, label) in enumerate(mode_table["columns"])],
            stacked=True,
        ),
        "levels": charts.horizontal_bar_chart(
            chart_id="chart-levels",
            title=_("Participants by level of education"),
            description=" ".join(
                _("%(level)s: %(total)s.") % {"level": label, "total": number(total)}
                for (_value, label), total in zip(level_table["columns"], level_table["totals"], strict=True)
            ) or _("No data."),
            rows=sorted(((str(label), total) for (_v, label), total in
                         zip(level_table["columns"], level_table["totals"], strict=True)), key=lambda r: -r[1]),
            label_width=180,
        ),
        "corridors": charts.horizontal_bar_chart(
            chart_id="chart-corridors",
            title=_("The largest partner-to-partner corridors"),
            description=" ".join(
                _("%(origin)s to %(destination)s: %(n)s.") % {
                    "origin": row["origin_name"], "destination": row["destination_name"],
                    "n": number(row["participants"])}
                for row in corridors
            ) or _("No data."),
            rows=[(f"{row['origin_name']} → {row['destination_name']}", row["participants"]) for row in corridors],
        ),
    }


def partner_mobility_chart(partner, rows: list[dict]):
    incoming = [(row["year"], row["incoming"]) for row in rows]
    outgoing = [(row["year"], row["outgoing"]) for row in rows]
    return charts.line_chart(
        chart_id="chart-partner-mobility",
        title=_("Mobility to and from %(partner)s by year") % {"partner": partner.name},
        description=" ".join([_trend(_("Coming in"), incoming), _trend(_("Going out"), outgoing)]),
        series=[Series(_("Coming in"), incoming, style=0), Series(_("Going out"), outgoing, style=1)],
        y_label=_("participants"),
    )
