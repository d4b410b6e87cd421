"""How gunicorn serves the portal in production: read from the working folder by the Dockerfile's and compose's
gunicorn, and by the benchmark's, so all three run the same server.

Threaded workers (gthread): a worker's main thread tells gunicorn it is alive while its threads answer, so a long
streamed download (the API's CSV of a million flows takes minutes) is not killed at `timeout` as a sync worker's
would be, and one slow reader does not hold a whole worker. `timeout` is then only for a worker that stops answering.
WEB_WORKERS and WEB_THREADS change the counts without a new image.
"""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 30
