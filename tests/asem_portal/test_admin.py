import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from instruments.models import Aim, Instrument
from mobility.models import Activity, MobilityFlow, Organisation, Partner, PartnerMembership
from objectives.models import Indicator, Objective, Observation, Priority, Strategy
from tests import factories

MODELS = [Strategy, Objective, Priority, Indicator, Observation, Instrument, Aim, Partner, Organisation,
          PartnerMembership, Activity, MobilityFlow]

# Each list page: the session, the user, the user's permissions (groups), then the
# page's own queries (total count, filtered count, the rows with their related
# rows joined, plus a fixed number for the filter sidebar). Pinned at two sizes. The indicators' list adds one:
# the headline observations of the indicators shown, for their status column.
LIST_QUERIES = {
    "strategy": 7, "objective": 7, "priority": 8, "indicator": 9, "observation": 8, "instrument": 7, "aim": 8,
    "partner": 7, "organisation": 7, "partnermembership": 7, "activity": 11, "mobilityflow": 7,
}


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def content(strategy, alice):
    indicator = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.a")
    factories.ObservationFactory(indicator=indicator)
    factories.MobilityFlowFactory()
    return indicator


def grow():
    """Add more rows of every kind, so the query counts can be compared at two sizes."""
    indicator = Indicator.objects.first()
    for n in range(5):
        other = factories.IndicatorFactory(priority=indicator.priority, code=f"1.1.x{n}")
        factories.ObservationFactory(indicator=other, year=2021 + n)
        factories.MobilityFlowFactory(year=2015 + n)
        factories.ActivityFactory()
        factories.OrganisationFactory()
        PartnerMembership.objects.create(user=factories.UserFactory(), partner=Partner.objects.get(code="FR"))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_the_secretariat_can_open_every_list_add_and_change_page(client, secretariat, content, model):
    client.force_login(secretariat)
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "add")).status_code == 200
    obj = model.objects.first()
    response = client.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert escape(str(obj)) in response.content.decode()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_list_pages_issue_a_fixed_number_of_queries(client, secretariat, content, model,
                                                    django_assert_num_queries):
    client.force_login(secretariat)
    expected = LIST_QUERIES[model._meta.model_name]
    with django_assert_num_queries(expected):
        client.get(url(model, "changelist"))
    grow()
    with django_assert_num_queries(expected):
        assert client.get(url(model, "changelist")).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, content):
    response = client.get(url(Activity, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_focal_point_without_staff_rights_cannot_get_in(client, alice, content):
    client.force_login(alice)
    response = client.get(url(Activity, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_secretariat_group_can_edit_the_portal_but_not_groups(db):
    group = Group.objects.get(name="Secretariat")
    perms = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("mobility", "change_activity") in perms
    assert ("objectives", "add_observation") in perms
    assert ("authtoken", "add_token") in perms
    assert ("auth", "change_group") not in perms


def test_the_secretariat_can_revert_an_activity_from_its_history(client, secretariat, content):
    activity = factories.ActivityFactory(title="First title")
    client.force_login(secretariat)
    activity.title = "Second title"
    activity.save()
    first = activity.history.earliest()
    history_url = reverse("admin:mobility_activity_history", args=[activity.pk])
    page = client.get(history_url).content.decode()
    assert "Second title" in page or "First title" in page
    revert_url = reverse("admin:mobility_activity_simple_history", args=[activity.pk, first.history_id])
    form = client.get(revert_url)
    assert form.status_code == 200
    data = {key: value for key, value in form.context["adminform"].form.initial.items() if value is not None}
    data.update({"objectives": [], "priorities": [], "instruments": [], "partners": [], "organisations": []})
    data["lead_partner"] = activity.lead_partner_id
    response = client.post(revert_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    activity.refresh_from_db()
    assert activity.title == "First title"


def test_the_secretariat_sees_the_history_of_indicators_observations_and_flows(client, secretariat, content):
    client.force_login(secretariat)
    for model in (Indicator, Observation, MobilityFlow):
        obj = model.objects.first()
        response = client.get(url(model, "history", obj.pk))
        assert response.status_code == 200
        assert "Created" in response.content.decode() or "Added" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_group_survives_a_flush_between_transactional_tests():
    call_command("flush", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    assert Group.objects.filter(name="Secretariat").exists()
    assert Group.objects.get(name="Secretariat").permissions.filter(codename="change_activity").exists()


def test_observations_read_as_the_indicators_code_year_breakdown_and_value_at_its_precision(
        client, secretariat, content):
    content.kind = Indicator.Kind.COUNT
    content.save()
    count = factories.ObservationFactory(indicator=content, year=2019, value=34153.0)
    share = factories.ObservationFactory(
        indicator=factories.IndicatorFactory(priority=content.priority, code="1.1.p", kind=Indicator.Kind.PERCENTAGE),
        year=2020, breakdown="region=asia", value=12.345)
    client.force_login(secretariat)

    assert str(count) == "1.1.a 2019: 34,153"
    assert str(share) == "1.1.p 2020 [region=asia]: 12.3"
    assert "1.1.a 2019: 34,153" in client.get(url(Indicator, "change", content.pk)).content.decode()
    listed = client.get(url(Observation, "changelist")).content.decode()
    assert '<td class="field-value_shown">34,153</td>' in listed
    assert "34153.0" not in listed and "12.345" not in listed


def test_the_flow_list_names_its_region_filters_by_origin_and_destination(client, secretariat, content):
    client.force_login(secretariat)

    page = client.get(url(MobilityFlow, "changelist")).content.decode()

    assert "By region of origin" in page and "By region of destination" in page
    assert "By region\n" not in page and "By region </" not in page


def test_admin_dates_read_as_the_site_writes_them(client, secretariat, content):
    factories.ActivityFactory(title="Summer school", start_date="2024-05-01")
    client.force_login(secretariat)

    page = client.get(url(Activity, "changelist")).content.decode()

    assert '<td class="field-start_date nowrap">1 May 2024</td>' in page
    assert "May 1, 2024" not in page


def test_the_indicator_list_shows_each_indicators_status(client, secretariat, content):
    factories.IndicatorFactory(priority=content.priority, code="1.1.b", status_override="achieved",
                               override_reason="Met in 2024, as the ministers agreed.")
    client.force_login(secretariat)

    page = client.get(url(Indicator, "changelist")).content.decode()

    assert '<th scope="col" class="column-status">' in page
    assert '<td class="field-status">Achieved (set by hand)</td>' in page
    assert '<td class="field-status">Insufficient data</td>' in page or '<td class="field-status">On track</td>' in page
