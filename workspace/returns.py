"""A partner's return in a reporting round: the focal point's form, and the secretariat's review of it."""

from django.http import Http404


def _not_yet(*args, **kwargs):
    raise Http404


return_list = return_edit = return_submit = return_history = return_revert = _not_yet
review_returns = return_review = return_approve = return_return = _not_yet
