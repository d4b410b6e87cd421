"""The reporting rounds' pages: the public list and page of each round, and the secretariat's board of who has
reported. Parse, call the board or a service, render.

The public sees a round once it is open: its years, deadline and questions, and which partners have an approved
return; nothing of a return before the secretariat approves it. The board is the secretariat's: anonymous visitors
are sent to sign in, focal points are refused (403).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.addresses import reversed_once
from core.exports import Column, csv_response
from core.roles import is_secretariat
from core.sorting import sort_links
from partners.models import Partner, Region
from reporting import reminders
from reporting.board import NO_RETURN, ORDERS, STATE_LABELS, STATES, board
from reporting.models import Return, Round

# Public pages ------------------------------------------------------------------------------------------------------


@require_safe
def round_list(request):
    rounds = Round.objects.exclude(state=Round.State.DRAFT).annotate(
        partner_count=Count("returns"),
        approved_count=Count("returns", filter=Q(returns__state=Return.State.APPROVED)),
    )
    rounds = list(rounds)
    return render(request, "reporting/round_list.html", {
        "rounds": rounds, "shows_demo_data": any(round_.is_demo for round_ in rounds),
    })


@require_safe
def round_detail(request, slug):
    round_ = get_object_or_404(Round.objects.exclude(state=Round.State.DRAFT), slug=slug)
    approved = dict(Return.objects.filter(round=round_, state=Return.State.APPROVED)
                    .values_list("partner_id", "approved_at"))
    partners = list(Partner.objects.all())
    for partner in partners:
        partner.has_approved_return = partner.pk in approved
        partner.approved_at = approved.get(partner.pk)
    sides = [
        {"region": region, "label": label, "partners": [p for p in partners if p.region == region]}
        for region, label in ((Region.ASIA, _("Asian partners")), (Region.EUROPE, _("European partners")))
    ]
    for side in sides:
        side["approved"] = sum(1 for partner in side["partners"] if partner.has_approved_return)
    return render(request, "reporting/round_detail.html", {
        "round": round_, "questions": list(round_.questions.all()), "sides": sides,
        "approved_count": len(approved), "partner_count": len(partners), "shows_demo_data": round_.is_demo,
        "secretariat": is_secretariat(request.user),
    })


# The secretariat's board -------------------------------------------------------------------------------------------


def _forbidden(request, message: str):
    return render(request, "workspace/forbidden.html", {"message": message}, status=403)


class BoardFilter(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("Any state")), *((s, STATE_LABELS[s]) for s in STATES)])
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False,
                               choices=[("", gettext_lazy("Both regions")), *Region.choices])
    order = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                              choices=[("", "")] + [(o, o) for key in ORDERS for o in (key, f"-{key}")])


def _filter_errors(form) -> list[dict]:
    return [{"label": form.fields[name].label or name, "messages": errors} for name, errors in form.errors.items()]


def _board_columns(request) -> list[Column]:
    def review(row):
        return request.build_absolute_uri(reverse("workspace:return-review", args=[row.report.pk])) \
            if row.report is not None else ""

    return [
        Column("partner", lambda row: row.partner.code),
        Column("partner_name", lambda row: row.partner.name),
        Column("region", lambda row: row.partner.region),
        Column("state", lambda row: row.state),
        Column("values_filled", lambda row: row.values_filled),
        Column("values_requested", lambda row: row.values_requested),
        Column("percent_filled", lambda row: row.percent_filled),
        Column("flows", lambda row: row.flows),
        Column("answers", lambda row: row.answers),
        Column("questions", lambda row: row.questions),
        Column("last_change", lambda row: row.updated_at.isoformat() if row.updated_at else None),
        Column("changed_by", lambda row: row.updated_by),
        Column("focal_points", lambda row: "; ".join(point.name for point in row.focal_points)),
        Column("emails", lambda row: "; ".join(row.addresses)),
        Column("reminders_sent", lambda row: row.reminder_count),
        Column("last_reminder", lambda row: f"{row.last_reminder.threshold} {row.last_reminder.sent_at:%Y-%m-%d}"
               if row.last_reminder else None),
        Column("review", review),
    ]


def _board_rows_html(request, round_: Round, rows, asked: dict) -> list[SafeString]:
    """Each row of the board's table, written here as the template wrote it, character for character: fifty-odd
    rows of nine cells cost the template engine most of the page's time."""
    review_url = reversed_once("workspace:return-review")
    remind_url = reversed_once("reporting:board-remind", round_.slug)
    csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
    kept = mark_safe("".join(format_html('<input type="hidden" name="{}" value="{}">', name, asked[name])  # noqa: S308
                             for name in ("state", "region", "order") if asked[name]))
    texts = {"unchanged": _("Unchanged"), "none": _("None"), "review": _("Review"), "remind": _("Send a reminder"),
             "unreachable": _("No focal point with an email: no reminder reaches it.")}
    days: dict = {}  # a day as the board writes it: the rows' dates fall on a few days, each written once

    def _date(moment) -> str:
        day = localtime(moment).date()
        if day not in days:
            days[day] = date_format(day, "j M Y")
        return days[day]

    html = []
    for row in rows:
        report = row.report
        state = format_html('<span class="state state-{}">{}</span>', row.state, row.state_label)
        if row.state == "submitted" and report.submitted_at:
            state = format_html('{}<br><span class="muted">{}</span>', state, _date(report.submitted_at))
        elif row.state == "approved" and report.approved_at:
            state = format_html('{}<br><span class="muted">{}</span>', state, _date(report.approved_at))
        if report and row.values_requested:
            filled = format_html('{} / {} <span class="muted">({} %)</span>', localize(row.values_filled),
                                 localize(row.values_requested), localize(row.percent_filled))
        else:
            filled = "–"
        if report and report.version:
            changed = date_format(localtime(row.updated_at), "j M Y H:i")
            if row.updated_by:
                changed = format_html('{}<br><span class="muted">{}</span>', changed, row.updated_by)
        else:
            changed = format_html('<span class="muted">{}</span>', texts["unchanged"])
        points = mark_safe("<br>".join(  # noqa: S308 (each part is escaped)
            format_html('{} <a href="mailto:{}">{}</a>', point.name, point.email, point.email) if point.email
            else format_html("{}", point.name) for point in row.focal_points))
        addresses = row.addresses
        unreachable = "" if addresses else format_html('<p class="warning">{}</p>', texts["unreachable"])
        if row.reminder_count:
            count = row.reminder_count
            sent = format_html('{}<br><span class="muted">{}</span>',
                               ngettext("%(counter)s sent", "%(counter)s sent", count) % {"counter": localize(count)},
                               _("last %(when)s") % {"when": _date(row.last_reminder.sent_at)})
        else:
            sent = format_html('<span class="muted">{}</span>', texts["none"])
        review = format_html('<a href="{}">{}<span class="visually-hidden"> {}</span></a>', review_url(report.pk),
                             texts["review"], row.partner.name) if report else ""
        remind = ""
        if row.remindable and round_.is_open and addresses:
            remind = format_html(
                '<form method="post" action="{}">{}\n          {}\n          <button type="submit" '
                'class="secondary-action">{}<span class="visually-hidden"> {}</span></button></form>',
                remind_url(report.pk), csrf, kept, texts["remind"],
                _("to %(name)s") % {"name": row.partner.name})
        html.append(format_html(
            '<tr id="partner-{}">\n'
            '      <th scope="row">{} <span class="muted">{}</span></th>\n'
            "      <td>{}</td>\n"
            '      <td class="num">{}</td>\n'
            '      <td class="num">{}</td>\n'
            '      <td class="num">{}</td>\n'
            "      <td>{}</td>\n"
            "      <td>{}\n        {}</td>\n"
            "      <td>{}</td>\n"
            '      <td class="actions">{}\n        {}</td>\n'
            "    </tr>",
            row.partner.code, row.partner.name, row.partner.get_region_display(), state, filled,
            localize(row.flows) if report else "–",
            format_html("{} / {}", localize(row.answers), localize(row.questions)) if report else "–",
            changed, points, unreachable, sent, review, remind))
    return html


@never_cache
@login_required
@require_safe
def round_board(request, slug):
    if not is_secretariat(request.user):
        return _forbidden(request, _("Only the secretariat sees who has reported in a round."))
    round_ = get_object_or_404(Round, slug=slug)
    form = BoardFilter(request.GET)
    form.is_valid()
    asked = {name: form.cleaned_data.get(name) or None for name in ("state", "region", "order")}
    errors = _filter_errors(form)
    if request.GET.get("format") == "csv":
        if errors:
            lines = [_("The export was not made: some filters are not valid.")]
            lines += [f"{error['label']}: {' '.join(error['messages'])}" for error in errors]
            return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")
        return csv_response(f"{round_.slug}-board.csv", board(round_, **asked).rows, _board_columns(request))
    result = board(round_, **asked)
    return render(request, "reporting/board.html", {
        "round": round_, "board": result, "rows_html": _board_rows_html(request, round_, result.rows, asked),
        "form": form, "filter_errors": errors,
        "sort": sort_links(asked["order"] or "partner", ORDERS), "no_return": NO_RETURN,
        "shows_demo_data": round_.is_demo,
    }, status=400 if errors else 200)


@login_required
@require_POST
def board_remind(request, slug, pk):
    report = get_object_or_404(Return.objects.select_related("round", "partner"), pk=pk, round__slug=slug)
    try:
        reminder = reminders.send_reminder(report=report, user=request.user)
    except PermissionDenied as refusal:
        return _forbidden(request, str(refusal))
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        if report.round.is_demo:
            text = _("Recorded a reminder to %(partner)s's focal points (%(addresses)s); a demonstration round "
                     "emails nobody.")
        else:
            text = _("Reminded %(partner)s's focal points: %(addresses)s.")
        messages.success(request, text % {"partner": report.partner.name, "addresses": reminder.recipients})
    # Back to the board as it was filtered and sorted, at the partner's row.
    form = BoardFilter(request.POST)
    form.is_valid()
    query = "&".join(f"{name}={value}" for name, value in form.cleaned_data.items() if value)
    url = reverse("reporting:board", args=[slug]) + (f"?{query}" if query else "")
    return redirect(f"{url}#partner-{report.partner.code}")
