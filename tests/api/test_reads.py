"""What the API shows: the strategy, progress, partners, activities (to whom) and mobility."""

import pytest

from mobility.models import Activity
from objectives.models import Indicator, Objective, Priority
from tests import factories

PROGRESS_FIGURES = {"status", "ratio", "actual_growth", "required_growth", "baseline_year", "baseline_value",
                    "latest_year", "latest_value", "target_year", "target_value", "method", "as_of"}


@pytest.fixture
def indicators(strategy):
    """An indicator with values in two objectives, so progress has figures to show."""
    for code, values in [("1.1.a", {2022: 120, 2024: 150}), ("4.1.a", {2022: 90, 2025: 80})]:
        indicator = factories.IndicatorFactory(priority=Priority.objects.get(code=code[:3]), code=code)
        for year, value in values.items():
            factories.ObservationFactory(indicator=indicator, year=year, value=value)
    factories.ObservationFactory(indicator=Indicator.objects.get(code="1.1.a"), year=2024, value=70,
                                 breakdown="region=asia")


def test_the_strategy_counts_four_objectives_six_instruments_and_53_partners(strategy, anonymous):
    assert anonymous.get("/api/v1/objectives/").json()["count"] == 4
    assert anonymous.get("/api/v1/instruments/").json()["count"] == 6
    assert anonymous.get("/api/v1/partners/?page_size=100").json()["count"] == 53


def test_the_strategy_has_its_vision_objectives_and_links(strategy, anonymous):
    strategy = anonymous.get("/api/v1/strategy/").json()

    assert strategy["title"] == "ASEM Education Strategy 2030"
    assert strategy["vision"].startswith("By 2030")
    assert [o["number"] for o in strategy["objectives"]] == [1, 2, 3, 4]
    assert strategy["links"]["progress"] == "http://testserver/api/v1/progress/"


def test_without_a_strategy_loaded_it_is_not_found(db, anonymous):
    response = anonymous.get("/api/v1/strategy/")

    assert response.status_code == 404
    assert response.json()["detail"] == "No strategy is loaded yet."


def test_progress_as_of_2024_gives_every_objectives_status_with_the_figures_behind_it(indicators, anonymous):
    progress = anonymous.get("/api/v1/progress/?as_of=2024").json()

    assert progress["as_of"] == 2024
    assert progress["vision"]["status"] in {"achieved", "on_track", "moderate", "limited", "deterioration"}
    assert [objective["number"] for objective in progress["objectives"]] == [1, 2, 3, 4]
    for objective in progress["objectives"]:
        assert {"status", "score", "counts", "method"} <= set(objective["progress"])
    first = progress["objectives"][0]["priorities"][0]["indicators"][0]
    assert first["code"] == "1.1.a"
    assert set(first["progress"]) >= PROGRESS_FIGURES
    # As of 2024 the 2025 value of 4.1.a does not count yet.
    fourth = progress["objectives"][3]["priorities"][0]["indicators"][0]["progress"]
    assert (fourth["latest_year"], fourth["latest_value"]) == (2022, 90)
    assert sum(progress["status_counts"].values()) == 5  # the test's two indicators and the OECD's three


def test_progress_as_of_a_year_out_of_range_is_a_400_naming_as_of(db, anonymous):
    response = anonymous.get("/api/v1/progress/?as_of=1066")

    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "location": "query", "field": "as_of", "code": "invalid",
        "message": "Give a year from 1990 to 2100, such as 2024.",
    }


def test_an_objective_shows_its_priorities_their_indicators_and_progress(indicators, anonymous):
    objective = anonymous.get("/api/v1/objectives/1/").json()

    assert objective["title"].startswith("Enhancing connectivity")
    assert [p["code"] for p in objective["priorities"]] == ["1.1", "1.2"]
    assert objective["priorities"][0]["indicators"][0]["code"] == "1.1.a"
    assert objective["priorities"][0]["indicators"][0]["progress"]["latest_value"] == 150
    assert objective["progress"]["counts"]["insufficient_data"] == 0


def test_an_indicator_shows_its_observations_and_every_progress_figure(indicators, anonymous):
    indicator = anonymous.get("/api/v1/indicators/1.1.a/").json()

    assert indicator["objective"] == 1 and indicator["priority"] == "1.1"
    assert [(o["year"], o["breakdown"]) for o in indicator["observations"]] == [
        (2022, ""), (2024, ""), (2024, "region=asia")
    ]
    assert set(indicator["progress"]) >= PROGRESS_FIGURES
    assert indicator["progress"]["baseline_value"] == 100
    assert indicator["progress"]["latest_value"] == 150
    assert indicator["progress"]["target_value"] == 200
    assert indicator["progress"]["method"] == "cagr"
    assert anonymous.get("/api/v1/indicators/1.1.a/progress/").json() == indicator["progress"]


def test_an_indicators_observations_filter_to_the_headline_series(indicators, anonymous):
    response = anonymous.get("/api/v1/indicators/1.1.a/observations/?headline=true")

    assert [o["year"] for o in response.json()["results"]] == [2022, 2024]


def test_an_unknown_indicator_has_no_observations_to_list(db, anonymous):
    response = anonymous.get("/api/v1/indicators/9.9.z/observations/")

    assert response.status_code == 404
    assert response.json()["detail"] == "No indicator has this code."


def test_partners_are_found_by_code_in_any_case_including_eu_and_asean(strategy, anonymous):
    assert anonymous.get("/api/v1/partners/de/").json()["name"] == "Germany"
    assert anonymous.get("/api/v1/partners/EU/").json()["region"] == "europe"
    assert anonymous.get("/api/v1/partners/ASEAN/").json()["region"] == "asia"
    assert anonymous.get("/api/v1/partners/XX/").status_code == 404


def test_organisations_name_the_partner_they_are_based_in(strategy, anonymous):
    organisations = anonymous.get("/api/v1/organisations/?q=ASEF").json()["results"]

    assert organisations[0]["acronym"] == "ASEF"
    assert organisations[0]["partner"] == "SG"


@pytest.fixture
def activities(partner_de, partner_th, alice):
    factories.ActivityFactory(slug="published", state=Activity.State.PUBLISHED)
    factories.ActivityFactory(slug="alices-draft", state=Activity.State.DRAFT, lead_partner=partner_de)
    factories.ActivityFactory(slug="bobs-submission", state=Activity.State.SUBMITTED, lead_partner=partner_th)


@pytest.mark.parametrize(("who", "sees"), [
    ("anonymous", ["published"]),
    ("as_alice", ["alices-draft", "published"]),
    ("as_bob", ["bobs-submission", "published"]),
    ("as_secretariat", ["alices-draft", "bobs-submission", "published"]),
])
def test_each_role_lists_the_activities_it_may_read(activities, request, who, sees):
    client = request.getfixturevalue(who)

    listed = client.get("/api/v1/activities/?ordering=title").json()["results"]

    assert sorted(activity["slug"] for activity in listed) == sees


def test_an_unpublished_activity_is_not_found_for_those_who_may_not_read_it(activities, anonymous, as_bob, as_alice):
    assert anonymous.get("/api/v1/activities/alices-draft/").status_code == 404
    assert as_bob.get("/api/v1/activities/alices-draft/").status_code == 404
    assert as_alice.get("/api/v1/activities/alices-draft/").json()["state"] == "draft"


def test_an_activity_shows_its_relations_as_codes(strategy, anonymous):
    activity = factories.ActivityFactory(slug="with-relations")
    activity.partners.set([factories.partner("TH"), factories.partner("FR")])
    activity.objectives.set(Objective.objects.filter(number__in=[1, 4]))

    shown = anonymous.get("/api/v1/activities/with-relations/").json()

    assert shown["lead_partner"] == "DE"
    assert shown["partners"] == ["FR", "TH"]
    assert shown["objectives"] == [1, 4]
    assert shown["url"] == "http://testserver/api/v1/activities/with-relations/"


def test_a_flow_shows_the_direction_that_follows_from_its_partners(partner_de, partner_th, anonymous):
    flow = factories.MobilityFlowFactory(origin=partner_th, destination=partner_de)

    shown = anonymous.get(f"/api/v1/mobility/flows/{flow.pk}/").json()

    assert (shown["origin"], shown["destination"], shown["direction"]) == ("TH", "DE", "asia_to_europe")


@pytest.fixture
def flows(partner_de, partner_th):
    jp, fr = factories.partner("JP"), factories.partner("FR")
    factories.MobilityFlowFactory(year=2023, origin=partner_th, destination=partner_de, participants=100, female=60)
    factories.MobilityFlowFactory(year=2024, origin=partner_th, destination=partner_de, participants=200, female=90)
    factories.MobilityFlowFactory(year=2024, origin=partner_de, destination=jp, participants=50, female=None,
                                  mode="virtual")
    factories.MobilityFlowFactory(year=2024, origin=fr, destination=partner_de, participants=7, female=3,
                                  fewer_opportunities=1)


def test_the_summary_totals_participants_by_the_groups_asked_for(flows, anonymous):
    rows = anonymous.get("/api/v1/mobility/summary/?group_by=year,direction").json()["results"]

    assert rows == [
        {"year": 2023, "direction": "asia_to_europe", "participants": 100, "female": 60, "fewer_opportunities": 10,
         "flows": 1},
        {"year": 2024, "direction": "asia_to_europe", "participants": 200, "female": 90, "fewer_opportunities": 10,
         "flows": 1},
        {"year": 2024, "direction": "europe_to_asia", "participants": 50, "female": None, "fewer_opportunities": 10,
         "flows": 1},
        {"year": 2024, "direction": "within_europe", "participants": 7, "female": 3, "fewer_opportunities": 1,
         "flows": 1},
    ]


def test_the_summary_takes_the_same_filters_as_the_flows(flows, anonymous):
    rows = anonymous.get("/api/v1/mobility/summary/?group_by=mode&year=2024&destination=DE").json()["results"]

    assert rows == [{"mode": "physical", "participants": 207, "female": 93, "fewer_opportunities": 11, "flows": 2}]
    flows = anonymous.get("/api/v1/mobility/flows/?year=2024&destination=DE").json()
    assert flows["count"] == 2


def test_the_summary_without_groups_is_one_row_of_grand_totals(flows, anonymous):
    rows = anonymous.get("/api/v1/mobility/summary/").json()["results"]

    assert rows == [{"participants": 357, "female": 153, "fewer_opportunities": 31, "flows": 4}]


def test_the_summary_refuses_an_unknown_group_naming_group_by(flows, anonymous):
    response = anonymous.get("/api/v1/mobility/summary/?group_by=year,colour")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["location"], error["field"]) == ("query", "group_by")
    assert "colour" in error["message"]
