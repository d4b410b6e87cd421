"""The REST API: /api/v1/ and its schema and documentation."""

urlpatterns: list = []
