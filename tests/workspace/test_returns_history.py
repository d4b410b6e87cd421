"""A return's history: every version with who saved it, when and what it changed, and every submission, return and
approval; a version can be restored while the return may be changed, as a new version, by its own people only."""

import pytest

from reporting import services as reporting
from reporting.models import Return
from tests.reporting import conftest as reporting_fixtures
from tests.workspace.test_returns import text, values_of

reported_indicators, open_round = reporting_fixtures.reported_indicators, reporting_fixtures.open_round
de_return = reporting_fixtures.de_return


@pytest.fixture
def twice_saved(de_return, alice):
    """Alice saved Germany's return twice: 2.2.p for 2024 was 40, then 45."""
    report = reporting.save_return(report=de_return, user=alice, version=0, values={("2.2.p", 2024): 40})
    return reporting.save_return(report=report, user=alice, version=1, values={("2.2.p", 2024): 45})


def history_of(report) -> str:
    return f"/workspace/returns/{report.pk}/history/"


def revert_of(report) -> str:
    return f"/workspace/returns/{report.pk}/revert/"


def test_the_history_shows_each_version_who_saved_it_and_what_changed(client, alice, secretariat, twice_saved):
    reporting.save_return(report=twice_saved, user=alice, version=2, answers={1: "Highlights."})
    reporting.submit_return(report=twice_saved, user=alice, version=3)
    reporting.return_return(report=twice_saved, user=secretariat, note="Give 2026 as well.")
    client.force_login(alice)

    page = text(client.get(history_of(twice_saved)))

    assert page.index("Version 3") < page.index("Version 2") < page.index("Version 1")
    assert "<del>40</del>" in page and "<ins>45</ins>" in page
    assert "Saved by <strong>alice</strong>" in page
    assert '<span class="state state-submitted">Submitted</span>' in page
    assert '<span class="state state-returned">Returned</span>' in page and "Give 2026 as well." in page
    assert "Restore version 1" in page and "Restore version 3" not in page  # 3 is the current one


def test_alice_restores_an_earlier_version_as_a_new_one(client, alice, twice_saved):
    client.force_login(alice)

    response = client.post(revert_of(twice_saved), {"version": "1"}, follow=True)

    assert "Restored version 1: it is now the current one, kept as version 3; nothing is lost." in text(response)
    assert values_of(twice_saved) == {("2.2.p", 2024): 40}
    assert Return.objects.get(pk=twice_saved.pk).version == 3


def test_sam_restores_on_germanys_behalf(client, secretariat, twice_saved):
    client.force_login(secretariat)

    client.post(revert_of(twice_saved), {"version": "1"})

    assert values_of(twice_saved) == {("2.2.p", 2024): 40}


def test_signed_out_visitors_and_bob_may_not_restore_and_nothing_changes(client, bob, twice_saved):
    response = client.post(revert_of(twice_saved), {"version": "1"})
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    client.force_login(bob)

    response = client.post(revert_of(twice_saved), {"version": "1"})

    assert response.status_code == 403
    assert client.get(history_of(twice_saved)).status_code == 403
    assert values_of(twice_saved) == {("2.2.p", 2024): 45}
    assert Return.objects.get(pk=twice_saved.pk).version == 2


@pytest.mark.parametrize(("version", "message"), [
    ("٣", "Choose a version to restore."),
    ("", "Choose a version to restore."),
    ("9", "The return has no version 9."),
])
def test_restoring_a_version_that_is_not_there_says_why(client, alice, twice_saved, version, message):
    client.force_login(alice)

    response = client.post(revert_of(twice_saved), {"version": version}, follow=True)

    assert message in text(response)
    assert Return.objects.get(pk=twice_saved.pk).version == 2


def test_a_submitted_return_cannot_be_restored_and_offers_no_button(client, alice, twice_saved):
    reporting.save_return(report=twice_saved, user=alice, version=2, answers={1: "Highlights."})
    reporting.submit_return(report=twice_saved, user=alice, version=3)
    client.force_login(alice)

    assert "Restore version" not in text(client.get(history_of(twice_saved)))
    response = client.post(revert_of(twice_saved), {"version": "1"}, follow=True)

    assert "This return is submitted: it cannot be changed while the secretariat reviews it." in text(response)
    assert values_of(twice_saved) == {("2.2.p", 2024): 45}


def test_the_history_costs_the_same_however_many_versions(client, alice, twice_saved, django_assert_num_queries):
    client.force_login(alice)
    # Expect 8 queries: the session, the user, her partners, the return with its round, partner and last editor,
    # the round's indicators and questions (for the changes' words), the versions with who saved them, and the
    # return's state changes with who made them
    with django_assert_num_queries(8):
        client.get(history_of(twice_saved))
    report = twice_saved
    for n in range(5):
        report = reporting.save_return(report=report, user=alice, version=report.version,
                                       values={("2.1.p", 2025): n})
    with django_assert_num_queries(8):
        response = client.get(history_of(twice_saved))
    assert "Version 7" in text(response)
