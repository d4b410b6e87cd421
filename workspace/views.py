"""The workspace's pages: parse, call a selector or a service, render. Who may do what is the services' rule.

Anonymous visitors are sent to sign in. Signed-in people who are neither a partner's focal point nor in the
secretariat see a page saying how to get linked to a partner. Another partner's activity is not found (404),
so its existence is not given away; an action the rules refuse answers 403 with the reason.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rest_framework.authtoken.models import Token

from core.roles import is_secretariat
from mobility import imports, services, uploads
from mobility.forms import UploadForm
from mobility.models import Activity, MobilityFlow
from reporting.models import Return, Round
from workspace import selectors
from workspace import services as workspace
from workspace.forms import ActivityForm, ActivitySearchForm, ReturnForm, ReviewSearchForm, add_service_error

# How often the upload page asks again, without JavaScript (a meta refresh) and with it.
REFRESH_SECONDS = 3
POLL_MILLISECONDS = 1000
FLOWS_SHOWN = 20


def _forbidden(request, message: str, status: int = 403):
    return render(request, "workspace/forbidden.html", {"message": message}, status=status)


def reporter_required(view):
    """Signed in, and a focal point or the secretariat; otherwise sign in first, or a 403 that says why."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not services.is_reporter(request.user):
            return _forbidden(request, _("Your account is not linked to a partner yet. Ask the secretariat to link "
                                         "it to the partner you report for."))
        return view(request, *args, **kwargs)

    return wrapped


def secretariat_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_secretariat(request.user):
            return _forbidden(request, _("Only the secretariat may review submissions and revert changes."))
        return view(request, *args, **kwargs)

    return wrapped


def _activity(request, slug) -> Activity:
    try:
        return selectors.editable_activity(request.user, slug)
    except Activity.DoesNotExist:
        raise Http404(_("No activity of your partners has this address.")) from None


# Home --------------------------------------------------------------------------------------------------------


def _filter_errors(form) -> list[dict]:
    return [{"label": form.fields[name].label or name, "messages": errors} for name, errors in form.errors.items()]


@never_cache
@login_required
@require_safe
def home(request):
    user = request.user
    secretariat = is_secretariat(user)
    linked = services.is_reporter(user)
    form = ActivitySearchForm(request.GET)
    form.is_valid()  # a value it refuses is left out and named above the list
    context = {
        "linked": linked,
        "secretariat": secretariat,
        "form": form,
        "filter_errors": _filter_errors(form),
        "partners": user.partner_memberships.select_related("partner").order_by("partner__name") if linked else [],
        "review_count": Activity.objects.filter(state=Activity.State.SUBMITTED).count() if secretariat else 0,
        "returns_to_review": Return.objects.filter(state=Return.State.SUBMITTED).count() if secretariat else 0,
        "open_returns": list(
            Return.objects.filter(partner__in=services.partner_ids(user), round__state=Round.State.OPEN)
            .select_related("round", "partner").order_by("round__deadline", "partner__name")
        ) if linked and not secretariat else [],
    }
    page = None
    if linked:
        listed = selectors.workspace_activities(user, state=form.cleaned_data.get("state", ""),
                                                search=form.cleaned_data.get("q", ""))
        paginator = Paginator(listed.activities, selectors.ACTIVITIES_PER_PAGE)
        paginator.count = listed.found  # counted with the states already: no count(*) of its own
        page = paginator.get_page(request.GET.get("page"))
        context.update({
            "listed": listed, "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        })
    context["shows_demo_data"] = any(a.is_demo for a in (page or [])) or any(
        report.round.is_demo for report in context["open_returns"])
    return render(request, "workspace/home.html", context, status=400 if form.errors else 200)


# Activities --------------------------------------------------------------------------------------------------


@never_cache
@reporter_required
@require_safe
def activity(request, slug):
    activity = _activity(request, slug)
    return render(request, "workspace/activity.html", {
        "activity": activity, "shows_demo_data": activity.is_demo,
        "can_edit": services.can_edit_activity(request.user, activity),
        "can_submit": activity.state in services.EDITABLE_STATES,
        "secretariat": is_secretariat(request.user),
    })


def _save(request, form, instance=None):
    """The form's activity through the services; None with the refusal on the form."""
    if not form.is_valid():
        return None
    try:
        return workspace.save_activity(user=request.user, data=form.activity_data(), activity=instance,
                                       version=form.cleaned_data.get("version"))
    except (services.NotAllowed, ValidationError) as exc:
        add_service_error(form, exc)
        return None


def _after_save(request, activity):
    if "submit" in request.POST:
        return _submit(request, activity)
    if activity.state in services.EDITABLE_STATES:
        messages.success(request, _("Saved “%(title)s” as it is; it is not yet sent for review.") % {
            "title": activity.title})
    else:
        messages.success(request, _("Saved “%(title)s”; it stays %(state)s.") % {
            "title": activity.title, "state": activity.get_state_display().lower()})
    return redirect("workspace:activity", activity.slug)


@never_cache
@reporter_required
def activity_new(request):
    form = ActivityForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        saved = _save(request, form)
        if saved is not None:
            return _after_save(request, saved)
    return render(request, "workspace/activity_form.html", {"form": form, "activity": None, "can_submit": True},
                  status=400 if form.errors else 200)


@never_cache
@reporter_required
def activity_edit(request, slug):
    activity = _activity(request, slug)
    if not services.can_edit_activity(request.user, activity):
        messages.error(request, _("This activity is %(state)s: only a draft or a returned activity can be changed. "
                                  "Ask the secretariat for any change.") % {"state": activity.get_state_display()
                                                                            .lower()})
        return redirect("workspace:activity", activity.slug)
    form = ActivityForm(request.POST if request.method == "POST" else None, instance=activity,
                        user=request.user)
    if request.method == "POST":
        saved = _save(request, form, instance=activity)  # the service reads it again, locked
        if saved is not None:
            return _after_save(request, saved)
    return render(request, "workspace/activity_form.html", {
        "form": form, "activity": activity, "can_submit": activity.state in services.EDITABLE_STATES,
    }, status=400 if form.errors else 200)


def _submit(request, activity):
    try:
        services.activity_submit(activity=activity, user=request.user)
    except services.NotAllowed as exc:
        return _forbidden(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("workspace:activity", activity.slug)
    messages.success(request, _("Sent “%(title)s” to the secretariat for review. You will get an email when they "
                                "have looked at it.") % {"title": activity.title})
    return redirect("workspace:activity", activity.slug)


@reporter_required
@require_POST
def activity_submit(request, slug):
    return _submit(request, _activity(request, slug))


@never_cache
@reporter_required
@require_safe
def activity_history(request, slug):
    activity = _activity(request, slug)
    return render(request, "workspace/history.html", {
        "object": activity,
        "title": activity.title,
        "versions": selectors.activity_versions(activity),
        "can_revert": is_secretariat(request.user),
        "revert_url": reverse("workspace:activity-revert", args=[activity.slug]),
        "back_url": reverse("workspace:activity", args=[activity.slug]),
    })


def _revert(request, revert) -> None:
    """Revert to the version the form names, and tell the user how it went."""
    value = request.POST.get("version", "")
    try:
        if not (value.isascii() and value.isdigit()):  # "²" and "٣" are digits to isdigit(), not to int()
            raise ValidationError(_("Choose a version to revert to."))
        revert(int(value))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Reverted: the earlier version is now the current one, kept as a new version."))


@secretariat_required
@require_POST
def activity_revert(request, slug):
    activity = _activity(request, slug)
    _revert(request, lambda history_id: workspace.revert_activity(
        activity=activity, history_id=history_id, user=request.user))
    return redirect("workspace:activity-history", activity.slug)


# Review ------------------------------------------------------------------------------------------------------


@never_cache
@secretariat_required
@require_safe
def review(request):
    """The queue, a page of the oldest submissions at a time: thousands at once would be more than anyone reads."""
    form = ReviewSearchForm(request.GET)
    form.is_valid()  # a word too long is left out and named above the list
    return _review_page(request, form=form, page_number=request.GET.get("page"))


def _review_page(request, *, form, page_number, status=200, **context):
    search = form.cleaned_data.get("q", "")
    paginator = Paginator(selectors.review_waiting(search=search), selectors.ACTIVITIES_PER_PAGE)
    page = paginator.get_page(page_number)
    return render(request, "workspace/review.html", {
        "queue": selectors.review_queue(activities=list(page.object_list)), "return_form": ReturnForm(),
        "form": form, "search": search, "filter_errors": _filter_errors(form), "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1), **context,
    }, status=400 if form.errors and status == 200 else status)


@never_cache
@secretariat_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_approve(request, slug):
    """Publishing is a step of its own: the queue links here, to the content once more and a button that posts."""
    activity = get_object_or_404(Activity, slug=slug)
    if request.method != "POST":
        submissions = selectors.review_queue(slug=activity.slug)
        if submissions:
            return render(request, "workspace/review_confirm.html", {
                "activity": activity, "submission": submissions[0]})
        try:
            services._check_review(request.user, activity, "approve")  # it says why it is not in the queue
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("workspace:review")
    try:
        services.activity_approve(activity=activity, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Published “%(title)s”: it is now on the public pages and in the API.") % {
            "title": activity.title})
    return redirect("workspace:review")


@never_cache
@secretariat_required
@require_POST
def review_return(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.activity_return(activity=activity, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Returned “%(title)s” to its focal points with your note.") % {
                "title": activity.title})
            return redirect("workspace:review")
    # Show the note's error next to it, on the submission it belongs to, in the box the form's anchor names: the
    # browser scrolls to it and focuses it, and a screen reader reads the error it is described by.
    form.fields["note"].widget.attrs["id"] = f"note-{slug}"
    ahead = 0  # the page the submission is on, counted as the queue orders them
    if activity.state == Activity.State.SUBMITTED and activity.submitted_at is not None:
        ahead = selectors.review_waiting().filter(
            Q(submitted_at__lt=activity.submitted_at) | Q(submitted_at=activity.submitted_at, pk__lt=activity.pk)
        ).count()
    search = ReviewSearchForm({})
    search.is_valid()
    return _review_page(request, form=search, page_number=ahead // selectors.ACTIVITIES_PER_PAGE + 1, status=400,
                        failed_form=form, failed_slug=slug)


# Mobility ----------------------------------------------------------------------------------------------------


def _flows_refusal(user) -> dict:
    """Why a focal point writes no flows here, and where she reports them: her return, if a round is open."""
    open_return = Return.objects.filter(partner__in=services.partner_ids(user), round__state=Round.State.OPEN)
    return {"refusal": services.FLOWS_IN_RETURNS,
            "returns_url": reverse("workspace:returns") if open_return.exists() else None}


@never_cache
@reporter_required
def flows(request):
    """The secretariat uploads flows of any partner here; a focal point reads the rows her partners reported, and
    reports them in their returns."""
    secretariat = is_secretariat(request.user)
    if not secretariat:
        recent = list(selectors.visible_flows(request.user).order_by("-pk")[:FLOWS_SHOWN])
        return render(request, "workspace/flows.html", {
            **_flows_refusal(request.user), "refused": request.method == "POST", "flows": recent,
            "partners": request.user.partner_memberships.select_related("partner").order_by("partner__name"),
            "shows_demo_data": any(flow.is_demo for flow in recent),
        }, status=403 if request.method == "POST" else 200)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    problems = None
    status = 200
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            outcome = uploads.upload(user=request.user, file=file, filename=file.name)
        except imports.FlowFileInvalid as exc:
            problems, status = exc, 400
        except services.NotAllowed as exc:
            return _forbidden(request, str(exc))
        else:
            if isinstance(outcome, uploads.UploadJob):
                return redirect("workspace:upload", outcome.id)
            messages.success(request, _("Imported %(result)s.") % {"result": outcome})
            return redirect("workspace:flows")
    elif form.errors:
        status = 400
    recent = selectors.visible_flows(request.user).order_by("-pk")[:FLOWS_SHOWN]  # the index, even for a million
    return render(request, "workspace/flows.html", {
        "secretariat": True, "form": form, "problems": problems, "flows": recent,
        "columns": imports.FLOW_COLUMNS, "max_bytes": imports.max_upload_bytes(),
        "shows_demo_data": any(flow.is_demo for flow in recent),
    }, status=status)


@login_required
@require_safe
def flow_template(request, fmt):
    if fmt == "xlsx":
        response = HttpResponse(imports.template_xlsx(), content_type=imports.XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mobility-flows-template.{fmt}"'
    return response


def _job(request, job_id) -> uploads.UploadJob:
    job = uploads.get_job(job_id)
    if job is None or not uploads.may_see(request.user, job):
        raise Http404(_("No upload of yours has this address; an upload's page is kept for a few hours."))
    return job


@never_cache
@login_required
@require_safe
def upload(request, job_id):
    job = _job(request, job_id)
    return render(request, "workspace/upload.html", {
        "job": job, "refresh_seconds": REFRESH_SECONDS, "poll_milliseconds": POLL_MILLISECONDS,
        "status_url": reverse("workspace:upload-status", args=[job.id]),
    })


@never_cache
@login_required
@require_safe
def upload_status(request, job_id):
    return JsonResponse(_job(request, job_id).status())


def _flow(request, pk) -> MobilityFlow:
    flow = get_object_or_404(MobilityFlow.objects.select_related("origin", "destination"), pk=pk)
    if not (is_secretariat(request.user) or services.owns_flow(request.user, flow)):
        raise Http404(_("No flow your partners reported has this address."))
    return flow


@never_cache
@reporter_required
@require_safe
def flow_history(request, pk):
    flow = _flow(request, pk)
    return render(request, "workspace/history.html", {
        "object": flow,
        "title": str(flow),
        "versions": selectors.flow_versions(flow),
        "can_revert": is_secretariat(request.user),
        "revert_url": reverse("workspace:flow-revert", args=[flow.pk]),
        "back_url": reverse("workspace:flows"),
    })


@secretariat_required
@require_POST
def flow_revert(request, pk):
    flow = _flow(request, pk)
    _revert(request, lambda history_id: workspace.revert_flow(flow=flow, history_id=history_id, user=request.user))
    return redirect("workspace:flow-history", flow.pk)


# API token ---------------------------------------------------------------------------------------------------


@never_cache
@reporter_required
def token(request):
    if request.method == "POST":
        token = workspace.rotate_token(user=request.user)
        messages.success(request, _("Your new token works now; the old one no longer does."))
        return redirect("workspace:token")
    token: Token | None = workspace.api_token(request.user)
    return render(request, "workspace/token.html", {
        "token": token, "api_root": request.build_absolute_uri("/api/v1/"),
        "docs_url": request.build_absolute_uri("/api/docs/"),
    })
