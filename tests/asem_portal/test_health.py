def test_healthz_answers_while_the_process_runs(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database_cache_and_broker(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checked"] == ["database", "cache", "broker"]


def test_readyz_names_what_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    from asem_portal.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = settings.REDIS_URL
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert list(response.json()["failing"]) == ["broker"]
