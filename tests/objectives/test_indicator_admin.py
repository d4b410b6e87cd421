"""The indicator's admin page: its current status with the figures behind it, and refreshing computed ones."""

import pytest
from django.urls import reverse

from objectives.models import Indicator, Observation
from objectives.selectors import progress_overview
from tests import factories


@pytest.fixture
def sam(db):
    """Sam runs the secretariat's admin (a superuser, so the test needs no group from a migration)."""
    return factories.UserFactory(username="sam", is_staff=True, is_superuser=True)


@pytest.fixture
def indicator(db):
    """100 in 2020 aiming at 200 in 2030; 90 in 2023 is a deterioration."""
    made = factories.IndicatorFactory(code="1.1.a", name="Participants moving from Asia to Europe")
    factories.ObservationFactory(indicator=made, year=2023, value=90.0)
    return made


def change_url(indicator):
    return reverse("admin:objectives_indicator_change", args=[indicator.pk])


def form_data(indicator, *new_observations):
    """What the change form posts back unchanged, plus new (year, value) or (year, value, partner) observations in the
    inline."""
    fields = ["priority", "code", "name", "description", "unit", "kind", "direction", "weight", "baseline_year",
              "baseline_value", "target_year", "target_value", "source", "metric", "data_source", "methodology",
              "status_override", "override_reason", "aggregation", "count_at_least"]
    data = {name: getattr(indicator, name) for name in fields}
    data["priority"] = indicator.priority_id
    data["target_value"] = "" if indicator.target_value is None else indicator.target_value
    existing = list(indicator.observations.all())
    data.update({
        "observations-TOTAL_FORMS": len(existing) + len(new_observations),
        "observations-INITIAL_FORMS": len(existing), "observations-MIN_NUM_FORMS": 0,
        "observations-MAX_NUM_FORMS": 1000,
    })
    for n, observation in enumerate(existing):
        data.update({f"observations-{n}-id": observation.pk, f"observations-{n}-indicator": indicator.pk,
                     f"observations-{n}-year": observation.year, f"observations-{n}-value": observation.value,
                     f"observations-{n}-breakdown": observation.breakdown,
                     f"observations-{n}-partner": observation.partner_id or "",
                     f"observations-{n}-note": observation.note,
                     f"observations-{n}-is_computed": "on" if observation.is_computed else ""})
    for n, (year, value, *partner) in enumerate(new_observations, start=len(existing)):
        data.update({f"observations-{n}-indicator": indicator.pk, f"observations-{n}-year": year,
                     f"observations-{n}-value": value, f"observations-{n}-breakdown": "",
                     f"observations-{n}-partner": partner[0].pk if partner else ""})
    return data


def test_the_change_page_shows_the_status_and_the_figures_behind_it(client, sam, indicator):
    client.force_login(sam)

    page = client.get(change_url(indicator)).content.decode()

    assert "Current status" in page
    assert "Deterioration" in page
    assert "100 (2020)" in page  # baseline
    assert "90 (2023)" in page  # latest
    assert "200 (2030)" in page  # target
    assert "-3.451 %" in page  # 0.9 ** (1/3) - 1
    assert "+7.177 %" in page  # 2 ** (1/10) - 1
    assert "-0.481" in page  # the ratio
    assert "cagr" in page


def test_an_override_shows_as_set_by_hand_with_its_reason(client, sam, indicator):
    indicator.status_override = "limited"
    indicator.override_reason = "The 2023 survey changed its sample."
    indicator.save()
    client.force_login(sam)

    page = client.get(change_url(indicator)).content.decode()

    assert "Limited progress (set by hand)" in page
    assert "The 2023 survey changed its sample." in page


@pytest.mark.django_db(transaction=True)
def test_adding_an_observation_in_the_admin_changes_the_status_on_the_next_request(client, sam, indicator):
    client.force_login(sam)
    assert progress_overview().indicators[0].result.status == "deterioration"  # now cached

    response = client.post(change_url(indicator), form_data(indicator, (2025, 210.0)))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Observation.objects.filter(indicator=indicator, year=2025, value=210.0).exists()
    assert "Achieved" in client.get(change_url(indicator)).content.decode()
    assert progress_overview().indicators[0].result.status == "achieved"


def test_the_metric_is_chosen_from_the_registered_ones(client, sam, indicator):
    client.force_login(sam)

    page = client.get(change_url(indicator)).content.decode()

    assert '<option value="mobility.balance_ratio">' in page
    assert '<option value="activities.instrument.policy-dialogue">' in page


def test_a_metric_no_app_registers_is_refused(client, sam, indicator):
    client.force_login(sam)
    data = {**form_data(indicator), "source": "computed", "metric": "mobility.made_up"}

    response = client.post(change_url(indicator), data)

    assert response.status_code == 200
    assert "Select a valid choice. mobility.made_up is not one of the available choices." in response.content.decode()


def test_the_action_refreshes_the_selected_computed_indicators(client, sam, db):
    factories.MobilityFlowFactory(year=2024, participants=300)
    computed = factories.IndicatorFactory(source=Indicator.Source.COMPUTED, metric="mobility.asia_to_europe")
    client.force_login(sam)

    response = client.post(
        reverse("admin:objectives_indicator_changelist"),
        {"action": "refresh_computed", "_selected_action": [computed.pk]}, follow=True,
    )

    assert "1 computed indicators: 1 observations created" in response.content.decode()
    assert computed.observations.get(year=2024).is_computed


def test_the_action_says_when_nothing_selected_is_computed(client, sam, indicator):
    client.force_login(sam)

    response = client.post(
        reverse("admin:objectives_indicator_changelist"),
        {"action": "refresh_computed", "_selected_action": [indicator.pk]}, follow=True,
    )

    assert "None of the selected indicators is computed." in response.content.decode()


def test_a_stored_metric_no_app_registers_any_more_is_shown_and_must_be_changed(client, sam, indicator):
    Indicator.objects.filter(pk=indicator.pk).update(source="computed", metric="mobility.retired")
    indicator.refresh_from_db()
    client.force_login(sam)

    page = client.get(change_url(indicator)).content.decode()
    response = client.post(change_url(indicator), form_data(indicator))

    assert "mobility.retired (registered by no app)" in page
    assert "No app registers the metric mobility.retired." in response.content.decode()
