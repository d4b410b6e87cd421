"""Partners' values in the admin: an indicator shows how partners' values make its ASEM value, its observations
name their partner and coverage, a partner's value saved or deleted there makes the ASEM series afresh, and partners'
own targets have a page of their own."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from objectives import services
from objectives.models import Indicator, Observation, PartnerTarget
from tests import factories
from tests.objectives.test_indicator_admin import change_url, form_data


@pytest.fixture
def partners(db):
    return {code: factories.partner(code) for code in ("DE", "FR", "IT", "EU", "TH", "JP", "CN", "ASEAN")}


@pytest.fixture
def share(partners):
    """A share each partner reports; ASEM's value is their simple mean."""
    return factories.IndicatorFactory(code="3.3.p", aggregation="mean", kind=Indicator.Kind.PERCENTAGE, unit="%",
                                      baseline_year=2020, baseline_value=54, target_value=80)


def approve(indicator, partner, series):
    services.publish_partner_values(partner=partner, indicators=[indicator], years=list(series),
                                    values={(indicator.pk, year): value for year, value in series.items()})


def asem(indicator):
    return dict(indicator.observations.filter(partner=None, breakdown="").values_list("year", "value"))


def test_the_indicator_shows_how_partners_values_make_its_asem_value(client, secretariat, share, partners):
    approve(share, partners["DE"], {2023: 60.0})
    client.force_login(secretariat)

    page = client.get(change_url(share)).content.decode()

    assert "Reported by partners" in page
    assert '<option value="mean" selected>' in page
    assert 'name="count_at_least"' in page
    assert 'name="observations-0-partner"' in page
    assert re.search(r'<td class="field-coverage">\s*<p>1</p>', page)  # read-only


def test_the_indicator_list_shows_and_filters_by_aggregation(client, secretariat, share):
    client.force_login(secretariat)

    page = client.get(reverse("admin:objectives_indicator_changelist") + "?aggregation__exact=mean").content.decode()

    assert "3.3.p" in page
    assert '<td class="field-values_from">partners: mean</td>' in page


@pytest.mark.parametrize("role", ["anonymous", "alice", "bob", "secretariat"])
def test_only_the_secretariat_saves_a_partners_value_in_the_admin_and_asem_follows(
    client, request, share, partners, role
):
    approve(share, partners["TH"], {2023: 40.0})
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = client.post(change_url(share), form_data(share, (2023, 60.0, partners["DE"])))

    if role == "secretariat":
        assert response.status_code == 302, response.content.decode()[:3000]
        assert asem(share) == {2023: 50.0}
        assert share.observations.get(partner=None).coverage == 2
    else:  # signed out, or a focal point with no staff rights: the admin's sign-in page, and nothing written
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert not share.observations.filter(partner=partners["DE"]).exists()
        assert asem(share) == {2023: 40.0}


def test_a_partners_value_changed_or_deleted_in_the_inline_makes_asem_afresh(client, secretariat, share, partners):
    approve(share, partners["DE"], {2023: 60.0})
    approve(share, partners["TH"], {2023: 40.0})
    client.force_login(secretariat)
    data = form_data(share)
    rows = {data[f"observations-{n}-partner"]: n for n in range(data["observations-TOTAL_FORMS"])}
    data[f"observations-{rows[partners['DE'].pk]}-value"] = 70.0
    data[f"observations-{rows[partners['TH'].pk]}-DELETE"] = "on"

    response = client.post(change_url(share), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert asem(share) == {2023: 70.0}


def test_an_asem_level_indicator_takes_no_partners_value_in_the_admin(client, secretariat, partners):
    indicator = factories.IndicatorFactory(code="1.1.a")
    client.force_login(secretariat)

    response = client.post(change_url(indicator), form_data(indicator, (2023, 5.0, partners["DE"])))

    assert response.status_code == 200
    assert "1.1.a is measured for ASEM as a whole: partners do not report it" in response.content.decode()
    assert not indicator.observations.exists()


def test_the_asem_value_of_an_indicator_partners_report_is_not_entered_by_hand(client, secretariat, share):
    client.force_login(secretariat)

    response = client.post(change_url(share), form_data(share, (2023, 55.0)))

    assert response.status_code == 200
    assert "The ASEM value of 3.3.p is made from the partners&#x27; values" in response.content.decode()
    assert not share.observations.exists()


def test_a_partners_value_is_checked_as_in_a_return(client, secretariat, share, partners):
    client.force_login(secretariat)

    response = client.post(change_url(share), form_data(share, (2023, 120.0, partners["DE"])))

    assert response.status_code == 200
    assert "3.3.p is a percentage: give a value from 0 to 100." in response.content.decode()


def test_switching_an_indicator_to_a_count_of_partners_makes_asem_afresh(client, secretariat, share, partners):
    approve(share, partners["DE"], {2023: 60.0})
    approve(share, partners["TH"], {2023: 40.0})
    client.force_login(secretariat)

    response = client.post(change_url(share), {**form_data(share), "aggregation": "count", "count_at_least": 50})

    assert response.status_code == 302, response.content.decode()[:3000]
    assert asem(share) == {2023: 1.0}


def test_the_inline_takes_the_same_number_of_queries_however_many_partners_report(client, secretariat, share,
                                                                                   partners):
    client.force_login(secretariat)
    approve(share, partners["DE"], {2022: 50.0, 2023: 60.0})
    with CaptureQueriesContext(connection) as one:
        client.get(change_url(share))
    for partner in partners.values():
        approve(share, partner, {2022: 50.0, 2023: 60.0})

    with CaptureQueriesContext(connection) as eight:
        client.get(change_url(share))

    assert len(eight.captured_queries) == len(one.captured_queries)


# The observations' own admin ------------------------------------------------------------------------------------


def test_the_observation_list_shows_partner_and_coverage(client, secretariat, share, partners):
    approve(share, partners["DE"], {2023: 60.0})
    client.force_login(secretariat)

    page = client.get(reverse("admin:objectives_observation_changelist")).content.decode()

    assert '<td class="field-whose">DE</td>' in page
    assert '<td class="field-whose">ASEM, of 1 partner</td>' in page


def test_a_partners_value_added_and_deleted_in_the_observation_admin_makes_asem_afresh(
    client, secretariat, share, partners
):
    approve(share, partners["TH"], {2023: 40.0})
    client.force_login(secretariat)

    response = client.post(reverse("admin:objectives_observation_add"), {
        "indicator": share.pk, "partner": partners["DE"].pk, "year": 2023, "value": 60, "breakdown": "", "note": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert asem(share) == {2023: 50.0}

    germany = share.observations.get(partner=partners["DE"])
    response = client.post(reverse("admin:objectives_observation_delete", args=[germany.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert asem(share) == {2023: 40.0}


def test_deleting_several_partners_values_at_once_makes_asem_afresh(client, secretariat, share, partners):
    approve(share, partners["DE"], {2023: 60.0})
    approve(share, partners["TH"], {2023: 40.0})
    client.force_login(secretariat)

    client.post(reverse("admin:objectives_observation_changelist"), {
        "action": "delete_selected", "post": "yes",
        "_selected_action": list(share.observations.filter(partner=partners["DE"]).values_list("pk", flat=True)),
    })

    assert asem(share) == {2023: 40.0}


def test_the_observation_admin_refuses_a_partners_value_on_an_asem_level_indicator(client, secretariat, partners):
    indicator = factories.IndicatorFactory(code="1.1.a")
    client.force_login(secretariat)

    response = client.post(reverse("admin:objectives_observation_add"), {
        "indicator": indicator.pk, "partner": partners["DE"].pk, "year": 2023, "value": 6, "breakdown": "",
        "note": ""})

    assert response.status_code == 200
    assert "partners do not report it" in response.content.decode()
    assert not Observation.objects.exists()


# Partners' own targets ------------------------------------------------------------------------------------------


def test_the_secretariat_sets_a_partner_its_own_target(client, secretariat, share, partners):
    client.force_login(secretariat)

    response = client.post(reverse("admin:objectives_partnertarget_add"), {
        "indicator": share.pk, "partner": partners["TH"].pk, "target_year": 2030, "target_value": 60})

    assert response.status_code == 302, response.content.decode()[:3000]
    target = PartnerTarget.objects.get()
    assert (target.partner, target.target_value) == (partners["TH"], 60)
    assert target.history.get().history_user == secretariat


def test_no_partner_has_a_target_of_its_own_on_an_asem_level_indicator(client, secretariat, partners):
    indicator = factories.IndicatorFactory(code="1.1.a")
    client.force_login(secretariat)

    response = client.post(reverse("admin:objectives_partnertarget_add"), {
        "indicator": indicator.pk, "partner": partners["TH"].pk, "target_year": 2030, "target_value": 60})

    assert response.status_code == 200
    assert "so no partner has a target of its own on it" in response.content.decode()
    assert not PartnerTarget.objects.exists()
