"""Schemathesis against a live server: every operation of the schema, fuzzed, and never a 5xx or an answer off it.

Bounded so CI stays short (about a minute): the schema's own examples, then a few
generated cases per operation, valid and invalid (SCHEMATHESIS_MAX_EXAMPLES, default
10), with a fixed seed so a failure reproduces. The coverage phase, which walks
every boundary of every field, is left out: it takes minutes. Run as the
secretariat, so writes reach the services and their validation, not only the 401.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from asem_portal.content import load_strategy
from mobility.models import Activity
from objectives.models import Priority
from tests import factories
from tests.api.conftest import client_for

CHECKS = [
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance",
]


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(live_server, settings, tmp_path):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}
    load_strategy()
    factories.ActivityFactory(slug="a-draft", state=Activity.State.DRAFT)
    factories.ActivityFactory(slug="a-submission", state=Activity.State.SUBMITTED)
    factories.MobilityFlowFactory()
    indicator = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.a")
    factories.ObservationFactory(indicator=indicator)
    sam = factories.UserFactory(username="sam", is_staff=True, is_superuser=True)
    token = client_for(sam)._credentials["HTTP_AUTHORIZATION"]

    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run", f"{live_server.url}/api/schema/",
        "--checks", ",".join(CHECKS), "--phases", "examples,fuzzing",
        "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"), "--seed", "2030",
        "--workers", "1", "--no-shrink", "--request-timeout", "30", "--suppress-health-check", "all",
        "--header", f"Authorization: {token}", "--report", "junit", "--report-dir", str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path, env={
        **os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1",
    })

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert "No issues found" in result.stdout or " passed" in result.stdout, result.stdout[-5000:]
