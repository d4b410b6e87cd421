"""Schemathesis against a live server: every operation of the schema, fuzzed, and never a 5xx or an answer off it.

Bounded so CI stays short (about a minute): the schema's own examples, then a few
generated cases per operation, valid and invalid (SCHEMATHESIS_MAX_EXAMPLES, default
10), with a fixed seed so a failure reproduces. The coverage phase, which walks
every boundary of every field, is left out: it takes minutes. Run anonymously, as a
visitor or a client without a token is, and as a member of the secretariat (not a
superuser), so writes reach the services and their validation, not only the 401.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from core.roles import SECRETARIAT_GROUP, is_secretariat
from mobility.models import Activity
from objectives.models import Priority
from tests import factories
from tests.api.conftest import client_for

CHECKS = [
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance",
    # What the schema refuses (an empty choice, a boolean other than true or false, a method it does not list)
    # the API refuses too. The converse cannot hold: a partner code that does not exist, or a period ending
    # before it starts, fits the schema and is still a 400.
    "negative_data_rejection", "unsupported_method",
]
# A bad body sent with a stale If-Match is refused with 412 before the body is read, and one too large with 413:
# refusals all the same, and nothing is written.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422", "428", "429"]
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["anonymous", "secretariat"])
def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(live_server, strategy, settings, tmp_path,
                                                                         who, open_round):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}
    factories.ActivityFactory(slug="a-draft", state=Activity.State.DRAFT)
    factories.ActivityFactory(slug="a-submission", state=Activity.State.SUBMITTED)
    factories.MobilityFlowFactory()
    indicator = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.a")
    factories.ObservationFactory(indicator=indicator)
    credentials = []
    if who == "secretariat":
        # A table flush by an earlier test of this kind takes the migrations' group with it.
        sam = factories.UserFactory(username="sam", is_staff=True)
        sam.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
        assert is_secretariat(sam) and not sam.is_superuser
        credentials = ["--header", f"Authorization: {client_for(sam)._credentials['HTTP_AUTHORIZATION']}"]

    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config), "run",
        f"{live_server.url}/api/schema/",
        "--checks", ",".join(CHECKS), "--phases", "examples,fuzzing",
        "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"), "--seed", "2030",
        "--workers", "1", "--no-shrink", "--request-timeout", "30", "--suppress-health-check", "all",
        *credentials, "--report", "junit", "--report-dir", str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path, env={
        **os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1",
    })

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert "No issues found" in result.stdout or " passed" in result.stdout, result.stdout[-5000:]
