"""The bottom layer: what every app of the portal shares, importing none of them.

The API's base classes, charts, CSV and spreadsheet exports, queueing a task, sending an email and keeping one the
mail server refused (with the abstract model and admin the apps' tables of those are made from), the roles, which
client a request came from, settings read from the environment, the cache and the "data changed" generation token.
An app that needs one of these imports it from here; nothing here knows the apps (import-linter checks it in
``make lint``).
"""
