"""A partner's return in a reporting round: the focal point's form, and the secretariat's review of it.

A partner's focal points fill in and submit its return; the secretariat may read any and change one on a
partner's behalf, and reviews the submitted ones. Another partner's return answers 403, saying whose it is.
Every write goes through reporting.services: the pages parse, call, and put each refusal next to its input.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.roles import is_secretariat
from mobility.services import partner_ids
from objectives.models import Observation
from partners.models import Partner
from reporting import selectors as returns
from reporting import services as reporting
from reporting.models import Return, Round
from workspace.forms import ReturnForm as NoteForm
from workspace.return_forms import ReturnContentForm, ReturnFlowFormSet, flow_initial, rows_digest
from workspace.views import _forbidden, reporter_required, secretariat_required


def _board_url(round_: Round) -> str | None:
    try:
        return reverse("reporting:board", args=[round_.slug])
    except NoReverseMatch:
        return None


def partner_return(view):
    """The return the address names, for its partner's focal points and the secretariat; 403 for anyone else."""

    @reporter_required
    @wraps(view)
    def wrapped(request, pk, **kwargs):
        report = get_object_or_404(Return.objects.select_related("round", "partner", "updated_by"), pk=pk)
        if not (is_secretariat(request.user) or report.partner_id in partner_ids(request.user)):
            return _forbidden(request, _("This is %(partner)s's return: only its focal points and the secretariat "
                                         "may see it.") % {"partner": report.partner.name})
        return view(request, report, **kwargs)

    return wrapped


# What the pages show of a return ------------------------------------------------------------------------------


@dataclass
class Content:
    """A return's content and the partner's public values beside it: six queries, whatever the round asks."""

    indicators: list
    years: list[int]
    questions: list
    values: dict[tuple[int, int], float]
    answers: dict[int, str]
    flows: list
    public: dict[tuple[int, int], float]

    def value_rows(self) -> list[dict]:
        return [{"indicator": indicator, "cells": [
            {"year": year, "value": self.values.get((indicator.pk, year)),
             "public": self.public.get((indicator.pk, year))}
            for year in self.years]} for indicator in self.indicators]

    def answer_rows(self) -> list[dict]:
        return [{"question": question, "text": self.answers.get(question.number, "")} for question in self.questions]


def _content(report: Return, submission: returns.Submission | None = None) -> Content:
    """What a return's form and review show. A review passes the submission its changes were found from: its values,
    answers and public figures are taken from it, not read again."""
    round_ = report.round
    # sorted here, not by the database: a review has read the round's indicators and questions already
    indicators = sorted(round_.indicators.all(), key=lambda indicator: indicator.code)
    years = list(round_.years)
    if submission is not None:
        by_code = {indicator.code: indicator.pk for indicator in indicators}
        values, public = _keyed(submission.content["values"], by_code), _keyed(submission.public["values"], by_code)
        answers = {int(number): text for number, text in submission.content["answers"].items()}
    else:
        values = {(indicator, year): value for indicator, year, value
                  in report.values.order_by().values_list("indicator_id", "year", "value")}
        answers = {a.question.number: a.text for a in report.answers.select_related("question").order_by()}
        public = {
            (indicator, year): value for indicator, year, value in Observation.objects.filter(
                partner=report.partner_id, indicator__in=indicators, year__in=years, breakdown="",
            ).order_by().values_list("indicator_id", "year", "value")
        } if indicators else {}
    return Content(
        indicators=indicators, years=years,
        questions=sorted(round_.questions.all(), key=lambda question: question.number),
        values=values, answers=answers,
        flows=list(report.flows.select_related("origin", "destination")) if round_.includes_flows else [],
        public=public,
    )


def _keyed(values: dict[str, float], by_code: dict[str, int]) -> dict[tuple[int, int], float]:
    """A content's "code/year" values keyed as the form reads them, (indicator id, year), the round's only."""
    found = {}
    for key, value in values.items():
        code, year = key.rsplit("/", 1)
        if code in by_code:
            found[(by_code[code], int(year))] = value
    return found


def _forms(report: Return, content: Content, data=None):
    form = ReturnContentForm(
        data, indicators=content.indicators, years=content.years, questions=content.questions,
        values=content.values, answers=content.answers, public=content.public, version=report.version,
        flows_read=rows_digest(flow_initial(content.flows)),
    )
    formset = None
    if report.round.includes_flows:
        formset = ReturnFlowFormSet(data, prefix="flows", years=content.years,
                                    partners=Partner.objects.order_by("name"),
                                    initial=None if data is not None else flow_initial(content.flows))
    return form, formset


def _problem_count(form, formset) -> int:
    count = sum(len(errors) for errors in form.errors.values())
    if formset is not None and formset.is_bound:
        count += len(formset.non_form_errors()) + sum(
            len(errors) for row in formset.errors for errors in row.values())
    return count


def _render(request, report, content, *, form=None, formset=None, conflict=None, status=200):
    editing = form is not None
    return render(request, "workspace/return.html", {
        "report": report, "round": report.round, "content": content, "form": form, "formset": formset,
        "editing": editing, "conflict": conflict,
        "problem_count": _problem_count(form, formset) if editing and form.is_bound else 0,
        "secretariat": is_secretariat(request.user),
        "on_behalf": editing and report.partner_id not in partner_ids(request.user),
        "can_submit": report.state in (Return.State.DRAFT, Return.State.RETURNED),
        "shows_demo_data": report.round.is_demo or report.is_demo,
    }, status=status)


# The focal point's pages ----------------------------------------------------------------------------------------


@dataclass
class Listed:
    report: Return
    requested: int  # the values the round asks: its indicators times its years

    @property
    def share(self) -> int | None:
        """The share of the values asked that the return holds, in whole percent."""
        return round(100 * self.report.value_count / self.requested) if self.requested else None

    @property
    def late(self) -> bool:
        editable = self.report.state in (Return.State.DRAFT, Return.State.RETURNED)
        return editable and self.report.round.is_open and self.report.round.is_past_deadline


@never_cache
@reporter_required
@require_safe
def return_list(request):
    if is_secretariat(request.user):
        rounds = list(Round.objects.exclude(state=Round.State.DRAFT).annotate(
            submitted=Count("returns", filter=Q(returns__state=Return.State.SUBMITTED))))
        return render(request, "workspace/return_list.html", {
            "secretariat": True, "rounds": [(r, _board_url(r)) for r in rounds],
            "review_count": Return.objects.filter(state=Return.State.SUBMITTED).count(),
        })
    reports = returns.partner_returns(request.user).prefetch_related("round__indicators")
    listed = [Listed(r, len(r.round.indicators.all()) * len(r.round.years)) for r in reports]
    return render(request, "workspace/return_list.html", {
        "secretariat": False, "listed": listed, "shows_demo_data": any(item.report.round.is_demo for item in listed),
    })


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@partner_return
def return_edit(request, report):
    if request.method != "POST":
        if report.version == 0 and reporting.can_edit_return(request.user, report) and not report.versions.exists():
            reporting.prefill(report)  # a draft nobody has opened: the partner's last approved figures
        content = _content(report)
        if not reporting.can_edit_return(request.user, report):
            return _render(request, report, content)
        form, formset = _forms(report, content)
        return _render(request, report, content, form=form, formset=formset)
    return _save(request, report)


def _save(request, report):
    submitting = "submit" in request.POST
    content = _content(report)
    form, formset = _forms(report, content, request.POST)
    valid = form.is_valid()
    valid = (formset is None or formset.is_valid()) and valid
    if not valid:
        return _render(request, report, content, form=form, formset=formset, status=400)
    flows = None
    if formset is not None:
        rows = formset.rows()
        if rows_digest(rows) != form.cleaned_data["flows_read"]:
            flows = rows
    values, answers = form.changed_values(), form.changed_answers()
    changed = bool(values or answers or flows is not None)
    try:
        with transaction.atomic():  # save and submit: both, or neither
            saved = report
            if changed:
                saved = reporting.save_return(report=report, user=request.user, version=form.cleaned_data["version"],
                                              values=values, answers=answers, flows=flows)
            if submitting:
                saved = reporting.submit_return(report=saved, user=request.user,
                                                version=saved.version if changed else form.cleaned_data["version"])
    except reporting.ReturnConflict as exc:
        report.refresh_from_db()
        content = _content(report)
        data = form.rebased(values=content.values, answers=content.answers, version=report.version,
                            flows_read=rows_digest(flow_initial(content.flows)))
        rebased, _unused = _forms(report, content, data)
        if flows is not None:
            formset = ReturnFlowFormSet(request.POST, prefix="flows", years=content.years,
                                        partners=Partner.objects.order_by("name"))
        else:  # the person left the flows alone: show them as they are now
            formset = _forms(report, content)[1]
        return _render(request, report, content, form=rebased, formset=formset, conflict=exc.changes, status=409)
    except PermissionDenied as exc:
        return _forbidden(request, str(exc) or _("You may not change this return."))
    except ValidationError as exc:
        report.refresh_from_db()  # a save rolled back with the refused submission: show the version stored
        errors = getattr(exc, "errors", None) or getattr(exc, "message_dict", None) or {"__all__": exc.messages}
        rest = form.add_service_errors(errors)
        if formset is not None:
            rest = formset.add_service_errors(rest)
        for key, problems in rest.items():
            for problem in problems:
                form.add_error(None, f"{key}: {problem}")
        return _render(request, report, content, form=form, formset=formset, status=400)
    if submitting:
        messages.success(request, _("Sent %(partner)s's return to the secretariat for review. You will get an email "
                                    "when they have looked at it.") % {"partner": report.partner.name})
    elif changed:
        messages.success(request, _("Saved the return as a draft (version %(version)s); it is not yet sent for "
                                    "review.") % {"version": saved.version})
    else:
        messages.info(request, _("Nothing changed, so nothing was saved."))
    return redirect("workspace:return", report.pk)


@partner_return
@require_POST
def return_submit(request, report):
    value = request.POST.get("version", "")
    try:
        if not (value.isascii() and value.isdigit()):
            raise ValidationError(_("The page did not say which version of the return it showed: reload it."))
        reporting.submit_return(report=report, user=request.user, version=int(value))
    except reporting.ReturnConflict as exc:
        messages.error(request, " ".join([_("Someone changed the return since you opened it; nothing was sent. "
                                            "Check it and submit again:"), *exc.changes]))
    except PermissionDenied as exc:
        return _forbidden(request, str(exc) or _("You may not submit this return."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Sent %(partner)s's return to the secretariat for review. You will get an email "
                                    "when they have looked at it.") % {"partner": report.partner.name})
    return redirect("workspace:return", report.pk)


@never_cache
@partner_return
@require_safe
def return_history(request, report):
    return render(request, "workspace/return_history.html", {
        "report": report, "events": returns.return_history(report),
        "can_revert": reporting.can_edit_return(request.user, report),
        "shows_demo_data": report.round.is_demo or report.is_demo,
    })


@partner_return
@require_POST
def return_revert(request, report):
    value = request.POST.get("version", "")
    try:
        if not (value.isascii() and value.isdigit()):  # "²" and "٣" are digits to isdigit(), not to int()
            raise ValidationError(_("Choose a version to restore."))
        saved = reporting.revert_return(report=report, user=request.user, number=int(value))
    except PermissionDenied as exc:
        return _forbidden(request, str(exc) or _("You may not change this return."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Restored version %(number)s: it is now the current one, kept as version "
                                    "%(version)s; nothing is lost.") % {"number": value, "version": saved.version})
    return redirect("workspace:return-history", report.pk)


# The secretariat's review ---------------------------------------------------------------------------------------

# A return as its review reads it: what differs from the public figures needs the round's indicators and questions.
REVIEWED = Return.objects.select_related("round", "partner", "updated_by").prefetch_related(
    "round__indicators", "round__questions")


@never_cache
@secretariat_required
@require_safe
def review_returns(request):
    queue = returns.review_queue()
    return render(request, "workspace/return_queue.html", {
        "queue": queue, "shows_demo_data": any(s.report.is_demo or s.report.round.is_demo for s in queue)})


def _review(request, report, *, note_form=None, status=200):
    submission = returns.submissions([report])[0]
    return render(request, "workspace/return_review.html", {
        "report": report, "round": report.round, "content": _content(report, submission),
        "changes": submission.changes, "conflicts": submission.conflicts,
        "note_form": note_form or NoteForm(),
        "shows_demo_data": report.round.is_demo or report.is_demo,
    }, status=status)


@never_cache
@secretariat_required
@require_safe
def return_review(request, pk):
    report = get_object_or_404(REVIEWED, pk=pk)
    return _review(request, report)


@secretariat_required
@require_POST
def return_approve(request, pk):
    report = get_object_or_404(Return.objects.select_related("round", "partner"), pk=pk)
    try:
        reporting.approve_return(report=report, user=request.user)
    except PermissionDenied as exc:
        return _forbidden(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("workspace:return-review", report.pk)
    messages.success(request, _("Approved %(partner)s's return: its values and flows are now the public figures.")
                     % {"partner": report.partner.name})
    return redirect("workspace:review-returns")


@never_cache
@secretariat_required
@require_POST
def return_return(request, pk):
    report = get_object_or_404(REVIEWED, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            reporting.return_return(report=report, user=request.user, note=form.cleaned_data["note"])
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("workspace:return-review", report.pk)
        messages.success(request, _("Returned %(partner)s's return to its focal points with your note.")
                         % {"partner": report.partner.name})
        return redirect("workspace:review-returns")
    return _review(request, report, note_form=form, status=400)
