"""Sam (the secretariat) reviews the submitted returns: the queue, oldest first; a return's differences from what
is public now, its flows the other end reports differently and its answers; approving makes its figures public,
returning needs a note. Focal points may do none of it."""

import pytest

from objectives.models import Observation
from reporting import services as reporting
from reporting.models import Return
from tests import factories
from tests.reporting import conftest as reporting_fixtures
from tests.workspace.test_returns import text

reported_indicators, open_round = reporting_fixtures.reported_indicators, reporting_fixtures.open_round
de_return, th_return = reporting_fixtures.de_return, reporting_fixtures.th_return

QUEUE = "/workspace/review/returns/"


def submit(report, user, *, values=None, flows=None):
    report = reporting.save_return(report=report, user=user, version=report.version, values=values or {},
                                   answers={1: "A new TVET law."}, flows=flows)
    return reporting.submit_return(report=report, user=user, version=report.version)


@pytest.fixture
def submitted(de_return, alice):
    """Germany's return, submitted by Alice: a value for 2024, a flow to Thailand and the highlights."""
    return submit(de_return, alice, values={("2.2.p", 2024): 40, ("3.3.p", 2025): 61.5}, flows=[
        {"year": 2025, "origin": "DE", "destination": "TH", "mode": "physical", "level": "higher_education",
         "programme": "", "participants": 120, "female": 70, "fewer_opportunities": None, "source": "DAAD"}])


def review_of(report) -> str:
    return f"/workspace/returns/{report.pk}/review/"


def test_the_queue_lists_submitted_returns_oldest_first(client, secretariat, submitted, th_return, bob):
    submit(th_return, bob)
    client.force_login(secretariat)

    page = text(client.get(QUEUE))

    assert "2 submitted returns wait for review, oldest first." in page
    assert page.index("Germany") < page.index("Thailand")
    assert f'href="{review_of(submitted)}"' in page


def test_the_review_shows_what_approving_changes_beside_what_is_public(client, secretariat, submitted):
    Observation.objects.create(indicator=submitted.round.indicators.get(code="2.2.p"), partner=submitted.partner,
                               year=2024, value=35)
    client.force_login(secretariat)

    page = text(client.get(review_of(submitted)))

    assert "What approving it changes: 4 differences from what is public now" in page
    assert "2.2.p TVET programmes co-designed with industry, 2024</th>" in page
    assert "<del>35</del>" in page and "<ins>40</ins>" in page
    assert "3.3.p Adults with basic digital skills, 2025</th>" in page and "<ins>61.5</ins>" in page
    assert "Flow 2025, Germany → Thailand, physical, Higher education</th>" in page
    assert "(none: added)" in page and "<ins>120 participants (70 female)</ins>" in page
    assert "A new TVET law." in page
    assert "No flow of this return is reported differently by the other end of its route." in page
    assert "Approve: make its figures public" in page


def test_the_review_shows_a_flow_the_other_end_reports_differently(client, secretariat, submitted):
    factories.MobilityFlowFactory(year=2025, origin=factories.partner("DE"), destination=factories.partner("TH"),
                                  programme="", participants=95)
    client.force_login(secretariat)

    page = text(client.get(review_of(submitted)))

    assert "Routes the other end reports differently" in page
    assert '<td class="num">120</td><td class="num">95 <span class="note">(Thailand)</span></td>' in page
    assert "Thailand's, the host country's" in page


def test_sam_approves_and_the_values_are_germanys_public_figures(client, secretariat, submitted, mailoutbox):
    client.force_login(secretariat)

    response = client.post(f"/workspace/returns/{submitted.pk}/approve/", follow=True)

    assert "Approved Germany's return: its values and flows are now the public figures." in text(response)
    assert Return.objects.get(pk=submitted.pk).state == "approved"
    assert Observation.objects.get(partner=submitted.partner, indicator__code="2.2.p", year=2024).value == 40


def test_approving_a_draft_says_why_and_publishes_nothing(client, secretariat, de_return):
    client.force_login(secretariat)

    response = client.post(f"/workspace/returns/{de_return.pk}/approve/", follow=True)

    assert "Only a submitted return can be approved; this one is draft." in text(response)
    assert Return.objects.get(pk=de_return.pk).state == "draft"
    # Nothing of the round's: the partner's OECD students figures, which load_strategy ships, are not its to touch
    assert not Observation.objects.filter(partner=de_return.partner, indicator__rounds=de_return.round).exists()


def test_returning_needs_a_note_shown_next_to_it(client, secretariat, submitted):
    client.force_login(secretariat)

    response = client.post(f"/workspace/returns/{submitted.pk}/return/", {"note": "  "})

    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_note_error"><li>Say what the focal points should change.</li></ul>' in \
        text(response)
    assert Return.objects.get(pk=submitted.pk).state == "submitted"


def test_sam_returns_it_with_a_note_that_alice_then_reads(client, secretariat, alice, submitted):
    client.force_login(secretariat)

    client.post(f"/workspace/returns/{submitted.pk}/return/", {"note": "Give 2026 as well."})

    report = Return.objects.get(pk=submitted.pk)
    assert report.state == "returned" and report.review_note == "Give 2026 as well."
    client.force_login(alice)
    assert "Give 2026 as well." in text(client.get(f"/workspace/returns/{submitted.pk}/"))


@pytest.mark.parametrize("url", [QUEUE, "review", "approve", "return"])
def test_focal_points_may_not_review(client, alice, bob, submitted, url):
    path = url if url.startswith("/") else f"/workspace/returns/{submitted.pk}/{url}/"
    method = client.get if url in (QUEUE, "review") else client.post

    assert method(path, {"note": "Fine."} if method == client.post else None).status_code == 302  # to sign in
    for user in (alice, bob):
        client.force_login(user)
        response = method(path, {"note": "Fine."} if method == client.post else None)
        assert response.status_code == 403
        assert "Only the secretariat may review submissions" in text(response)
    assert Return.objects.get(pk=submitted.pk).state == "submitted"
    # Nothing of the round's: the partner's OECD students figures, which load_strategy ships, are not its to touch
    assert not Observation.objects.filter(partner=submitted.partner, indicator__rounds=submitted.round).exists()


def test_the_review_costs_the_same_whatever_the_round_asks(client, secretariat, submitted, django_assert_num_queries):
    client.force_login(secretariat)
    client.get(review_of(submitted))
    # Expect 14 queries: the session, the user, the Secretariat group check, the return with its round, partner
    # and last editor, the round's indicators and questions; for what approving changes: the return's values,
    # answers and flows, the partner's public values and flows (and, once it was approved, its approved answers),
    # the other ends' flows and the partners' names; for the whole return, drawn from those, only its flows with
    # their partners
    with django_assert_num_queries(14):
        client.get(review_of(submitted))
    for n in range(4):
        indicator = factories.IndicatorFactory(priority=submitted.round.indicators.first().priority,
                                               code=f"1.1.z{n}", aggregation="sum")
        submitted.round.indicators.add(indicator)
        submitted.values.create(indicator=indicator, year=2026, value=n)
    with django_assert_num_queries(14):
        response = client.get(review_of(submitted))
    assert "1.1.z3" in text(response)


def test_the_queue_costs_the_same_whatever_its_length(client, secretariat, submitted, th_return, bob,
                                                      django_assert_num_queries):
    client.force_login(secretariat)
    # Expect 13 queries: the session, the user, the Secretariat group check, the submitted returns with their
    # rounds, partners and last editors, the rounds' indicators and questions, the returns' values, answers and
    # flows, the partners' public values and flows, the other ends' flows and the partners' names
    with django_assert_num_queries(13):
        client.get(QUEUE)
    submit(th_return, bob, flows=[{"year": 2024, "origin": "TH", "destination": "JP", "mode": "virtual",
                                   "level": "staff", "participants": 4}])
    with django_assert_num_queries(13):
        response = client.get(QUEUE)
    assert "2 submitted returns wait for review" in text(response)
