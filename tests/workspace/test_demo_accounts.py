"""A newcomer gets a focal point and a secretariat account to try the workspace with, on their own machine only."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.roles import is_secretariat
from mobility import services
from tests import factories


def test_it_makes_a_focal_point_for_germany_and_a_reviewer_and_prints_their_passwords(settings, secretariat):
    settings.DEBUG = True
    factories.partner("DE")
    out = StringIO()

    call_command("create_demo_accounts", stdout=out)

    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    focal, reviewer = users.get(username="focal-de"), users.get(username="reviewer")
    passwords = dict(re.findall(r"(focal-de|reviewer) \(.*?\), password (\S+)", out.getvalue()))
    assert focal.check_password(passwords["focal-de"]) and reviewer.check_password(passwords["reviewer"])
    assert services.partner_ids(focal) == {factories.partner("DE").pk}
    assert is_secretariat(reviewer) and not is_secretariat(focal)


def test_it_refuses_to_run_without_debug(settings, db):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("create_demo_accounts")
