"""Who may call what: anyone reads; writes need an account, some the secretariat's."""

from rest_framework import permissions


def handles(view, request) -> bool:
    return getattr(view, request.method.lower(), None) is not None


class ReadOnlyOrSignedIn(permissions.BasePermission):
    """Anyone reads; a write needs a token or a session. Who may change what is the services' business."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or not handles(view, request):
            return True  # a method the endpoint does not take is a 405, whoever asks
        return bool(request.user and request.user.is_authenticated)


class SecretariatOrReadOnly(permissions.BasePermission):
    """Anyone reads; only the secretariat writes."""

    message = "Only the secretariat may change this."

    def has_permission(self, request, view):
        from core.roles import is_secretariat

        if request.method in permissions.SAFE_METHODS or not handles(view, request):
            return True
        return is_secretariat(request.user)
