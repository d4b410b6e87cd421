"""The secretariat's SDMX import in the admin: from an indicator's page, upload a message, see what it would change,
then apply exactly that message.

The first step checks the file (a dry run) and keeps its bytes in the cache under a random token for an hour; the
confirm step names the token and the file's SHA-256, so what is applied is the very file whose changes were shown.
"""

import secrets

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.api.errors import size_in_words
from core.roles import is_secretariat
from objectives.models import Indicator
from opendata import sdmx

KEPT_SECONDS = 3600


class SdmxUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("SDMX message"),
                           help_text=gettext_lazy("An SDMX-CSV 2.0.0 or SDMX-ML 2.1 data message of the dataflow "
                                                  "DF_ASEM_INDICATORS."))
    source = forms.CharField(
        label=gettext_lazy("Source"), required=False, max_length=300,
        help_text=gettext_lazy("Where the values come from, such as the statistics office and its release. Empty: "
                               "each observation's SOURCE attribute, else the message's sender and id."))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > sdmx.max_upload_bytes():
            raise forms.ValidationError(_("The file is larger than %(size)s, the most an import takes.")
                                        % {"size": size_in_words(sdmx.max_upload_bytes())})
        return file


class SdmxConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    source = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)


def _key(user, token: str) -> str:
    return f"opendata:sdmx-import:{user.pk}:{token}"


def _page(request, indicator, context: dict, status: int = 200) -> TemplateResponse:
    opts = Indicator._meta
    return TemplateResponse(request, "opendata/sdmx_import.html", {
        **admin.site.each_context(request), "opts": opts, "indicator": indicator,
        "title": _("Import SDMX into %(code)s") % {"code": indicator.code},
        "change_url": reverse("admin:objectives_indicator_change", args=[indicator.pk]),
        "structure_url": reverse("api:sdmx-structure"), "max_size": size_in_words(sdmx.max_upload_bytes()),
        **context,
    }, status=status)


def _import_view(request, code: str):
    if not is_secretariat(request.user):
        raise PermissionDenied
    indicator = get_object_or_404(Indicator, code=code)
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, indicator)
    form = SdmxUploadForm(request.POST, request.FILES) if request.method == "POST" else SdmxUploadForm()
    if request.method != "POST" or not form.is_valid():
        return _page(request, indicator, {"form": form}, status=400 if form.errors else 200)
    content = form.cleaned_data["file"].read()
    source = form.cleaned_data["source"]
    try:
        result = sdmx.import_observations(user=request.user, indicator=indicator, content=content, source=source,
                                          dry_run=True)
    except sdmx.SdmxFileInvalid as exc:
        return _page(request, indicator, {"form": form, "problems": exc}, status=400)
    token = secrets.token_urlsafe(24)
    cache.set(_key(request.user, token), content, timeout=KEPT_SECONDS)
    confirm = SdmxConfirmForm(initial={"token": token, "digest": result.digest, "source": source})
    return _page(request, indicator, {"result": result, "confirm": confirm, "filename": form.cleaned_data["file"].name})


def _confirm(request, indicator):
    form = SdmxConfirmForm(request.POST)
    if not form.is_valid():
        return _page(request, indicator, {"form": SdmxUploadForm(), "stale": True}, status=400)
    content = cache.get(_key(request.user, form.cleaned_data["token"]))
    if content is None or sdmx.digest_of(content) != form.cleaned_data["digest"]:
        return _page(request, indicator, {"form": SdmxUploadForm(), "stale": True}, status=400)
    try:
        result = sdmx.import_observations(user=request.user, indicator=indicator, content=content,
                                          source=form.cleaned_data["source"], dry_run=False)
    except sdmx.SdmxFileInvalid as exc:
        # The observations changed since the dry run, so that the file no longer fits: nothing was written.
        return _page(request, indicator, {"form": SdmxUploadForm(), "problems": exc}, status=400)
    cache.delete(_key(request.user, form.cleaned_data["token"]))
    messages.success(request, _("Imported the SDMX message: %(result)s.") % {"result": result})
    return redirect("admin:objectives_indicator_change", indicator.pk)


import_view = admin.site.admin_view(_import_view)
