"""The partner workspace: focal points report activities and mobility, the secretariat reviews them.

views.py (pages), forms.py, selectors.py (reads: my activities, versions and
their differences, the review queue), history.py (versions and what each
changed), services.py (writes on top of mobility.services: edits that refuse
to overwrite a newer change, reverts, API tokens), accounts.py (sign-in,
password change and reset), api.py (the same through /api/v1/ with a token).
The review workflow with its emails, and flow uploads, are mobility's own
(mobility.services, mobility.uploads): the admin and mobility's API use them too.
"""
