import pytest

from tests import factories


@pytest.fixture
def strategy_bits(db):
    """Two objectives, their priorities and an instrument: what an activity form offers to pick."""
    objective = factories.ObjectiveFactory(number=1, title="Enhancing connectivity")
    factories.PriorityFactory(objective=objective, number=1, code="1.1", title="Physical mobility")
    factories.PriorityFactory(objective=objective, number=2, code="1.2", title="Blended and virtual mobility")
    factories.ObjectiveFactory(number=4, title="Transparency and recognition")
    factories.InstrumentFactory(number=2, slug="policy-dialogue", name="Policy dialogue")
    return objective


@pytest.fixture
def carol(db):
    """Carol has an account but reports for no partner yet."""
    return factories.UserFactory(username="carol")


@pytest.fixture
def alice_draft(alice):
    return factories.ActivityFactory(
        title="Micro-credentials seminar", slug="micro-credentials-seminar", state="draft",
        lead_partner=alice.partner_memberships.get().partner, created_by=alice,
    )
