"""A return's life through its services: who may save, submit, return and approve it; what is refused, and that a
refusal writes nothing; two focal points saving at once; every version kept and revertable."""

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection

from asem_portal.official_statistics import OECD_SOURCE
from mobility.models import MobilityFlow
from objectives.models import Observation
from partners.models import Partner
from reporting import selectors, services
from reporting.models import Answer, Return, ReturnFlow, ReturnValue, ReturnVersion
from tests import factories
from tests.services import need_postgres

ANONYMOUS = AnonymousUser()


def round_observations():
    """Observations but the OECD's students figures, which load_strategy ships with the host partners' own values."""
    return Observation.objects.exclude(source=OECD_SOURCE)


def content(report: Return) -> dict:
    """What a return holds, to compare before and after a refusal."""
    report.refresh_from_db()
    return {"state": report.state, "version": report.version, **services.contents([report])[report.pk],
            "versions": report.versions.count()}


def flow(**fields) -> dict:
    return {"year": 2025, "origin": "TH", "destination": "DE", "mode": "physical", "level": "higher_education",
            "participants": 120, "female": 70, "fewer_opportunities": 8, **fields}


def save(report, user, **kwargs):
    return services.save_return(report=report, user=user, version=report.version, **kwargs)


def submitted(report, user):
    save(report, user, answers={1: "A new national strategy for lifelong learning."})
    return services.submit_return(report=report, user=user, version=report.version)


# Saving: who may --------------------------------------------------------------------------------------------------


def test_alice_saves_germanys_values_answers_and_flows(de_return, alice):
    services.save_return(report=de_return, user=alice, version=0, values={("2.2.p", 2025): 12, ("3.3.p", 2025): "81.5"},
                         answers={1: "  Digital skills for every adult.  "}, flows=[flow()])

    assert de_return.version == 1
    assert de_return.updated_by == alice
    assert services.contents([de_return])[de_return.pk] == {
        "values": {"2.2.p/2025": 12.0, "3.3.p/2025": 81.5},
        "answers": {"1": "Digital skills for every adult."},
        "flows": [{"year": 2025, "origin": "TH", "destination": "DE", "mode": "physical",
                   "level": "higher_education", "programme": "", "participants": 120, "female": 70,
                   "fewer_opportunities": 8, "source": ""}],
    }
    assert not round_observations().filter(partner__code="DE").exists(), "a draft is not public"
    assert not MobilityFlow.objects.exists()


def test_only_the_keys_given_change_and_none_takes_a_value_out(de_return, alice):
    save(de_return, alice, values={("2.2.p", 2024): 10, ("2.2.p", 2025): 12})
    save(de_return, alice, values={("2.2.p", 2024): None, ("2.2.p", 2026): "14"})

    assert services.contents([de_return])[de_return.pk]["values"] == {"2.2.p/2025": 12.0, "2.2.p/2026": 14.0}


def test_the_secretariat_saves_any_partners_return(de_return, secretariat):
    save(de_return, secretariat, values={("2.2.p", 2025): 12})

    assert de_return.values.get().value == 12


@pytest.mark.parametrize("who", ["anonymous", "bob"])
def test_nobody_else_saves_germanys_return_and_nothing_is_written(de_return, bob, who):
    user = {"anonymous": ANONYMOUS, "bob": bob}[who]
    before = content(de_return)

    with pytest.raises(PermissionDenied, match="Only Germany's focal points and the secretariat may change"):
        save(de_return, user, values={("2.2.p", 2025): 12})

    assert content(de_return) == before


def test_can_edit_return_is_for_the_partners_focal_points_and_the_secretariat_while_it_is_editable(
        de_return, alice, bob, secretariat):
    assert services.can_edit_return(alice, de_return)
    assert services.can_edit_return(secretariat, de_return)
    assert not services.can_edit_return(bob, de_return)
    assert not services.can_edit_return(ANONYMOUS, de_return)
    submitted(de_return, alice)
    assert not services.can_edit_return(alice, de_return)
    assert not services.can_edit_return(secretariat, de_return)


# Saving: what is refused, naming the cell, writing nothing ---------------------------------------------------


@pytest.mark.parametrize(("values", "key", "message"), [
    ({("1.1.a", 2025): 5}, "1.1.a/2025/indicator",
     "1.1.a is not asked in this round: it asks for 2.1.p, 2.2.p, 3.3.p."),
    ({("2.2.p", 2023): 5}, "2.2.p/2023/year", "The round covers 2024 to 2026: 2023 is outside it."),
    ({("2.2.p", 2025): "a dozen"}, "2.2.p/2025", "“a dozen” is not a number: give 2.2.p for 2025 as a number."),
    ({("3.3.p", 2025): 100.5}, "3.3.p/2025", "3.3.p is a percentage: give a value from 0 to 100."),
    ({("2.2.p", 2025): -3}, "2.2.p/2025", "2.2.p is a count of programmes: it cannot be below 0."),
    ({("2.2.p", 2025): 2.5}, "2.2.p/2025", "2.2.p is a count of programmes: give a whole number."),
    ({("2.2.p", 2025): float("nan")}, "2.2.p/2025", "2.2.p for 2025 needs a number."),
])
def test_a_bad_value_is_refused_naming_its_cell_and_nothing_is_written(de_return, alice, values, key, message):
    before = content(de_return)
    good = {("2.1.p", 2025): 1}

    with pytest.raises(services.ReturnInvalid) as refused:
        save(de_return, alice, values={**good, **values}, answers={2: "Shared with ASEF."})

    assert message in refused.value.errors[key]
    assert list(refused.value.errors) == [key]
    assert content(de_return) == before


def test_every_bad_value_answer_and_flow_cell_is_named_at_once(de_return, alice):
    with pytest.raises(services.ReturnInvalid) as refused:
        save(de_return, alice, values={("2.2.p", 2025): "x", ("3.3.p", 2025): 140}, answers={9: "Nine"},
             flows=[flow(), flow(participants="many"), flow(female=500), flow(year=2020, mode="by boat")])

    assert set(refused.value.errors) == {
        "2.2.p/2025", "3.3.p/2025", "answer/9", "flow/1/participants", "flow/2/female", "flow/3/year",
        "flow/3/mode",
    }
    assert refused.value.errors["answer/9"] == ["The round has no question 9: its questions are numbered 1, 2."]
    assert refused.value.errors["flow/1/participants"] == ["“many” is not a number: give a whole number of people."]
    assert refused.value.errors["flow/2/female"] == ["Female participants cannot outnumber all participants."]
    assert refused.value.errors["flow/3/year"] == ["The round covers 2024 to 2026: 2020 is outside it."]
    assert refused.value.message_dict == refused.value.errors
    assert not ReturnFlow.objects.exists() and not Answer.objects.exists() and not ReturnValue.objects.exists()


@pytest.mark.parametrize(("row", "key", "message"), [
    (flow(destination="FR"), "flow/0/origin", "Germany reports only flows that start or end in Germany."),
    (flow(origin="XX"), "flow/0/origin", "“XX” is not an ASEM partner's code."),
    (flow(origin="DE"), "flow/0/destination", "The origin and the destination must be different partners."),
    (flow(participants=-1), "flow/0/participants", "A count cannot be below 0."),
    (flow(participants=12.5, female=None), "flow/0/participants", "12.5 is not a whole number: give a whole number "
                                                                  "of people."),
    (flow(level=""), "flow/0/level", "This field cannot be blank."),
    (flow(colour="blue"), "flow/0/__all__", "A flow has no colour."),
])
def test_a_bad_flow_is_refused_naming_its_row_and_field(de_return, alice, row, key, message):
    with pytest.raises(services.ReturnInvalid) as refused:
        save(de_return, alice, flows=[row])

    assert message in refused.value.errors[key]
    assert not ReturnFlow.objects.exists()
    assert de_return.version == 0


def test_a_flow_given_twice_is_refused_on_the_second(de_return, alice):
    with pytest.raises(services.ReturnInvalid) as refused:
        save(de_return, alice, flows=[flow(), flow(participants=300)])

    assert refused.value.errors == {"flow/1/__all__": [
        "This flow repeats flow 1: a year, origin, destination, mode, level and programme are reported once."]}


def test_flows_given_as_partners_or_codes_replace_the_returns_flows_whole(de_return, alice):
    save(de_return, alice, flows=[flow(), flow(level="tvet")])
    save(de_return, alice, flows=[flow(origin=Partner.objects.get(code="FR"), participants="400")])

    [only] = de_return.flows.all()
    assert (only.origin.code, only.participants) == ("FR", 400)


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_a_return_is_not_edited_while_submitted_or_approved(de_return, alice, secretariat, state):
    Return.objects.filter(pk=de_return.pk).update(state=state)
    before = content(de_return)

    for user in (alice, secretariat):
        with pytest.raises(services.ReturnInvalid) as refused:
            save(de_return, user, values={("2.2.p", 2025): 12})
        assert refused.value.errors["state"][0].startswith(f"This return is {state}: it cannot be changed")

    assert content(de_return) == before


def test_a_return_is_not_edited_once_its_round_is_closed(de_return, alice, secretariat):
    services.close_round(round=de_return.round, user=secretariat)

    with pytest.raises(services.ReturnInvalid) as refused:
        save(de_return, alice, values={("2.2.p", 2025): 12})

    assert refused.value.errors == {"state": ["The round is closed: its returns can no longer be changed."]}


# Two focal points at once ------------------------------------------------------------------------------------------


def test_the_second_of_two_saves_from_one_version_is_refused_with_what_changed(de_return, alice):
    anna = factories.focal_point("anna", de_return.partner)
    anna.first_name, anna.last_name = "Anna", "Schmidt"
    anna.save()
    opened_by_alice = Return.objects.get(pk=de_return.pk)
    opened_by_anna = Return.objects.get(pk=de_return.pk)

    services.save_return(report=opened_by_anna, user=anna, version=0, values={("2.2.p", 2025): 12},
                         answers={1: "A new strategy."})
    with pytest.raises(services.ReturnConflict) as refused:
        services.save_return(report=opened_by_alice, user=alice, version=0, values={("2.2.p", 2025): 15},
                             flows=[flow()])

    changes = refused.value.changes
    assert changes[0].startswith("Anna Schmidt saved version 1 on ")
    assert "2.2.p TVET programmes co-designed with industry, 2025: – → 12." in changes
    assert "Answer 1: What were the highlights?: answered." in changes
    assert changes[-1] == "Open the return again to see it as it is now, then make your change."
    de_return.refresh_from_db()
    assert de_return.version == 1
    assert services.contents([de_return])[de_return.pk]["values"] == {"2.2.p/2025": 12.0}
    assert not de_return.flows.exists()


def test_two_saves_at_the_same_moment_on_postgresql_one_is_written_and_the_other_told(transactional_db, open_round,
                                                                                     alice):
    need_postgres()
    report = Return.objects.get(round=open_round, partner__code="DE")
    services.can_edit_return(alice, report)  # her partners are read once, before the two requests share her
    both_read = threading.Barrier(2, timeout=10)
    outcomes = {}

    def save_from_version_0(value):
        try:
            opened = Return.objects.select_related("round", "partner").get(pk=report.pk)
            both_read.wait()
            services.save_return(report=opened, user=alice, version=0, values={("2.2.p", 2025): value})
            outcomes[value] = "saved"
        except services.ReturnConflict as conflict:
            outcomes[value] = conflict.changes
        finally:
            connection.close()

    saves = [threading.Thread(target=save_from_version_0, args=(value,)) for value in (12, 15)]
    for thread in saves:
        thread.start()
    for thread in saves:
        thread.join()

    [written] = [value for value, outcome in outcomes.items() if outcome == "saved"]
    [told] = [outcome for outcome in outcomes.values() if outcome != "saved"]
    assert f"2.2.p TVET programmes co-designed with industry, 2025: – → {written}." in told
    report.refresh_from_db()
    assert report.version == 1
    assert services.contents([report])[report.pk]["values"] == {"2.2.p/2025": float(written)}


def test_a_save_without_the_version_it_was_made_on_is_refused(de_return, alice):
    with pytest.raises(services.ReturnInvalid) as refused:
        services.save_return(report=de_return, user=alice, version="", values={("2.2.p", 2025): 12})

    assert list(refused.value.errors) == ["version"]
    assert not de_return.values.exists()


# Versions and revert -----------------------------------------------------------------------------------------------


def test_every_save_keeps_a_version_and_revert_restores_one_as_a_new_version(de_return, alice):
    save(de_return, alice, values={("2.2.p", 2025): 12}, answers={1: "First"}, flows=[flow()])
    save(de_return, alice, values={("2.2.p", 2025): None, ("3.3.p", 2024): 50}, answers={1: "", 2: "Second"},
         flows=[])

    services.revert_return(report=de_return, user=alice, number=1)

    assert de_return.version == 3
    assert services.contents([de_return])[de_return.pk] == ReturnVersion.objects.get(report=de_return,
                                                                                       number=1).content
    latest = de_return.versions.first()
    assert (latest.number, latest.reason, latest.saved_by) == (3, "Reverted to version 1", alice)


def test_revert_is_refused_for_another_partner_and_for_a_version_that_does_not_exist(de_return, alice, bob):
    save(de_return, alice, values={("2.2.p", 2025): 12})

    with pytest.raises(PermissionDenied):
        services.revert_return(report=de_return, user=bob, number=1)
    with pytest.raises(services.ReturnInvalid, match="The return has no version 7"):
        services.revert_return(report=de_return, user=alice, number=7)
    assert de_return.version == 1


# Submit --------------------------------------------------------------------------------------------------------------


def test_alice_submits_germanys_return(de_return, alice):
    submitted(de_return, alice)

    de_return.refresh_from_db()
    assert de_return.state == "submitted"
    assert de_return.submitted_at is not None


def test_the_secretariat_may_submit_for_a_partner(de_return, secretariat):
    submitted(de_return, secretariat)

    assert de_return.state == "submitted"


@pytest.mark.parametrize("who", ["anonymous", "bob"])
def test_nobody_else_submits_germanys_return(de_return, alice, bob, who):
    save(de_return, alice, answers={1: "Highlights"})

    with pytest.raises(PermissionDenied):
        services.submit_return(report=de_return, user={"anonymous": ANONYMOUS, "bob": bob}[who], version=1)

    de_return.refresh_from_db()
    assert de_return.state == "draft"


def test_a_return_without_its_required_answers_is_not_submitted(de_return, alice):
    with pytest.raises(services.ReturnInvalid) as refused:
        services.submit_return(report=de_return, user=alice, version=0)

    assert refused.value.errors == {"answer/1": ["Question 1 needs an answer before the return is submitted."]}
    assert de_return.state == "draft"


def test_a_submission_from_an_older_version_is_refused_with_what_changed(de_return, alice):
    save(de_return, alice, answers={1: "Highlights"})

    with pytest.raises(services.ReturnConflict):
        services.submit_return(report=de_return, user=alice, version=0)


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_a_return_is_not_submitted_again_once_submitted_or_approved(de_return, alice, state):
    save(de_return, alice, answers={1: "Highlights"})
    Return.objects.filter(pk=de_return.pk).update(state=state)

    with pytest.raises(services.ReturnInvalid) as refused:
        services.submit_return(report=de_return, user=alice, version=1)

    assert refused.value.errors == {"state": [f"This return is already {state}: it cannot be submitted again."]}


# Return with a note ------------------------------------------------------------------------------------------------


def test_the_secretariat_returns_a_submission_with_a_note_and_alice_can_edit_it_again(de_return, alice, secretariat):
    submitted(de_return, alice)

    services.return_return(report=de_return, user=secretariat, note="  Add the 2026 figures, please.  ")

    assert (de_return.state, de_return.review_note) == ("returned", "Add the 2026 figures, please.")
    save(de_return, alice, values={("2.2.p", 2026): 14})
    services.submit_return(report=de_return, user=alice, version=de_return.version)
    assert de_return.state == "submitted"


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob"])
def test_only_the_secretariat_returns_a_submission(de_return, alice, bob, who):
    submitted(de_return, alice)

    with pytest.raises(PermissionDenied, match="Only the secretariat may return"):
        services.return_return(report=de_return, user={"anonymous": ANONYMOUS, "alice": alice, "bob": bob}[who],
                               note="No")

    de_return.refresh_from_db()
    assert (de_return.state, de_return.review_note) == ("submitted", "")


def test_a_return_needs_a_note_and_a_submission(de_return, alice, secretariat):
    with pytest.raises(services.ReturnInvalid, match="Only a submitted or approved return can be returned"):
        services.return_return(report=de_return, user=secretariat, note="Why")
    submitted(de_return, alice)
    with pytest.raises(services.ReturnInvalid) as refused:
        services.return_return(report=de_return, user=secretariat, note="   ")
    assert refused.value.errors == {"note": ["Say what the focal points should change."]}
    assert de_return.state == "submitted"


# Approve -------------------------------------------------------------------------------------------------------------


def test_approving_publishes_the_values_and_flows_as_the_partners_own(de_return, th_return, alice, bob, secretariat):
    save(de_return, alice, values={("2.2.p", 2025): 12, ("3.3.p", 2025): 80, ("2.1.p", 2025): 1},
         flows=[flow()])
    submitted(de_return, alice)
    save(th_return, bob, values={("2.2.p", 2025): 8, ("3.3.p", 2025): 60, ("2.1.p", 2025): 0})
    submitted(th_return, bob)

    services.approve_return(report=de_return, user=secretariat)
    services.approve_return(report=th_return, user=secretariat)

    assert (de_return.state, de_return.approved_version) == ("approved", de_return.version)
    mine = dict(round_observations().filter(partner__code="DE").values_list("indicator__code", "value"))
    assert mine == {"2.2.p": 12, "3.3.p": 80, "2.1.p": 1}
    asem = {o.indicator.code: (o.value, o.coverage)
            for o in Observation.objects.filter(partner=None, year=2025).select_related("indicator")}
    assert asem == {"2.2.p": (20, 2), "3.3.p": (70, 2), "2.1.p": (1, 2)}
    [published] = MobilityFlow.objects.all()
    assert (published.reported_by.code, published.origin.code, published.participants) == ("DE", "TH", 120)


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob"])
def test_only_the_secretariat_approves_and_a_refusal_publishes_nothing(de_return, alice, bob, who):
    save(de_return, alice, values={("2.2.p", 2025): 12}, flows=[flow()])
    submitted(de_return, alice)

    with pytest.raises(PermissionDenied, match="Only the secretariat may approve"):
        services.approve_return(report=de_return, user={"anonymous": ANONYMOUS, "alice": alice, "bob": bob}[who])

    de_return.refresh_from_db()
    assert de_return.state == "submitted"
    assert not round_observations().exists() and not MobilityFlow.objects.exists()


def test_only_a_submission_is_approved(de_return, secretariat):
    with pytest.raises(services.ReturnInvalid) as refused:
        services.approve_return(report=de_return, user=secretariat)

    assert refused.value.errors == {"state": ["Only a submitted return can be approved; this one is draft."]}


def test_approving_again_after_a_return_replaces_what_was_public(de_return, alice, secretariat):
    save(de_return, alice, values={("2.2.p", 2025): 12, ("2.2.p", 2026): 13}, flows=[flow()])
    submitted(de_return, alice)
    services.approve_return(report=de_return, user=secretariat)
    services.return_return(report=de_return, user=secretariat, note="2026 is not final yet.")

    save(de_return, alice, values={("2.2.p", 2026): None}, flows=[flow(participants=90, female=40)])
    services.submit_return(report=de_return, user=alice, version=de_return.version)
    services.approve_return(report=de_return, user=secretariat)

    assert list(round_observations().filter(partner__code="DE").values_list("year", "value")) == [(2025, 12)]
    assert list(MobilityFlow.objects.values_list("participants", flat=True)) == [90]


# What approving would change -----------------------------------------------------------------------------------------


def changes(report) -> list:
    """What approving it would change, as the review reads it."""
    return selectors.submissions([Return.objects.select_related("round", "partner").get(pk=report.pk)])[0].changes


def test_a_review_shows_the_return_against_what_is_public_now(de_return, alice, secretariat):
    save(de_return, alice, values={("2.2.p", 2025): 12}, answers={1: "Highlights"}, flows=[flow()])
    submitted(de_return, alice)
    services.approve_return(report=de_return, user=secretariat)
    assert changes(de_return) == []

    services.return_return(report=de_return, user=secretariat, note="Check")
    save(de_return, alice, values={("2.2.p", 2025): 1200, ("3.3.p", 2024): 55.25}, answers={1: "Highlights, more"},
         flows=[flow(participants=130)])

    assert [str(change) for change in changes(de_return)] == [
        "2.2.p TVET programmes co-designed with industry, 2025: 12 → 1,200",
        "3.3.p Adults with basic digital skills, 2024: – → 55.2",
        "Answer 1: What were the highlights?: answer changed",
        "Flow 2025, Thailand → Germany, physical, Higher education: 120 participants (70 female, 8 with fewer "
        "opportunities) → 130 participants (70 female, 8 with fewer opportunities)",
    ]


# Rounds ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def new_round(reported_indicators):
    from reporting.models import Round

    round_ = Round.objects.create(name="Stocktaking 2029", slug="stocktaking-2029", first_year=2026, last_year=2028,
                                  deadline="2029-03-31")
    round_.indicators.set(reported_indicators.values())
    return round_


def test_opening_a_round_gives_every_partner_a_return_prefilled_with_its_approved_figures(new_round, secretariat):
    germany, thailand = Partner.objects.get(code="DE"), Partner.objects.get(code="TH")
    indicator = new_round.indicators.get(code="2.2.p")
    Observation.objects.create(indicator=indicator, partner=germany, year=2026, value=12)
    Observation.objects.create(indicator=indicator, partner=germany, year=2020, value=3)  # outside the round
    factories.MobilityFlowFactory(year=2027, origin=thailand, destination=germany, reported_by=germany,
                                  participants=55)

    services.open_round(round=new_round, user=secretariat)

    assert new_round.state == "open" and new_round.opened_at is not None
    assert new_round.returns.count() == Partner.objects.count() == 53
    report = new_round.returns.get(partner=germany)
    assert services.contents([report])[report.pk]["values"] == {"2.2.p/2026": 12.0}
    assert [f.participants for f in report.flows.all()] == [55]
    assert report.versions.get().reason == services.PREFILLED
    assert not new_round.returns.get(partner=thailand).flows.exists(), "Germany reported it, not Thailand"


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob"])
def test_only_the_secretariat_opens_and_closes_rounds(new_round, open_round, alice, bob, who):
    user = {"anonymous": ANONYMOUS, "alice": alice, "bob": bob}[who]

    with pytest.raises(PermissionDenied, match="Only the secretariat may open a round"):
        services.open_round(round=new_round, user=user)
    with pytest.raises(PermissionDenied, match="Only the secretariat may close a round"):
        services.close_round(round=open_round, user=user)

    new_round.refresh_from_db()
    open_round.refresh_from_db()
    assert (new_round.state, open_round.state) == ("draft", "open")
    assert not new_round.returns.exists()


def test_a_round_that_asks_for_nothing_is_not_opened(new_round, secretariat):
    new_round.indicators.clear()
    new_round.includes_flows = False
    new_round.save()

    with pytest.raises(services.ReturnInvalid, match="The round asks for nothing"):
        services.open_round(round=new_round, user=secretariat)


def test_prefill_leaves_a_return_already_started_as_it_is(de_return, alice):
    save(de_return, alice, values={("2.2.p", 2025): 12})
    Observation.objects.create(indicator=de_return.round.indicators.get(code="2.2.p"), partner=de_return.partner,
                               year=2024, value=3)

    services.prefill(de_return)

    assert services.contents([de_return])[de_return.pk]["values"] == {"2.2.p/2025": 12.0}


@pytest.mark.parametrize("version", [-1, 7, 10**30])
def test_a_version_the_return_never_had_is_refused_as_bad_input_not_as_someone_elses_save(de_return, alice, version):
    with pytest.raises(services.ReturnInvalid) as refusal:
        services.save_return(report=de_return, user=alice, version=version, answers={1: "Highlights"})

    assert refusal.value.errors["version"] == [f"The return has no version {version}: it is at version 0. Open the "
                                               "return again and make your change."]
    assert not Answer.objects.filter(report=de_return).exists()
