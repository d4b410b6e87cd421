"""ETags: a strong one computed from a representation's data, and If-None-Match compared as RFC 9110 asks."""

import hashlib
import json

from django.utils.http import parse_etags
from rest_framework.utils.encoders import JSONEncoder


def etag_for(data, suffix: str = "") -> str:
    """A strong ETag for a representation: the hash of its data, so any visible change gives a new one."""
    payload = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:32]
    return f'"{digest}{suffix}"'


def _without_weakness(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def none_match(request, etag: str) -> bool:
    """Whether If-None-Match names this ETag (weak comparison, as RFC 9110 asks)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or _without_weakness(etag) in {_without_weakness(tag) for tag in tags}
