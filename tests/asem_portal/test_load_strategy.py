from pathlib import Path

import pytest
from django.core.management import call_command

from asem_portal.content import load_strategy
from instruments.models import Aim, Instrument
from mobility.models import Activity, Organisation, Partner
from objectives.models import Objective, Priority, Strategy

DOCUMENT = (Path(__file__).resolve().parents[2] / "asem_portal" / "data" / "asem-education-strategy-2030.txt")


@pytest.fixture
def loaded(db):
    call_command("load_strategy", verbosity=0)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Strategy, Objective, Priority, Instrument, Aim, Partner, Organisation, Activity)
    }


def test_it_loads_the_strategy_with_its_objectives_priorities_instruments_and_partners(loaded):
    assert counts() == {
        "Strategy": 1, "Objective": 4, "Priority": 10, "Instrument": 6, "Aim": 18, "Partner": 53,
        "Organisation": 10, "Activity": 20,
    }
    assert [o.priorities.count() for o in Objective.objects.order_by("number")] == [2, 2, 4, 2]
    assert [i.aims.count() for i in Instrument.objects.order_by("number")] == [2, 3, 3, 3, 3, 4]


def test_it_puts_31_partners_on_the_european_side_and_22_on_the_asian_side(loaded):
    assert Partner.objects.filter(region="europe").count() == 31
    assert Partner.objects.filter(region="asia").count() == 22
    assert Partner.objects.get(code="EU").region == "europe"
    assert Partner.objects.get(code="ASEAN").region == "asia"
    assert set(Partner.objects.filter(code__in=["AU", "NZ", "RU"]).values_list("region", flat=True)) == {"asia"}


def test_it_takes_the_words_verbatim_from_the_document(loaded):
    text = DOCUMENT.read_text(encoding="utf-8").replace("**", "")
    strategy = Strategy.objects.get()
    assert strategy.vision.startswith("By 2030, the ASEM Education Process (AEP) will contribute")
    assert strategy.vision in text
    assert strategy.mission in text
    assert Objective.objects.get(number=1).title == (
        "Enhancing connectivity between Asia and Europe by boosting mobility and exchanges"
    )
    assert Objective.objects.get(number=4).title == (
        "Creating more Transparency and Mutual Understanding on Recognition, Validation and Quality Assurance"
    )
    assert Priority.objects.get(code="1.1").title == "To promote physical mobility between Europe and Asia"
    assert Priority.objects.get(code="1.1").description == "balanced and inclusive"
    assert Priority.objects.get(code="3.3").title == "Digital Skills"
    for title in [*Objective.objects.values_list("title", flat=True), *Priority.objects.values_list("title", flat=True),
                  *Instrument.objects.values_list("name", flat=True), *Aim.objects.values_list("text", flat=True)]:
        assert title in text
    assert list(Instrument.objects.values_list("slug", flat=True)) == [
        "people-to-people", "policy-dialogue", "knowledge-exchange", "collaborative-research",
        "multilateral-synergies", "visibility-communication",
    ]
    assert Instrument.objects.get(slug="visibility-communication").name == "Visibility & Communication"


def test_it_loads_the_nine_ministers_meetings_as_published_real_activities(loaded):
    meetings = Activity.objects.filter(activity_type=Activity.Type.MINISTERIAL_MEETING).order_by("start_date")
    assert meetings.count() == 9
    assert {m.state for m in meetings} == {Activity.State.PUBLISHED}
    assert not meetings.filter(is_demo=True).exists()
    first, last = meetings.first(), meetings.last()
    assert first.title == "1st ASEM Education Ministers' Meeting (ASEMME1)"
    assert (first.lead_partner.code, first.place) == ("DE", "Berlin, Germany")
    assert last.slug == "asemme9"
    assert last.place == "Floriana, Malta"
    assert meetings.get(slug="asemme8").online is True
    assert all(m.source_url.startswith("http") for m in meetings)
    assert set(meetings[0].instruments.values_list("slug", flat=True)) == {"policy-dialogue"}


def test_it_loads_the_flagship_initiatives_with_their_objectives_instruments_and_sources(loaded):
    initiatives = Activity.objects.exclude(activity_type=Activity.Type.MINISTERIAL_MEETING)
    assert initiatives.count() == 11
    assert not initiatives.filter(is_demo=True).exists()
    assert not initiatives.exclude(state=Activity.State.PUBLISHED).exists()
    wpp = initiatives.get(title="ASEM Work Placement Programme")
    assert sorted(wpp.objectives.values_list("number", flat=True)) == [1, 3]
    assert list(wpp.instruments.values_list("slug", flat=True)) == ["people-to-people"]
    assert wpp.source_url == "https://asemwpp.org/about/work-placement-programme"
    assert wpp.start_year == 2015


def test_it_loads_the_main_stakeholder_organisations(loaded):
    acronyms = set(Organisation.objects.values_list("acronym", flat=True))
    assert {"ASEF", "ASEM LLL Hub", "SEAMEO RIHED", "EUA", "ESU", "ESN", "EQAR", "ENQA", "AUN"} <= acronyms
    assert not Organisation.objects.filter(is_demo=True).exists()


def test_a_second_run_changes_nothing(loaded):
    before = counts()
    history_before = Activity.history.count()
    report = load_strategy()
    assert (report.created, report.updated) == (0, 0)
    assert counts() == before
    assert Activity.history.count() == history_before


def test_a_second_run_puts_back_what_was_edited(loaded):
    Objective.objects.filter(number=2).update(title="Changed by hand")
    report = load_strategy()
    assert report.updated == 1
    assert Objective.objects.get(number=2).title == "Promoting Lifelong Learning including TVET"
