"""Factories for the tests: partners come from the real list, the rest is made up."""

import datetime

import factory
from django.contrib.auth import get_user_model

from instruments.models import Instrument
from mobility.models import Activity, MobilityFlow, Organisation, Partner, PartnerMembership
from objectives.models import Indicator, Objective, Observation, Priority, Strategy

PARTNERS = {
    "DE": ("Germany", "europe"), "FR": ("France", "europe"), "IT": ("Italy", "europe"),
    "EU": ("European Union", "europe"), "TH": ("Thailand", "asia"), "JP": ("Japan", "asia"),
    "CN": ("China", "asia"), "ASEAN": ("ASEAN Secretariat", "asia"),
}


def partner(code: str) -> Partner:
    name, region = PARTNERS[code]
    kind = Partner.Kind.ORGANISATION if code in {"EU", "ASEAN"} else Partner.Kind.COUNTRY
    return Partner.objects.get_or_create(code=code, defaults={"name": name, "region": region, "kind": kind})[0]


PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


def focal_point(username: str, *partners: Partner):
    user = UserFactory(username=username)
    for p in partners:
        PartnerMembership.objects.get_or_create(user=user, partner=p)
    return user


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy
        django_get_or_create = ["slug"]

    slug = "asem-education-strategy-2030"
    title = "ASEM Education Strategy 2030"
    vision = "A test vision."
    mission = "A test mission."
    start_year = 2021
    end_year = 2030
    source_document = "Test document"


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective
        django_get_or_create = ["number"]

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda o: f"Objective {o.number}")


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority
        django_get_or_create = ["code"]

    objective = factory.SubFactory(ObjectiveFactory)
    number = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda p: f"{p.objective.number}.{p.number}")
    title = factory.LazyAttribute(lambda p: f"Priority {p.code}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    priority = factory.SubFactory(PriorityFactory)
    code = factory.Sequence(lambda n: f"9.9.i{n}")
    name = factory.LazyAttribute(lambda i: f"Indicator {i.code}")
    unit = "participants"
    baseline_year = 2020
    baseline_value = 100.0
    target_year = 2030
    target_value = 200.0


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2022
    value = 120.0


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument
        django_get_or_create = ["slug"]

    number = factory.Sequence(lambda n: n + 1)
    slug = factory.LazyAttribute(lambda i: f"instrument-{i.number}")
    name = factory.LazyAttribute(lambda i: f"Instrument {i.number}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    title = factory.Sequence(lambda n: f"Activity {n}")
    slug = factory.Sequence(lambda n: f"activity-{n}")
    summary = "A short summary."
    activity_type = Activity.Type.CONFERENCE
    status = Activity.Status.COMPLETED
    state = Activity.State.PUBLISHED
    start_date = datetime.date(2024, 5, 1)
    end_date = datetime.date(2024, 5, 2)
    start_year = 2024
    lead_partner = factory.LazyFunction(lambda: partner("DE"))


class MobilityFlowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MobilityFlow

    year = 2024
    origin = factory.LazyFunction(lambda: partner("TH"))
    destination = factory.LazyFunction(lambda: partner("DE"))
    mode = "physical"
    level = "higher_education"
    participants = 100
    female = 50
    fewer_opportunities = 10
    programme = factory.Sequence(lambda n: f"Programme {n}")
    # As the portal's own rows were: the host country reports who came to it.
    reported_by = factory.LazyAttribute(lambda flow: flow.destination)
