"""What every endpoint of the REST API shares, one module per concern.

Errors and their one JSON shape (errors), ETags (etags), CSV (csv), fields (fields), parsers (parsers), the
choice of format (negotiation), pagination, filters, permissions, throttles, ApiViewMixin (views), the
schema's description of all of these (schema) and the documentation pages (docs). The apps' api modules only
declare their serializers and views on top of ApiViewMixin; settings.py names the rest in REST_FRAMEWORK.

Nothing is re-exported here: DRF imports the classes its settings name while rest_framework.views is still
loading, so each module imports only what it needs.
"""
