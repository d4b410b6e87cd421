"""The secretariat's admin of data releases: the record of every release, and a button to build one now.

A release is made only by opendata.releases (on demand here, or by a round's closing) and never changed or
deleted: an old release stays downloadable, and its number is never given to another. The secretariat reads them
(the group's view permission, core/roles.py); asking for one is its role (core.roles.is_secretariat), the same rule
request_release applies.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from core.roles import is_secretariat
from opendata import releases
from opendata.models import DataRelease


class ReleaseRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"), required=False, max_length=releases.REASON_MAX_LENGTH,
        help_text=_("Shown on the data page beside the release, for example: the 2027 figures corrected."))


@admin.register(DataRelease)
class DataReleaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "state", "created_at", "finished_at", "why", "requested_by", "size", "download"]
    list_select_related = ["round", "requested_by"]
    list_filter = ["state"]
    fields = ["number", "state", "created_at", "finished_at", "requested_by", "round", "reason", "failure", "size",
              "sha256", "has_demo", "download"]
    readonly_fields = fields
    change_list_template = "opendata/admin/change_list.html"

    @admin.display(description=_("Why"))
    def why(self, release):
        return release.why

    @admin.display(description=_("Package"))
    def download(self, release):
        if release.state != DataRelease.State.READY:
            return "–"
        return format_html('<a href="{}">{}</a>', release.download_url, _("Download"))

    def get_urls(self):
        return [path("build/", self.admin_site.admin_view(self.build_view), name="opendata_datarelease_build"),
                *super().get_urls()]

    def build_view(self, request):
        """Ask why, then build a release: "Build a release now"."""
        if not is_secretariat(request.user):
            raise PermissionDenied
        form = ReleaseRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                release = releases.request_release(user=request.user, reason=form.cleaned_data["reason"])
            except releases.ReleaseRefused as refusal:
                for message in refusal.messages:
                    self.message_user(request, message, messages.ERROR)
                return redirect("admin:opendata_datarelease_changelist")
            release.refresh_from_db()  # with no broker, or tasks run eagerly, it is built already
            self.message_user(request, OUTCOME[release.state] % {"number": release.number},
                              messages.ERROR if release.state == DataRelease.State.FAILED else messages.SUCCESS)
            return redirect("admin:opendata_datarelease_changelist")
        context = {**self.admin_site.each_context(request), "title": _("Build a data release now"),
                   "opts": DataRelease._meta, "form": form, "building": releases.building()}
        return TemplateResponse(request, "opendata/admin/build.html", context)


OUTCOME = {
    DataRelease.State.READY: _("Release %(number)s is ready: it is on the data page."),
    DataRelease.State.FAILED: _("Release %(number)s failed: its reason is on its page."),
    DataRelease.State.BUILDING: _("Release %(number)s is being built: it appears on the data page once it is ready."),
}
