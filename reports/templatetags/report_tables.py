"""The stocktaking report's largest table written in one pass, for the page and its PDF alike.

Each partner's latest values of the round's indicators are 53 partners by up to a hundred indicators: drawn cell
by cell through the template engine, they were a fifth of the report's time. The filter writes the same markup the
loop wrote (tests/reports/test_round.py holds it to that loop, kept in partner_value_rows_as_drawn.html), every
text escaped.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from objectives.formats import num
from reports.data import PartnerValuesRow

register = template.Library()


@register.filter
def partner_value_rows(rows: list[PartnerValuesRow]) -> SafeString:
    """The table's body rows, as `{% for row in rows %}` drew them, whitespace and all."""
    parts = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{escape(num(value.shown))} <span class="year">{value.year}</span></td>' if value
            else '<td class="num">–</td>'
            for value in row.values
        )
        parts.append(f'\n    <tr>\n      <th scope="row"><a href="{escape(row.partner.get_absolute_url())}">'
                     f'{escape(row.partner.name)}</a></th>\n      {cells}\n    </tr>\n    ')
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
