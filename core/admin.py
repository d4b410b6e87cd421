"""What the apps' admin pages share, importing none of the apps."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class ReadOnlyAdminMixin:
    """A record the admin shows and never writes: added, changed and deleted elsewhere, if at all."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UndeliveredEmailAdminMixin:
    """The kept emails (core.models.AbstractUndeliveredEmail) as they were: never added or changed here; the
    secretariat sends them again once the mail server is back, or deletes them once the people concerned were told
    another way. The admin names how one is sent again, in send_email_again."""

    list_filter = ["event"]
    actions = ["send_again"]

    def send_email_again(self, undelivered) -> None:
        raise NotImplementedError

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Sending one again takes it off the list, as deleting would: the same right.
    @admin.action(description=_("Send the selected emails again"), permissions=["delete"])
    def send_again(self, request, queryset):
        count = 0
        for undelivered in queryset:
            self.send_email_again(undelivered)
            count += 1
        self.message_user(request, ngettext(
            "Sending %(n)d email again; if it fails once more, it comes back to this list.",
            "Sending %(n)d emails again; one that fails once more comes back to this list.", count) % {"n": count},
            messages.SUCCESS)
