"""A return as a file: the pre-filled template to download, and the filled one uploaded back."""

from django.http import Http404


def _not_yet(*args, **kwargs):
    raise Http404


template = upload = _not_yet
