"""The partner workspace: focal points report activities and mobility, the secretariat reviews them.

views.py (pages), forms.py, selectors.py (reads: my activities, versions and
their differences, the review queue), services.py (writes on top of
mobility.services, with the emails they send), uploads.py (flow files, in the
request or by a Celery task), accounts.py (sign-in, password change and reset),
api.py (the same through /api/v1/ with a token).
"""
