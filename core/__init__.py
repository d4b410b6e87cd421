"""The bottom layer: what every app of the portal shares, importing none of them.

The API's base classes, charts, CSV and spreadsheet exports, queueing a task, the roles, which client a request
came from, settings read from the environment, the cache and the "data changed" generation token. An app that
needs one of these imports it from here; nothing here knows the apps (import-linter checks it in ``make lint``).
"""
