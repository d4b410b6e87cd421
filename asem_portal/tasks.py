from celery import shared_task


@shared_task
def ping(token: str) -> str:
    """Answer with the token: lets tests and operators see a worker at work."""
    return f"pong:{token}"
