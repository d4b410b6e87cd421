"""A count's breakdowns add up to its total, checked where values are entered: the admin and the API."""

import pytest
from django.urls import reverse

from objectives.models import Observation
from tests import factories
from tests.api.conftest import client_for
from tests.objectives.test_indicator_admin import change_url, form_data


@pytest.fixture
def sam(db):
    """Sam runs the secretariat's admin (a superuser, so the test needs no group from a migration)."""
    return factories.UserFactory(username="sam", is_staff=True, is_superuser=True)


@pytest.fixture
def teachers(db):
    """Teachers trained, a count: 3,093 in 2025."""
    made = factories.IndicatorFactory(code="3.4.a", unit="teachers", kind="count", baseline_value=3200.0,
                                      target_value=None)
    factories.ObservationFactory(indicator=made, year=2025, value=3093.0)
    return made


def post_observation(user, indicator, **data):
    return client_for(user).post(f"/api/v1/indicators/{indicator.code}/observations/", data, format="json")


def test_the_api_refuses_regions_of_a_count_that_add_up_to_more_than_its_total(sam, teachers):
    factories.ObservationFactory(indicator=teachers, year=2025, value=2783.0, breakdown="region=asia")

    response = post_observation(sam, teachers, year=2025, value=3402, breakdown="region=europe")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "value"
    assert error["message"] == ("The parts by region of 2025 add up to 6,185 teachers, more than the total of 3,093: "
                                "the parts of a count cannot exceed its total.")
    assert not Observation.objects.filter(breakdown="region=europe").exists()


def test_the_api_refuses_both_regions_of_a_count_when_they_do_not_make_its_total(sam, teachers):
    factories.ObservationFactory(indicator=teachers, year=2025, value=1300.0, breakdown="region=asia")

    response = post_observation(sam, teachers, year=2025, value=1700, breakdown="region=europe")

    assert response.status_code == 400
    assert "add up to 3,000 teachers, not the total of 3,093" in str(response.json())
    assert not Observation.objects.filter(breakdown="region=europe").exists()


def test_the_api_accepts_regions_that_make_the_total(sam, teachers):
    factories.ObservationFactory(indicator=teachers, year=2025, value=1393.0, breakdown="region=asia")

    response = post_observation(sam, teachers, year=2025, value=1700, breakdown="region=europe")

    assert response.status_code == 201


def test_the_api_refuses_a_total_below_its_parts(sam, teachers):
    part = factories.ObservationFactory(indicator=teachers, year=2025, value=2000.0, breakdown="mode=virtual")
    total = teachers.observations.get(breakdown="")

    response = client_for(sam).patch(f"/api/v1/indicators/3.4.a/observations/{total.pk}/", {"value": 1500},
                                     format="json")

    assert response.status_code == 400
    assert "The parts by mode of 2025 add up to 2,000 teachers, more than the total of 1,500" in str(response.json())
    total.refresh_from_db()
    assert total.value == 3093.0 and part.value == 2000.0


def test_the_api_refuses_a_fraction_of_a_count(sam, teachers):
    response = post_observation(sam, teachers, year=2024, value=26.95)

    assert response.status_code == 400
    assert "3.4.a is a count of teachers: give a whole number." in str(response.json())
    assert not Observation.objects.filter(year=2024).exists()


def test_the_parts_of_a_percentage_need_not_add_up(sam):
    share = factories.IndicatorFactory(code="3.3.a", unit="%", kind="percentage", baseline_value=54.0)
    factories.ObservationFactory(indicator=share, year=2025, value=57.6)
    factories.ObservationFactory(indicator=share, year=2025, value=51.8, breakdown="region=asia")

    response = post_observation(sam, share, year=2025, value=63.4, breakdown="region=europe")

    assert response.status_code == 201


def test_the_admin_refuses_regions_that_add_up_to_twice_the_total(client, sam, teachers):
    client.force_login(sam)
    data = form_data(teachers)
    data.update({"observations-TOTAL_FORMS": 3})
    for n, (region, value) in enumerate([("asia", 2783), ("europe", 3402)], start=1):
        data.update({f"observations-{n}-indicator": teachers.pk, f"observations-{n}-year": 2025,
                     f"observations-{n}-value": value, f"observations-{n}-breakdown": f"region={region}"})

    response = client.post(change_url(teachers), data)

    assert response.status_code == 200
    assert "The parts by region of 2025 add up to 6,185 teachers, more than the total of 3,093" in (
        response.content.decode())
    assert teachers.observations.count() == 1


def test_the_admin_takes_a_total_and_its_parts_changed_together(client, sam, teachers):
    factories.ObservationFactory(indicator=teachers, year=2025, value=1393.0, breakdown="region=asia")
    factories.ObservationFactory(indicator=teachers, year=2025, value=1700.0, breakdown="region=europe")
    client.force_login(sam)
    data = form_data(teachers)
    for n in range(3):
        observation = Observation.objects.get(pk=data[f"observations-{n}-id"])
        data[f"observations-{n}-value"] = {"": 4000, "region=asia": 2000, "region=europe": 2000}[observation.breakdown]

    response = client.post(change_url(teachers), data)

    assert response.status_code == 302
    assert sorted(teachers.observations.values_list("value", flat=True)) == [2000.0, 2000.0, 4000.0]


def test_the_observation_admin_refuses_a_part_beyond_the_total(client, sam, teachers):
    client.force_login(sam)

    response = client.post(reverse("admin:objectives_observation_add"), {
        "indicator": teachers.pk, "year": 2025, "value": 5000, "breakdown": "region=asia", "note": "",
    })

    assert response.status_code == 200
    assert "more than the total of 3,093" in response.content.decode()
    assert teachers.observations.count() == 1
