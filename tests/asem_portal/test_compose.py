"""No Docker engine runs here, so the compose file is checked for its structure."""

import importlib
import re
import runpy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS_SOURCE = (ROOT / "asem_portal" / "settings.py").read_text()


def service(name):
    return COMPOSE["services"][name]


def command(name) -> str:
    value = service(name)["command"]
    return " ".join(value) if isinstance(value, list) else value


def test_it_has_postgres_redis_web_worker_and_beat():
    assert set(COMPOSE["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_the_database_keeps_its_data_in_a_volume():
    assert "postgres-data" in COMPOSE["volumes"]
    assert any(v.startswith("postgres-data:") for v in service("postgres")["volumes"])


def test_the_services_have_health_checks():
    for name in ("postgres", "redis", "web", "worker"):
        assert service(name)["healthcheck"]["test"], name
    assert "/readyz" in " ".join(service("web")["healthcheck"]["test"])


def test_the_web_service_migrates_loads_the_strategy_and_serves_the_real_wsgi_module():
    web = command("web")
    assert "manage.py migrate" in web
    assert "manage.py load_strategy" in web
    module, attribute = re.search(r"gunicorn (\S+):(\S+)", web).groups()
    assert hasattr(importlib.import_module(module), attribute)


def test_worker_and_beat_run_the_projects_celery_app():
    assert "celery -A asem_portal worker" in command("worker")
    assert "celery -A asem_portal beat" in command("beat")
    assert importlib.import_module("asem_portal.celery").app.main == "asem_portal"


def test_the_app_services_wait_for_healthy_postgres_and_redis_and_set_variables_settings_read():
    for name in ("web", "worker", "beat"):
        config = service(name)
        assert config["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert config["depends_on"]["redis"]["condition"] == "service_healthy"
        for variable in config["environment"]:
            assert f'"{variable}"' in SETTINGS_SOURCE, f"settings do not read {variable}"
        assert config["environment"]["DEBUG"] == "false"


def test_the_dockerfile_serves_the_same_wsgi_module():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "asem_portal.wsgi:application" in dockerfile
    assert "requirements.txt" in dockerfile


def test_production_serves_with_threaded_workers_so_a_long_download_outlives_the_worker_timeout():
    """gunicorn reads gunicorn.conf.py from the folder it starts in; neither the image nor compose overrides it."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert config["worker_class"] == "gthread"
    assert config["threads"] > 1
    assert config["bind"] == "0.0.0.0:8000"
    for started in (command("web"), dockerfile):
        assert "--worker-class" not in started and "-k " not in started and "--bind" not in started
    assert "COPY . ." in dockerfile
