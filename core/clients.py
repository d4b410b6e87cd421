"""Which address a request came from, for everything that counts or logs per client.

The API's throttle (DRF's NUM_PROXIES reads the same setting, by the same rule), django-axes' sign-in lockout
(AXES_CLIENT_IP_CALLABLE) and the password-reset limit all key on it, and the portal's log lines name it.
X-Forwarded-For is anybody's to write: it is believed only as far as TRUSTED_PROXY_COUNT proxies of ours append
to it, counted from the right, and with none (the default) never.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    # Each proxy appends the address it was reached from: the last one of ours wrote the right-most entry, so
    # the client is the proxies-th from the right; what the client wrote itself lies further left, unread.
    addresses = [address.strip() for address in forwarded.split(",")]
    candidate = addresses[-min(proxies, len(addresses))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
