"""A return as a file: the pre-filled template to download, and the filled one uploaded back.

The return's focal points and the secretariat may do both; anyone else signed in gets a 403 saying whose return it
is. An upload is read and checked cell by cell (reporting.template), then saved with save_return, whole or nothing:
a bad cell, a return that cannot be changed now or a file made from an older version writes nothing and says why.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from mobility.imports import max_upload_bytes
from mobility.services import NotAllowed
from reporting import services as reporting
from reporting import template as return_file
from reporting.models import Return, Round
from workspace.views import _forbidden, reporter_required


def _return(request, pk) -> Return | HttpResponse:
    """The return, or the 403 page for someone who is neither its partner's focal point nor the secretariat."""
    report = get_object_or_404(Return.objects.select_related("round", "partner"), pk=pk)
    if not reporting.can_see_return(request.user, report):
        return _forbidden(request, _("This is %(partner)s's return: only its focal points and the secretariat may "
                                     "download or upload it.") % {"partner": report.partner.name})
    return report


@never_cache
@reporter_required
@require_safe
def template(request, pk, fmt):
    report = _return(request, pk)
    if isinstance(report, HttpResponse):
        return report
    response = HttpResponse(return_file.BUILDERS[fmt](report), content_type=return_file.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{return_file.file_name(report, fmt)}"'
    return response


def _not_editable(report: Return) -> str | None:
    """Why an upload cannot change the return now, before its file is read at all."""
    if report.is_editable:
        return None
    if report.round.state != Round.State.OPEN:
        return _("%(round)s is not open: its returns cannot be changed.") % {"round": report.round.name}
    return _("This return is %(state)s: it cannot be changed now. Ask the secretariat to return it if something "
             "must change.") % {"state": report.get_state_display().lower()}


def _page(request, report, *, problems=(), conflict=(), status=200):
    return render(request, "workspace/return_upload.html", {
        "report": report, "round": report.round, "problems": list(problems), "conflict": list(conflict),
        "max_bytes": max_upload_bytes(), "editable": report.is_editable,
    }, status=status)


def _saved_message(filled: return_file.FilledReturn, filename: str) -> str:
    values, flows, answers = filled.counts()
    text = _("%(values)s, %(flows)s and %(answers)s saved from %(file)s.") % {
        "values": ngettext("%(count)s value", "%(count)s values", values) % {"count": values},
        "flows": ngettext("%(count)s flow", "%(count)s flows", flows) % {"count": flows},
        "answers": ngettext("%(count)s answer", "%(count)s answers", answers) % {"count": answers},
        "file": filename,
    }
    if filled.notes_left_out:
        text += " " + ngettext(
            "A note typed in the file was left out: a return saves its values, not notes.",
            "%(count)s notes typed in the file were left out: a return saves its values, not notes.",
            filled.notes_left_out) % {"count": filled.notes_left_out}
    return text


@never_cache
@reporter_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request, pk):
    report = _return(request, pk)
    if isinstance(report, HttpResponse):
        return report
    if request.method != "POST":
        return _page(request, report)
    if problem := _not_editable(report):
        return _page(request, report, problems=[problem], status=400)
    file = request.FILES.get("file")
    if file is None:
        return _page(request, report, status=400, problems=[
            _("Choose a file to upload: the return's workbook (XLSX), or its values as a CSV.")])
    try:
        filled = return_file.read_filled(report=report, file=file, filename=file.name,
                                      version=request.POST.get("version"))
        reporting.save_return(report=report, user=request.user, version=filled.version, values=filled.values,
                              answers=filled.answers, flows=filled.flows,
                              reason=_("Uploaded from %(file)s") % {"file": file.name})
    except return_file.TemplateInvalid as exc:
        return _page(request, report, problems=exc.messages, status=400)
    except reporting.ReturnInvalid as exc:
        return _page(request, report, problems=[str(problem) for problem in filled.locate(exc.errors)], status=400)
    except reporting.ReturnConflict as exc:
        report.refresh_from_db()
        return _page(request, report, conflict=exc.changes, status=409)
    except NotAllowed as exc:
        return _forbidden(request, str(exc))
    messages.success(request, _saved_message(filled, file.name))
    return redirect("workspace:return", report.pk)
