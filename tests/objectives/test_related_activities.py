"""The activities an objective's or an instrument's page lists reach it through a slot mobility fills at start-up."""

from core.related import RelatedItems
from instruments.registry import related_activities as instrument_activities
from objectives.registry import related_activities as objective_activities
from tests import factories


def test_a_slot_nobody_filled_relates_nothing():
    slot = RelatedItems()

    assert slot.counts() == {}
    assert slot.first(object(), limit=10) == ([], 0)


def test_mobility_fills_the_objectives_and_the_instruments_slots_with_published_activities(db):
    objective = factories.ObjectiveFactory(number=1)
    instrument = factories.InstrumentFactory(slug="policy-dialogue")
    published = factories.ActivityFactory(title="Published")
    draft = factories.ActivityFactory(title="Draft", state="draft")
    for activity in (published, draft):
        activity.objectives.set([objective])
        activity.instruments.set([instrument])

    assert objective_activities.counts() == {1: (1, 0)}
    assert objective_activities.first(objective, limit=10) == ([published], 1)
    assert instrument_activities.counts() == {"policy-dialogue": (1, 0)}
    assert instrument_activities.first(instrument, limit=0) == ([], 1)
