"""Counts the SQL queries a request makes, for the benchmark's report (bench.settings only)."""

from django.db import connections

HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    """Outermost, so that the session, the user and every other middleware's queries count too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connections[alias].execute_wrapper(counter) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response[HEADER] = str(count)
        return response
