"""The admin of accounts and API tokens, in place of the stock ones, and of the open-data licence.

Django's permissions say "may change users", for every user and every field alike. The secretariat has them so
that it can make focal points' accounts, deactivate them and reset their passwords; the rest is this module's rule
(core.roles.may_manage_account): only a superuser grants staff rights, superuser status, groups or
permissions, or changes another staff account; and nobody reads an API token's key here (its owner sees it at
/workspace/token/).
"""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken import admin as token_admin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from asem_portal.models import OpenDataLicence, stored_licence
from core.roles import manageable_accounts, may_manage_account

# The fields that give rights; a form posting any of them from someone who may not grant rights is refused whole.
RIGHTS_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
KEY_SHOWN = 6


def reads_a_key(lookup: str, *, via: str | None = None) -> bool:
    """Whether an admin list's filter from the address would compare a token's key: ?key__startswith= reads it a
    character at a time, as Django's user admin knows of ?password__. The admin takes any filter on a model's own
    fields and on a related model's primary key, which a token's key is."""
    parts = lookup.split("__")
    if via is not None:
        if parts[0] != via:
            return False
        parts = parts[1:]
    return not parts or parts[0] in {"key", "pk"}


def key_prefix(key: str | None) -> str:
    """Enough of a token's key to tell two apart, never enough to use it."""
    return f"{key[:KEY_SHOWN]}…" if key else ""


# TokenProxy is DRF's model for this admin alone: its name is what every admin page, message and log entry shows
# of a token (change page, history, delete confirmation, "was added"), and DRF's is the whole key.
TokenProxy.__str__ = lambda token: key_prefix(token.key)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]
    actions = ["deactivate_accounts"]
    # What someone who may not grant rights sees of an account: the rights themselves only as text.
    account_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.account_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_staff", "is_superuser", "last_login", "date_joined"]

    def lookup_allowed(self, lookup, value, request=None):
        return not reads_a_key(lookup, via="auth_token") and super().lookup_allowed(lookup, value, request)

    def has_change_permission(self, request, obj=None):
        # Also guards the password view, which asks this for the account whose password it sets.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage_account(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage_account(request.user, obj))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form leaves these fields out, and a field left out is ignored; a post that carries them anyway was
        # not made with this form, so none of it is written.
        forged = request.method == "POST" and any(field in request.POST for field in RIGHTS_FIELDS)
        if forged and not request.user.is_superuser:
            raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # A second lock behind the one above, whatever form a later change brings: rights stay as stored.
        if not request.user.is_superuser:
            stored = User.objects.filter(pk=obj.pk).values_list("is_staff", "is_superuser").first() or (False, False)
            if (obj.is_staff, obj.is_superuser) != tuple(stored):
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Deactivate the selected accounts"), permissions=["change"])
    def deactivate_accounts(self, request, queryset):
        """Signing in stops working for them; their data and partner links stay."""
        selected = queryset.count()
        accounts = manageable_accounts(request.user, queryset).exclude(pk=request.user.pk)
        deactivated = accounts.filter(is_active=True).update(is_active=False)
        left = selected - accounts.count()
        if deactivated:
            self.message_user(request, _("Deactivated %(n)d accounts.") % {"n": deactivated}, messages.SUCCESS)
        if left:
            self.message_user(request, _("Left %(n)d staff accounts as they are: only a superuser changes them, "
                                         "and nobody deactivates their own.") % {"n": left}, messages.WARNING)


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(token_admin.TokenAdmin):
    list_display = ["key_start", "user", "created"]

    @admin.display(description=_("key"), ordering="key")
    def key_start(self, token):
        return key_prefix(token.key)

    def lookup_allowed(self, lookup, value, request=None):
        return not reads_a_key(lookup) and super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        if request.user.is_superuser:
            return tokens
        return tokens.filter(user__in=manageable_accounts(request.user, User.objects.all()))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = manageable_accounts(request.user, User.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(OpenDataLicence)
class OpenDataLicenceAdmin(SimpleHistoryAdmin):
    """One row: the secretariat changes it (who and when kept in its history); nobody adds a second or deletes it."""

    list_display = ["name", "url", "citation"]

    def has_add_permission(self, request):
        # Every admin page asks, to list what may be added: the cache answers (a second row is refused in any case,
        # by the model's clean()).
        return super().has_add_permission(request) and stored_licence() is None

    def has_delete_permission(self, request, obj=None):
        return False
