import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mobility.models import Activity, MobilityFlow, Partner
from tests import factories


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


@pytest.fixture
def flow(db):
    return factories.MobilityFlowFactory.build(origin=factories.partner("TH"), destination=factories.partner("DE"))


def test_a_partner_code_must_be_iso_or_eu_or_asean(db):
    assert "ISO 3166" in errors_of(Partner(code="de", name="x", region="europe"))["code"][0]
    Partner(code="ASEAN", name="ASEAN Secretariat", region="asia").full_clean()


def test_a_partner_code_is_unique(db):
    factories.partner("DE")
    assert "already exists" in errors_of(Partner(code="DE", name="Other", region="europe"))["code"][0]


def test_a_partner_region_is_asia_or_europe(db):
    assert "region" in errors_of(Partner(code="XX", name="Nowhere", region="africa"))


def test_a_flow_cannot_go_from_a_partner_to_itself(flow):
    flow.destination = flow.origin
    assert errors_of(flow)["destination"] == ["The origin and the destination must be different partners."]


def test_female_participants_cannot_outnumber_all(flow):
    flow.female = flow.participants + 1
    assert errors_of(flow)["female"] == ["Female participants cannot outnumber all participants."]


def test_fewer_opportunities_cannot_outnumber_all(flow):
    flow.fewer_opportunities = flow.participants + 1
    assert "fewer_opportunities" in errors_of(flow)


def test_counts_cannot_be_negative(flow):
    flow.participants = -3
    assert "greater than or equal to 0" in errors_of(flow)["participants"][0]


def test_a_flow_year_must_be_sane(flow):
    flow.year = 3000
    assert "2100" in errors_of(flow)["year"][0]


def test_one_flow_per_reporter_year_route_mode_level_and_programme(flow):
    flow.save()
    twin = MobilityFlow(year=flow.year, origin=flow.origin, destination=flow.destination, mode=flow.mode,
                        level=flow.level, programme=flow.programme, participants=1, reported_by=flow.reported_by)
    assert errors_of(twin)["__all__"] == [
        "This partner already reported a flow for this year, origin, destination, mode, level and programme."]


def test_the_other_end_may_report_the_same_route(flow):
    flow.save()
    other_end = MobilityFlow(year=flow.year, origin=flow.origin, destination=flow.destination, mode=flow.mode,
                             level=flow.level, programme=flow.programme, participants=1, reported_by=flow.origin)
    other_end.full_clean()


def test_a_flow_is_reported_by_one_of_its_ends(flow):
    flow.reported_by = factories.partner("JP")
    assert errors_of(flow)["reported_by"] == ["A flow is reported by its origin or its destination."]


def test_the_database_refuses_a_flow_to_itself_and_too_many_women(flow):
    flow.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        MobilityFlow.objects.filter(pk=flow.pk).update(destination=flow.origin)
    with pytest.raises(IntegrityError), transaction.atomic():
        MobilityFlow.objects.filter(pk=flow.pk).update(female=flow.participants + 1)


def test_an_activity_cannot_end_before_it_starts(db):
    activity = factories.ActivityFactory.build(start_date=datetime.date(2024, 5, 2), end_date=datetime.date(2024, 5, 1))
    assert errors_of(activity)["end_date"] == ["The end date cannot be before the start date."]


def test_the_database_refuses_an_activity_ending_before_it_starts(db):
    activity = factories.ActivityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(end_date=datetime.date(2000, 1, 1))


def test_an_activity_slug_is_unique(db):
    factories.ActivityFactory(slug="same")
    assert "already exists" in errors_of(factories.ActivityFactory.build(slug="same"))["slug"][0]


def test_an_activity_cannot_have_negative_participants(db):
    activity = factories.ActivityFactory.build(participants_asia=-1)
    assert "participants_asia" in errors_of(activity)
