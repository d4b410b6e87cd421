"""Returns in the API: read and filled by their partner's focal points, reviewed by the secretariat, never public.

Alice is Germany's focal point, Bob Thailand's, Sam works in the secretariat; Carol is Germany's second focal point,
editing the same return as Alice.
"""

import threading

import pytest
from django.db import connection

from mobility.models import MobilityFlow
from objectives.models import Observation
from reporting.models import Answer, Return, ReturnFlow, ReturnValue, Round
from tests import factories
from tests.api.conftest import client_for
from tests.services import need_postgres


def url(report: Return, action: str = "") -> str:
    return f"/api/v1/returns/{report.pk}/{action + '/' if action else ''}"


def fill(client, report: Return, **body):
    return client.patch(url(report), {"version": report.version, **body}, format="json")


def errors(response) -> list[tuple[str, str]]:
    return [(error["field"], error["message"]) for error in response.json()["errors"]]


def set_state(report: Return, state: str) -> Return:
    report.state = state
    report.save()
    return report


@pytest.fixture
def carol(partner_de):
    """Carol is Germany's second focal point."""
    return factories.focal_point("carol", partner_de)


@pytest.fixture
def submitted(de_return):
    """Germany's return with a value and its required answer, submitted by Alice."""
    ReturnValue.objects.create(report=de_return, indicator=de_return.round.indicators.get(code="2.2.p"), year=2025,
                               value=12)
    Answer.objects.create(report=de_return, question=de_return.round.questions.get(number=1), text="A new strategy.")
    return set_state(de_return, Return.State.SUBMITTED)


# Reading --------------------------------------------------------------------------------------------------------------


def test_anonymous_visitors_read_no_return(de_return, anonymous):
    for address in ("/api/v1/returns/", url(de_return)):
        response = anonymous.get(address)
        assert response.status_code == 401, address
        assert response["WWW-Authenticate"] == "Token"


def test_a_focal_point_lists_only_their_partners_returns(open_round, as_alice, as_bob):
    alices = as_alice.get("/api/v1/returns/").json()
    bobs = as_bob.get("/api/v1/returns/").json()

    assert [(item["round"], item["partner"], item["state"]) for item in alices["results"]] == [
        ("stocktaking-2027", "DE", "draft")]
    assert [item["partner"] for item in bobs["results"]] == ["TH"]


def test_the_secretariat_lists_every_return_and_filters_them(open_round, th_return, as_secretariat):
    set_state(th_return, Return.State.SUBMITTED)

    assert as_secretariat.get("/api/v1/returns/").json()["count"] == 53
    submitted = as_secretariat.get("/api/v1/returns/?round=stocktaking-2027&state=submitted").json()
    assert [item["partner"] for item in submitted["results"]] == ["TH"]
    assert as_secretariat.get("/api/v1/returns/?partner=DE").json()["count"] == 1
    bad = as_secretariat.get("/api/v1/returns/?state=lost")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "state"


def test_a_focal_point_reads_their_return_with_what_it_holds(submitted, as_alice):
    response = as_alice.get(url(submitted))

    assert response.status_code == 200
    body = response.json()
    assert (body["partner"], body["state"], body["version"], body["editable"]) == ("DE", "submitted", 0, False)
    assert body["values"] == [{"indicator": "2.2.p", "year": 2025, "value": 12.0}]
    assert body["answers"] == [{"question": 1, "text": "A new strategy."}]
    assert body["flows"] == []
    assert body["round_url"].endswith("/api/v1/rounds/stocktaking-2027/")
    assert response["ETag"]


def test_another_partners_focal_point_cannot_find_the_return(de_return, as_bob):
    assert as_bob.get(url(de_return)).status_code == 404


def test_the_returns_come_as_csv_for_the_secretariat(open_round, as_secretariat):
    response = as_secretariat.get("/api/v1/returns/?format=csv&partner=DE")

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,round,partner,state,version")
    assert ",stocktaking-2027,DE,draft,0," in lines[1]


# Filling in ---------------------------------------------------------------------------------------------------------


def test_alice_fills_in_germanys_return(de_return, alice, as_alice):
    response = fill(as_alice, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": 12},
                                                 {"indicator": "3.3.p", "year": 2024, "value": 61.5}],
                    answers=[{"question": 1, "text": "A national strategy."}],
                    flows=[{"year": 2025, "origin": "TH", "destination": "DE", "level": "higher_education",
                            "participants": 120, "female": 64}])

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["version"], body["updated_by"], body["editable"]) == (1, "alice", True)
    assert body["values"] == [{"indicator": "2.2.p", "year": 2025, "value": 12.0},
                              {"indicator": "3.3.p", "year": 2024, "value": 61.5}]
    assert body["answers"] == [{"question": 1, "text": "A national strategy."}]
    assert [(flow["origin"], flow["destination"], flow["mode"], flow["participants"]) for flow in body["flows"]] == [
        ("TH", "DE", "physical", 120)]
    assert response["ETag"] == as_alice.get(url(de_return))["ETag"]


def test_a_value_sent_as_null_is_cleared_and_others_are_kept(de_return, as_alice):
    fill(as_alice, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": 12},
                                      {"indicator": "2.2.p", "year": 2026, "value": 14}])
    de_return.refresh_from_db()

    response = fill(as_alice, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": None}])

    assert response.status_code == 200
    assert response.json()["values"] == [{"indicator": "2.2.p", "year": 2026, "value": 14.0}]


def test_the_secretariat_may_fill_in_a_partners_return(de_return, as_secretariat):
    response = fill(as_secretariat, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": 12}])

    assert response.status_code == 200
    assert response.json()["updated_by"] == "sam"


def test_bob_cannot_fill_in_germanys_return(de_return, as_bob):
    response = fill(as_bob, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": 12}])

    assert response.status_code == 404
    assert not ReturnValue.objects.exists()


def test_an_anonymous_fill_is_refused_and_writes_nothing(de_return, anonymous):
    response = fill(anonymous, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": 12}])

    assert response.status_code == 401
    assert not ReturnValue.objects.exists()


@pytest.mark.parametrize(("value", "field", "message"), [
    ({"indicator": "1.1.a", "year": 2025, "value": 3}, "values.1.indicator", "1.1.a is not asked in this round"),
    ({"indicator": "2.2.p", "year": 2023, "value": 3}, "values.1.year", "2023 is outside it"),
    ({"indicator": "2.2.p", "year": 2025, "value": "twelve"}, "values.1.value", "Give a number"),
    ({"indicator": "2.2.p", "year": 2025, "value": "12"}, "values.1.value", "Give a number"),
    ({"indicator": "2.2.p", "year": 2025, "value": True}, "values.1.value", "Give a number"),
    ({"indicator": "3.3.p", "year": 2025, "value": 120}, "values.1.value", "100"),
    ({"indicator": "2.2.p", "year": 2025, "value": -1}, "values.1.value", "below 0"),
    ({"indicator": "2.2.p", "year": 2025, "value": 2.5}, "values.1.value", "whole"),
    ({"indicator": "2.2.p", "year": "soon", "value": 3}, "values.1.year", "A valid integer is required."),
    ({"indicator": "2.2.p", "year": 2025}, "values.1.value", "This field is required."),
])
def test_a_bad_value_is_named_and_nothing_is_written(de_return, as_alice, value, field, message):
    good = {"indicator": "2.1.p", "year": 2024, "value": 1}

    response = fill(as_alice, de_return, values=[good, value], answers=[{"question": 2, "text": "Kept back too."}])

    assert response.status_code == 400
    assert [name for name, _ in errors(response)] == [field]
    assert message in errors(response)[0][1]
    assert response.json()["code"] == "invalid"
    de_return.refresh_from_db()
    assert de_return.version == 0
    assert not ReturnValue.objects.exists() and not Answer.objects.exists()


def test_a_value_given_twice_is_named_at_its_second_place(de_return, as_alice):
    value = {"indicator": "2.2.p", "year": 2025, "value": 3}

    response = fill(as_alice, de_return, values=[value, {**value, "value": 4}])

    assert response.status_code == 400
    assert errors(response) == [("values.1.year", "2.2.p 2025 is given twice: first at 0.")]


def test_an_answer_to_a_question_the_round_does_not_ask_is_named(de_return, as_alice):
    response = fill(as_alice, de_return, answers=[{"question": 1, "text": "Fine."}, {"question": 7, "text": "?"}])

    assert response.status_code == 400
    assert [name for name, _ in errors(response)] == ["answers.1.text"]
    assert "no question 7" in errors(response)[0][1]


@pytest.mark.parametrize(("flow", "field"), [
    ({"origin": "TH", "destination": "JP"}, "flows.0.origin"),
    ({"origin": "XX"}, "flows.0.origin"),
    ({"female": 500}, "flows.0.female"),
    ({"year": 2020}, "flows.0.year"),
    ({"level": "kindergarten"}, "flows.0.level"),
    ({"participants": -3}, "flows.0.participants"),
])
def test_a_bad_flow_is_named_by_its_place_and_field(de_return, as_alice, flow, field):
    row = {"year": 2025, "origin": "TH", "destination": "DE", "level": "higher_education", "participants": 120,
           **flow}

    response = fill(as_alice, de_return, flows=[row])

    assert response.status_code == 400
    assert field in [name for name, _ in errors(response)]
    assert not ReturnFlow.objects.exists()


def test_a_fill_without_the_version_read_is_refused(de_return, as_alice):
    response = as_alice.patch(url(de_return), {"values": [{"indicator": "2.2.p", "year": 2025, "value": 3}]},
                              format="json")

    assert response.status_code == 400
    assert errors(response) == [("version", "This field is required.")]


def test_a_second_focal_point_saving_an_older_version_is_told_what_changed(de_return, carol, as_alice):
    as_carol = client_for(carol)
    read = as_carol.get(url(de_return)).json()
    assert fill(as_alice, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": 12}]).status_code == 200

    response = as_carol.patch(url(de_return), {"version": read["version"], "values": [
        {"indicator": "2.2.p", "year": 2025, "value": 30}]}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["detail"].startswith("Someone saved this return after version 0, the one you read (it is at "
                                     "version 1 now): nothing of your change is saved.")
    assert {field for field, _ in errors(response)} == {"version"}
    assert any("alice saved version 1" in message for _, message in errors(response))
    assert any("2.2.p" in message for _, message in errors(response))
    assert list(ReturnValue.objects.values_list("value", flat=True)) == [12.0]


def test_two_focal_points_saving_at_the_same_moment_on_postgresql_one_is_saved_and_the_other_told(
        transactional_db, open_round, alice, carol):
    need_postgres()
    report = Return.objects.get(round=open_round, partner__code="DE")
    clients = {"alice": client_for(alice), "carol": client_for(carol)}
    both_ready = threading.Barrier(2, timeout=10)
    answers = {}

    def save(who, value):
        try:
            both_ready.wait()
            answers[who] = fill(clients[who], report, values=[{"indicator": "2.2.p", "year": 2025, "value": value}])
        finally:
            connection.close()

    saves = [threading.Thread(target=save, args=args) for args in (("alice", 12), ("carol", 15))]
    for thread in saves:
        thread.start()
    for thread in saves:
        thread.join()

    assert sorted(response.status_code for response in answers.values()) == [200, 409]
    [saved] = [who for who, response in answers.items() if response.status_code == 200]
    [told] = [response for response in answers.values() if response.status_code == 409]
    assert any(f"{saved} saved version 1" in message for _, message in errors(told))
    report.refresh_from_db()
    assert report.version == 1 and report.updated_by.username == saved


def test_a_fill_with_a_stale_etag_is_refused_with_412(de_return, as_alice):
    etag = as_alice.get(url(de_return))["ETag"]
    fill(as_alice, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": 12}])
    de_return.refresh_from_db()

    response = as_alice.patch(url(de_return), {"version": de_return.version, "values": [
        {"indicator": "2.2.p", "year": 2025, "value": 30}]}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert list(ReturnValue.objects.values_list("value", flat=True)) == [12.0]


def test_a_submitted_return_cannot_be_edited(submitted, as_alice):
    response = fill(as_alice, submitted, values=[{"indicator": "2.2.p", "year": 2025, "value": 30}])

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert errors(response)[0][0] == "state"
    assert "submitted" in errors(response)[0][1]
    assert list(ReturnValue.objects.values_list("value", flat=True)) == [12.0]


def test_a_return_of_a_closed_round_cannot_be_edited(de_return, as_alice):
    Round.objects.filter(pk=de_return.round_id).update(state=Round.State.CLOSED)

    response = fill(as_alice, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": 30}])

    assert response.status_code == 409
    assert errors(response)[0][0] == "state"


def test_a_return_is_only_patched(de_return, as_alice):
    assert as_alice.put(url(de_return), {"version": 0}, format="json").status_code == 405
    assert as_alice.delete(url(de_return)).status_code == 405
    assert as_alice.post("/api/v1/returns/", {}, format="json").status_code == 405


# Review --------------------------------------------------------------------------------------------------------------


def test_alice_submits_germanys_return(de_return, as_alice):
    fill(as_alice, de_return, answers=[{"question": 1, "text": "A national strategy."}])

    response = as_alice.post(url(de_return, "submit"), {"version": 1}, format="json")

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["editable"]) == ("submitted", False)
    assert response.json()["submitted_at"]


def test_a_return_without_a_required_answer_is_not_submitted(de_return, as_alice):
    response = as_alice.post(url(de_return, "submit"), {"version": 0}, format="json")

    assert response.status_code == 400
    assert errors(response) == [("answers", "Question 1 needs an answer before the return is submitted.")]
    de_return.refresh_from_db()
    assert de_return.state == Return.State.DRAFT


def test_submitting_an_older_version_is_a_conflict(de_return, as_alice):
    fill(as_alice, de_return, answers=[{"question": 1, "text": "A national strategy."}])

    response = as_alice.post(url(de_return, "submit"), {"version": 0}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_submitting_needs_the_version(de_return, as_alice):
    response = as_alice.post(url(de_return, "submit"), {}, format="json")

    assert response.status_code == 400
    assert errors(response) == [("version", "This field is required.")]


def test_only_germanys_focal_points_and_the_secretariat_submit_its_return(de_return, anonymous, as_bob,
                                                                          as_secretariat):
    Answer.objects.create(report=de_return, question=de_return.round.questions.get(number=1), text="Done.")

    assert anonymous.post(url(de_return, "submit"), {"version": 0}, format="json").status_code == 401
    assert as_bob.post(url(de_return, "submit"), {"version": 0}, format="json").status_code == 404
    de_return.refresh_from_db()
    assert de_return.state == Return.State.DRAFT
    assert as_secretariat.post(url(de_return, "submit"), {"version": 0}, format="json").status_code == 200


def test_a_return_submitted_after_approval_is_refused_naming_the_state(submitted, as_alice):
    set_state(submitted, Return.State.APPROVED)

    response = as_alice.post(url(submitted, "submit"), {"version": 0}, format="json")

    assert response.status_code == 409
    assert (response.json()["code"], errors(response)[0][0]) == ("invalid_state", "state")
    assert "already approved" in errors(response)[0][1]


def test_the_secretariat_approves_and_the_values_become_public(submitted, as_secretariat, anonymous):
    before = anonymous.get("/api/v1/partners/DE/values/").json()

    response = as_secretariat.post(url(submitted, "approve"))

    assert response.status_code == 200
    assert response.json()["state"] == "approved" and response.json()["approved_at"]
    assert before["count"] == 7  # Germany's international students as the OECD counts them, 2013 to 2019
    values = anonymous.get("/api/v1/partners/DE/values/").json()["results"]
    assert [(item["indicator"], item["year"], item["value"]) for item in values if item not in before["results"]] \
        == [("2.2.p", 2025, 12.0)]
    approved = anonymous.get("/api/v1/rounds/stocktaking-2027/").json()["approved"]
    assert [item["partner"] for item in approved] == ["DE"]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("as_alice", 403), ("as_bob", 404)])
def test_only_the_secretariat_approves(submitted, request, who, status):
    response = request.getfixturevalue(who).post(url(submitted, "approve"))

    assert response.status_code == status
    submitted.refresh_from_db()
    assert submitted.state == Return.State.SUBMITTED
    assert not Observation.objects.filter(partner__code="DE", indicator__code="2.2.p").exists()


def test_a_draft_cannot_be_approved(de_return, as_secretariat):
    response = as_secretariat.post(url(de_return, "approve"))

    assert response.status_code == 409
    assert errors(response)[0][0] == "state"


def test_the_secretariat_returns_a_submission_with_a_note(submitted, as_secretariat, as_alice):
    response = as_secretariat.post(url(submitted, "return"), {"note": "Give the 2024 value too."}, format="json")

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["review_note"]) == ("returned", "Give the 2024 value too.")
    assert as_alice.get(url(submitted)).json()["editable"] is True


def test_returning_needs_a_note(submitted, as_secretariat):
    response = as_secretariat.post(url(submitted, "return"), {"note": ""}, format="json")

    assert response.status_code == 400
    assert errors(response)[0][0] == "note"
    submitted.refresh_from_db()
    assert submitted.state == Return.State.SUBMITTED


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("as_alice", 403), ("as_bob", 404)])
def test_only_the_secretariat_returns_a_submission(submitted, request, who, status):
    response = request.getfixturevalue(who).post(url(submitted, "return"), {"note": "Fix it."}, format="json")

    assert response.status_code == status
    submitted.refresh_from_db()
    assert (submitted.state, submitted.review_note) == (Return.State.SUBMITTED, "")


def test_a_draft_cannot_be_returned(de_return, as_secretariat):
    response = as_secretariat.post(url(de_return, "return"), {"note": "Fix it."}, format="json")

    assert response.status_code == 409
    assert errors(response)[0][0] == "state"


# Nothing in a draft is public ----------------------------------------------------------------------------------------


def test_public_reads_never_show_a_drafts_values_or_flows(de_return, as_alice, anonymous):
    fill(as_alice, de_return, values=[{"indicator": "2.2.p", "year": 2025, "value": 12}],
         flows=[{"year": 2025, "origin": "TH", "destination": "DE", "level": "higher_education",
                 "participants": 120}])

    assert anonymous.get("/api/v1/partners/DE/values/?indicator=2.2.p").json()["count"] == 0
    assert anonymous.get("/api/v1/indicators/2.2.p/observations/").json()["count"] == 0
    assert anonymous.get("/api/v1/rounds/stocktaking-2027/").json()["approved"] == []
    assert anonymous.get(url(de_return)).status_code == 401
    assert not MobilityFlow.objects.exists()


# Query counts ------------------------------------------------------------------------------------------------------


def test_reading_returns_costs_the_same_queries_however_much_they_hold(de_return, alice, secretariat,
                                                                       django_assert_num_queries):
    as_alice, as_sam = client_for(alice), client_for(secretariat)

    def read():
        # Expect 4 queries: the token, alice's partners, count, returns with round and partner
        with django_assert_num_queries(4):
            assert as_alice.get("/api/v1/returns/").status_code == 200
        # Expect 4 queries: the token, sam's groups, count, returns with round and partner
        with django_assert_num_queries(4):
            assert as_sam.get("/api/v1/returns/").status_code == 200
        # Expect 6 queries: the token, alice's partners, the return with round, partner and last editor, its values
        # with their indicators, answers with their questions, flows with their partners
        with django_assert_num_queries(6):
            assert as_alice.get(url(de_return)).status_code == 200

    read()
    fill(as_alice, de_return, values=[{"indicator": code, "year": year, "value": 1}
                                      for code in ("2.1.p", "2.2.p") for year in (2024, 2025, 2026)],
         answers=[{"question": 1, "text": "One."}, {"question": 2, "text": "Two."}],
         flows=[{"year": 2025, "origin": code, "destination": "DE", "level": "higher_education", "participants": 5}
                for code in ("TH", "JP", "FR", "IT")])
    read()
