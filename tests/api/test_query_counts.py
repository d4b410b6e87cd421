"""Every list and detail costs a fixed number of queries, the same with ten times the data."""

import itertools
import string

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.models import Aim
from mobility.models import Activity, Partner, Region
from objectives.models import Indicator, Objective, Priority
from tests import factories
from tests.api.conftest import client_for
from tests.licence import cold_cache

# Each endpoint, its queries for an anonymous reader, and what they are. "progress" is the
# progress overview's four: objectives, priorities, indicators, every headline observation.
ENDPOINTS = [
    ("/api/v1/strategy/", 2, "the strategy, its objectives"),
    ("/api/v1/objectives/", 7, "count, objectives, their priorities, progress"),
    ("/api/v1/objectives/1/", 6, "the objective, its priorities, progress"),
    ("/api/v1/indicators/", 6, "count, indicators with priority and objective, progress"),
    ("/api/v1/indicators/1.1.a/", 6, "the indicator with priority and objective, its observations, progress"),
    ("/api/v1/indicators/1.1.a/observations/", 3, "the indicator, count, observations"),
    ("/api/v1/indicators/1.1.a/observations/{observation}/", 2, "the indicator, the observation"),
    ("/api/v1/indicators/1.1.a/progress/", 4, "progress"),
    ("/api/v1/progress/", 4, "progress"),
    ("/api/v1/instruments/", 3, "count, instruments, their aims"),
    ("/api/v1/instruments/policy-dialogue/", 2, "the instrument, its aims"),
    ("/api/v1/partners/", 2, "count, partners with their activity counts"),
    ("/api/v1/partners/DE/", 1, "the partner with its activity counts"),
    ("/api/v1/organisations/", 2, "count, organisations with their partner"),
    ("/api/v1/organisations/asef/", 1, "the organisation with its partner"),
    ("/api/v1/activities/", 7,
     "count, activities with lead partner, objectives, instruments, partners, organisations, priorities"),
    ("/api/v1/activities/the-activity/", 6,
     "the activity with lead partner, objectives, instruments, partners, organisations, priorities"),
    ("/api/v1/activities/?format=csv", 6, "as the list, without the count, streamed in chunks of 2000"),
    ("/api/v1/mobility/flows/", 2, "count, flows with origin and destination"),
    ("/api/v1/mobility/flows/{flow}/", 1, "the flow with origin and destination"),
    ("/api/v1/mobility/summary/?group_by=year,direction,origin", 2,
     "whether the kept totals are current, the totals (from the routes' totals or the flows)"),
    ("/api/v1/mobility/summary/?group_by=mode,origin", 1, "the totals, from the flows: no kept table has both"),
]

CODES = [a + b for a, b in itertools.product(string.ascii_uppercase[::-1], repeat=2)]


@pytest.fixture
def portal(db, partner_de):
    """One of each thing a detail shows, by a name the endpoints above use."""
    priority = factories.PriorityFactory(code="1.1", number=1, objective=factories.ObjectiveFactory(number=1))
    indicator = factories.IndicatorFactory(code="1.1.a", priority=priority)
    factories.ObservationFactory(indicator=indicator, year=2021)
    instrument = factories.InstrumentFactory(slug="policy-dialogue")
    Aim.objects.create(instrument=instrument, order=1, text="Dialogue")
    factories.OrganisationFactory(slug="asef", partner=partner_de)
    factories.ActivityFactory(slug="the-activity")
    return {"observation": factories.ObservationFactory(indicator=indicator).pk,
            "flow": factories.MobilityFlowFactory(origin=factories.partner("TH"), destination=partner_de).pk}


def grow(n: int) -> None:
    """n more of everything each endpoint lists, each with its relations filled."""
    germany = Partner.objects.get(code="DE")
    taken = set(Partner.objects.values_list("code", flat=True))
    for code in [code for code in CODES if code not in taken][:n]:
        partner = Partner.objects.create(code=code, name=f"Partner {code}", region=Region.ASIA)
        objective = factories.ObjectiveFactory()
        priority = factories.PriorityFactory(objective=objective)
        instrument = factories.InstrumentFactory()
        Aim.objects.create(instrument=instrument, order=1, text=f"An aim of {instrument.name}")
        organisation = factories.OrganisationFactory(partner=partner)
        activity = factories.ActivityFactory(lead_partner=partner)
        activity.partners.set([partner, germany])
        activity.objectives.set([objective, Objective.objects.get(number=1)])
        activity.priorities.set([priority])
        activity.instruments.set([instrument])
        activity.organisations.set([organisation])
        factories.MobilityFlowFactory(origin=partner, destination=germany)
        indicator = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"))
        factories.ObservationFactory(indicator=indicator, year=2022)
        factories.ObservationFactory(indicator=indicator, year=2023)
        factories.ObservationFactory(indicator=Indicator.objects.get(code="1.1.a"), breakdown=f"partner={code.lower()}")


def test_each_read_costs_the_same_queries_with_ten_times_the_data(portal):
    client = client_for()
    wrong = []
    for size in (2, 18):
        grow(size)
        for url, queries, what in ENDPOINTS:
            cold_cache()
            with CaptureQueriesContext(connection) as done:
                response = client.get(url.format(**portal))
                if response.streaming:  # a full CSV export reads its rows as it sends them
                    b"".join(response.streaming_content)
            assert response.status_code == 200, (url, response.content)
            if len(done) != queries:
                wrong.append(f"{url} at {size}: {len(done)} queries, not {queries} ({what}):\n"
                             + "\n".join(query["sql"][:200] for query in done.captured_queries))
    assert not wrong, "\n\n".join(wrong)


@pytest.mark.parametrize("who", ["alice", "secretariat"])
def test_a_signed_in_list_adds_only_who_they_are(portal, alice, secretariat, django_assert_num_queries, who):
    client = client_for({"alice": alice, "secretariat": secretariat}[who])
    for size in (2, 18):
        grow(size)
        factories.ActivityFactory(state=Activity.State.DRAFT)
        # Alice: the token with its user, her partners, then the list's 7.
        # Sam: the token with its user, his groups (is he the secretariat?), then the list's 7.
        with django_assert_num_queries(9):
            assert client.get("/api/v1/activities/").status_code == 200
