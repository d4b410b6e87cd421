"""Alice (Germany's focal point) fills in Germany's return in Stocktaking 2027 on its page: a value per indicator and
year, the answers and the flows; she saves a draft, then submits it. Every refusal names the input and writes
nothing; Bob (Thailand) may not see it, Sam (the secretariat) may change it on Germany's behalf, and two focal
points saving at once never lose each other's work."""

from html import unescape
from html.parser import HTMLParser

import pytest

from objectives.models import Observation
from reporting import services as reporting
from reporting.models import Return, ReturnFlow, ReturnValue, Round
from tests import factories
from tests.reporting import conftest as reporting_fixtures

# The reporting tests' round on the real strategy, shared: Stocktaking 2027, open, with Germany's return.
reported_indicators, open_round = reporting_fixtures.reported_indicators, reporting_fixtures.open_round
de_return, th_return = reporting_fixtures.de_return, reporting_fixtures.th_return


class _FormReader(HTMLParser):
    """The fields a browser sends from the page's first form posting to `action`: inputs, selects, textareas."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.data = action, False, []
        self._select = self._textarea = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action and not self.data
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            else:
                self.data.append((name, attrs.get("value") or ""))
        elif tag == "select":
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected] or [self._options[0][0]]
            self.data.append((self._select, chosen[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


def form_on(page: str, action: str) -> dict[str, str]:
    """What the browser would send from the page's form, as it stands."""
    reader = _FormReader(action)
    reader.feed(page)
    assert reader.data, f"no form posting to {action}"
    return dict(reader.data)


def text(response) -> str:
    """The page as a reader sees its words: Germany's, not Germany&#x27;s."""
    return unescape(response.content.decode())


def page_of(report) -> str:
    return f"/workspace/returns/{report.pk}/"


def field(report, code: str, year: int) -> str:
    from objectives.models import Indicator

    return f"value-{Indicator.objects.get(code=code).pk}-{year}"


def open_form(client, report) -> dict[str, str]:
    response = client.get(page_of(report))
    assert response.status_code == 200
    return form_on(text(response), page_of(report))


def values_of(report) -> dict[tuple[str, int], float]:
    return {(v.indicator.code, v.year): v.value for v in ReturnValue.objects.filter(report=report)
            .select_related("indicator")}


@pytest.fixture
def anna(partner_de):
    """Anna is Germany's other focal point: she and Alice fill in the same return."""
    return factories.focal_point("anna", partner_de)


# The list of returns ---------------------------------------------------------------------------------------------


def test_alice_sees_germanys_return_with_its_state_deadline_and_how_much_is_filled(client, alice, de_return):
    ReturnValue.objects.create(report=de_return, indicator=de_return.round.indicators.get(code="2.2.p"), year=2024,
                               value=12)
    client.force_login(alice)

    page = client.get("/workspace/returns/").content.decode()

    assert f'href="/workspace/returns/{de_return.pk}/"' in page
    assert "Stocktaking 2027" in page and "Draft" in page
    assert de_return.round.deadline.strftime("%-d %b %Y") in page
    assert "1 of 9 (11 %)" in page
    assert "Thailand" not in page


def test_the_secretariat_is_sent_to_the_review_queue_and_the_rounds(client, secretariat, de_return):
    client.force_login(secretariat)

    page = client.get("/workspace/returns/").content.decode()

    assert 'href="/workspace/review/returns/"' in page
    assert "Returns to review: 0 wait" in page
    assert "Stocktaking 2027" in page


def test_the_list_asks_signed_out_visitors_to_sign_in(client, de_return):
    response = client.get("/workspace/returns/")

    assert response.status_code == 302 and "/sign-in/" in response["Location"]


# The form ----------------------------------------------------------------------------------------------------------


def test_the_form_has_a_value_per_indicator_and_year_the_questions_and_the_flows(client, alice, de_return):
    Observation.objects.create(indicator=de_return.round.indicators.get(code="3.3.p"), partner=de_return.partner,
                               year=2025, value=61.5)
    client.force_login(alice)

    page = client.get(page_of(de_return)).content.decode()

    for code in ("2.1.p", "2.2.p", "3.3.p"):
        for year in (2024, 2025, 2026):
            assert f'name="{field(de_return, code, year)}"' in page
            assert f">{code}, {year}</label>" in page
    assert "programmes · a whole number, 0 or more" in page
    assert "% · a percentage, 0 to 100" in page
    assert "Approved: 61.5" in page
    assert 'class="required">1. What were the highlights?</label>' in page
    assert ">2. What good practice would you share?</label>" in page
    assert 'name="flows-TOTAL_FORMS"' in page and 'name="flows-0-participants"' in page
    assert '<button type="submit" name="save">Save draft</button>' in page
    assert "Save and submit for review" in page
    assert 'name="version" value="0"' in page
    assert "Fill it in as a file" in page and f'action="{page_of(de_return)}upload/"' in page


def test_opening_a_new_return_fills_it_with_germanys_approved_values(client, alice, de_return):
    Observation.objects.create(indicator=de_return.round.indicators.get(code="2.2.p"), partner=de_return.partner,
                               year=2024, value=30)
    client.force_login(alice)

    data = open_form(client, de_return)

    assert data[field(de_return, "2.2.p", 2024)] == "30"
    assert values_of(de_return) == {("2.2.p", 2024): 30}


def test_alice_saves_a_draft_and_only_what_she_typed_changes(client, alice, de_return):
    client.force_login(alice)
    data = open_form(client, de_return)
    data[field(de_return, "2.2.p", 2025)] = "140"
    data[field(de_return, "3.3.p", 2025)] = "62.5"
    data["answer-1"] = "A new TVET law."

    response = client.post(page_of(de_return), data, follow=True)

    assert "Saved the return as a draft" in text(response)
    assert values_of(de_return) == {("2.2.p", 2025): 140, ("3.3.p", 2025): 62.5}
    report = Return.objects.get(pk=de_return.pk)
    assert report.state == "draft" and report.updated_by == alice
    assert report.answers.get().text == "A new TVET law."


@pytest.mark.parametrize(("code", "typed", "message"), [
    ("2.2.p", "many", "2.2.p, 2025: Give a number, such as 12 or 12.5"),
    ("2.2.p", "12.5", "2.2.p, 2025: 2.2.p is a count of programmes: give a whole number."),
    ("2.2.p", "-3", "2.2.p, 2025: 2.2.p is a count of programmes: it cannot be below 0."),
    ("3.3.p", "104", "2025: 3.3.p is a percentage: give a value from 0 to 100."),
    ("3.3.p", "٣", "3.3.p, 2025: Give a number"),
])
def test_a_wrong_value_is_named_beside_its_input_and_in_the_summary_and_nothing_is_written(
        client, alice, de_return, code, typed, message):
    client.force_login(alice)
    data = open_form(client, de_return)
    version = Return.objects.get(pk=de_return.pk).version
    data[field(de_return, "2.1.p", 2024)] = "1"  # right, but saved only with the rest
    data[field(de_return, code, 2025)] = typed

    response = client.post(page_of(de_return), data)

    page = text(response)
    assert response.status_code == 400
    assert "There is a problem to fix; nothing was saved" in page
    assert f'<a href="#id_{field(de_return, code, 2025)}">' in page and message in page
    assert f'value="{typed}"' in page  # what she typed is still there to correct
    assert values_of(de_return) == {}
    assert Return.objects.get(pk=de_return.pk).version == version


def test_a_flow_is_added_in_a_blank_row_and_checked_by_the_services(client, alice, de_return):
    client.force_login(alice)
    data = open_form(client, de_return)
    data |= {"flows-0-year": "2025", "flows-0-origin": "DE", "flows-0-destination": "TH", "flows-0-mode": "physical",
             "flows-0-level": "higher_education", "flows-0-participants": "120", "flows-0-female": "70"}

    client.post(page_of(de_return), data)

    flow = ReturnFlow.objects.get(report=de_return)
    assert (flow.year, flow.origin.code, flow.destination.code, flow.participants, flow.female) == \
        (2025, "DE", "TH", 120, 70)


def test_a_flow_neither_from_nor_to_germany_is_refused_on_its_row(client, alice, de_return):
    client.force_login(alice)
    data = open_form(client, de_return)
    data |= {"flows-1-year": "2025", "flows-1-origin": "FR", "flows-1-destination": "TH", "flows-1-mode": "virtual",
             "flows-1-level": "staff", "flows-1-participants": "8"}

    response = client.post(page_of(de_return), data)

    assert response.status_code == 400
    assert "Flow row 2, from: Germany reports only flows that start or end in Germany." in text(response)
    assert not ReturnFlow.objects.filter(report=de_return).exists()


def test_a_flow_with_more_women_than_participants_is_refused(client, alice, de_return):
    client.force_login(alice)
    data = open_form(client, de_return)
    data |= {"flows-0-year": "2024", "flows-0-origin": "DE", "flows-0-destination": "TH", "flows-0-mode": "physical",
             "flows-0-level": "tvet", "flows-0-participants": "10", "flows-0-female": "11"}

    response = client.post(page_of(de_return), data)

    assert "Flow row 1, of them female: Cannot be more than the participants (10)." in text(response)
    assert not ReturnFlow.objects.filter(report=de_return).exists()


def test_save_and_submit_sends_it_for_review(client, alice, de_return, mailoutbox):
    client.force_login(alice)
    data = open_form(client, de_return)
    data[field(de_return, "2.2.p", 2026)] = "150"
    data["answer-1"] = "A new TVET law."
    data["submit"] = ""

    response = client.post(page_of(de_return), data, follow=True)

    assert "Sent Germany's return to the secretariat for review." in text(response)
    report = Return.objects.get(pk=de_return.pk)
    assert report.state == "submitted" and values_of(report) == {("2.2.p", 2026): 150}


def test_submitting_without_a_needed_answer_saves_nothing(client, alice, de_return):
    client.force_login(alice)
    data = open_form(client, de_return)
    version = Return.objects.get(pk=de_return.pk).version
    data[field(de_return, "2.2.p", 2026)] = "150"
    data["submit"] = ""

    response = client.post(page_of(de_return), data)

    assert response.status_code == 400
    assert "1. What were the highlights?: Question 1 needs an answer before the return is submitted." in \
        text(response)
    report = Return.objects.get(pk=de_return.pk)
    assert report.state == "draft" and report.version == version and values_of(report) == {}


def test_a_submitted_return_is_shown_without_inputs(client, alice, de_return):
    client.force_login(alice)
    data = open_form(client, de_return) | {field(de_return, "2.2.p", 2024): "12", "answer-1": "Highlights."}
    client.post(page_of(de_return), data | {"submit": ""})

    page = client.get(page_of(de_return)).content.decode()

    assert "Submitted for review on" in page and "It cannot be changed meanwhile." in page
    assert 'name="value-' not in page and "Save draft" not in page
    assert "Highlights." in page


def test_changing_a_return_while_it_is_submitted_says_why_and_writes_nothing(client, alice, de_return):
    client.force_login(alice)
    data = open_form(client, de_return) | {"answer-1": "Highlights."}
    client.post(page_of(de_return), data | {"submit": ""})
    version = Return.objects.get(pk=de_return.pk).version

    response = client.post(page_of(de_return), open_form_data_for_late_change(de_return, version))

    assert response.status_code == 400
    assert "This return is submitted: it cannot be changed while the secretariat reviews it." in \
        text(response)
    assert Return.objects.get(pk=de_return.pk).version == version and values_of(de_return) == {}


def open_form_data_for_late_change(report, version) -> dict:
    """A form Alice opened before the return was submitted, with a value typed in since."""
    return {"version": str(version), "flows_read": "", field(report, "2.2.p", 2024): "5",
            f"initial-{field(report, '2.2.p', 2024)}": "", "flows-TOTAL_FORMS": "0", "flows-INITIAL_FORMS": "0"}


def test_a_returned_return_shows_the_secretariats_note_above_the_form(client, alice, secretariat, de_return):
    client.force_login(alice)
    client.post(page_of(de_return), open_form(client, de_return) | {"answer-1": "Highlights.", "submit": ""})
    reporting.return_return(report=de_return, user=secretariat, note="Give 2026 as well.")

    page = client.get(page_of(de_return)).content.decode()

    assert "The secretariat returned it with this note" in page and "Give 2026 as well." in page
    assert "Save and submit for review" in page


# Who may ----------------------------------------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in_and_nothing_is_written(client, de_return):
    for response in (client.get(page_of(de_return)), client.post(page_of(de_return), {"version": "0"})):
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert Return.objects.get(pk=de_return.pk).version == 0


def test_bob_may_not_see_or_change_germanys_return(client, bob, de_return):
    client.force_login(bob)

    assert client.get(page_of(de_return)).status_code == 403
    response = client.post(page_of(de_return), open_form_data_for_late_change(de_return, 0))

    assert response.status_code == 403
    assert "This is Germany's return: only its focal points and the secretariat may see it." in \
        text(response)
    assert Return.objects.get(pk=de_return.pk).version == 0 and values_of(de_return) == {}


def test_sam_changes_germanys_return_on_its_behalf(client, secretariat, de_return):
    client.force_login(secretariat)
    data = open_form(client, de_return)
    assert "You are changing this return on behalf of Germany" in client.get(page_of(de_return)).content.decode()
    data[field(de_return, "2.1.p", 2024)] = "1"

    client.post(page_of(de_return), data)

    report = Return.objects.get(pk=de_return.pk)
    assert values_of(report) == {("2.1.p", 2024): 1} and report.updated_by == secretariat


def test_the_submit_button_alone_is_for_the_returns_own_people(client, alice, bob, secretariat, de_return):
    ReturnValue.objects.create(report=de_return, indicator=de_return.round.indicators.get(code="2.2.p"), year=2024,
                               value=1)
    de_return.answers.create(question=de_return.round.questions.get(number=1), text="Highlights.")
    url = f"{page_of(de_return)}submit/"

    assert client.post(url, {"version": "0"}).status_code == 302  # to sign in
    client.force_login(bob)
    assert client.post(url, {"version": "0"}).status_code == 403
    assert Return.objects.get(pk=de_return.pk).state == "draft"
    client.force_login(alice)
    response = client.post(url, {"version": "٣"}, follow=True)
    assert "did not say which version" in text(response)
    client.post(url, {"version": "0"})
    assert Return.objects.get(pk=de_return.pk).state == "submitted"
    client.force_login(secretariat)
    response = client.post(url, {"version": "0"}, follow=True)
    assert "This return is already submitted: it cannot be submitted again." in text(response)


# Two focal points at once -------------------------------------------------------------------------------------------


def test_a_second_save_is_refused_with_what_changed_and_keeps_both_peoples_work(client, alice, anna, de_return):
    client.force_login(alice)
    alices = open_form(client, de_return)
    client.force_login(anna)
    annas = open_form(client, de_return)
    annas[field(de_return, "2.2.p", 2024)] = "40"
    annas["answer-2"] = "Dual study."
    client.post(page_of(de_return), annas)
    client.force_login(alice)
    alices[field(de_return, "3.3.p", 2024)] = "55"

    response = client.post(page_of(de_return), alices)

    page = text(response)
    assert response.status_code == 409
    assert "Someone else saved this return after you opened it: nothing of yours was saved yet" in page
    assert "anna saved version 1 on" in page
    assert "2.2.p TVET programmes co-designed with industry, 2024: – → 40." in page
    assert values_of(de_return) == {("2.2.p", 2024): 40}
    again = form_on(page, page_of(de_return))
    assert again[field(de_return, "3.3.p", 2024)] == "55"  # hers, kept
    assert again[field(de_return, "2.2.p", 2024)] == "40"  # Anna's, shown
    assert again["answer-2"] == "Dual study."

    client.post(page_of(de_return), again)

    assert values_of(de_return) == {("2.2.p", 2024): 40, ("3.3.p", 2024): 55}
    assert Return.objects.get(pk=de_return.pk).answers.get().text == "Dual study."


def test_a_save_that_leaves_the_flows_alone_keeps_a_colleagues_flows(client, alice, anna, de_return):
    client.force_login(alice)
    alices = open_form(client, de_return)
    client.force_login(anna)
    annas = open_form(client, de_return) | {
        "flows-0-year": "2025", "flows-0-origin": "TH", "flows-0-destination": "DE", "flows-0-mode": "virtual",
        "flows-0-level": "school", "flows-0-participants": "30"}
    client.post(page_of(de_return), annas)
    client.force_login(alice)
    alices[field(de_return, "2.1.p", 2025)] = "1"

    page = client.post(page_of(de_return), alices).content.decode()
    client.post(page_of(de_return), form_on(page, page_of(de_return)))

    assert ReturnFlow.objects.filter(report=de_return).count() == 1
    assert values_of(de_return) == {("2.1.p", 2025): 1}


# What the page costs -------------------------------------------------------------------------------------------------


def test_the_form_costs_the_same_whatever_the_round_asks(client, alice, de_return, django_assert_num_queries):
    client.force_login(alice)
    client.get(page_of(de_return))  # prefilled: from now on a plain read
    # Expect 12 queries: the session, the user, her partners, the return with its round, partner and last editor,
    # whether it has a first version (it is at version 0), the round's indicators, the partner's approved values,
    # the round's questions, the return's values, its answers, its flows, and the partners for the flows' choices
    with django_assert_num_queries(12):
        client.get(page_of(de_return))
    for n in range(4):
        indicator = factories.IndicatorFactory(priority=de_return.round.indicators.first().priority, code=f"1.1.z{n}",
                                               aggregation="sum")
        de_return.round.indicators.add(indicator)
        ReturnValue.objects.create(report=de_return, indicator=indicator, year=2025, value=n)
    for year in (2024, 2025):
        ReturnFlow.objects.create(report=de_return, year=year, origin=de_return.partner,
                                  destination=factories.partner("TH"), level="staff", participants=3)
    with django_assert_num_queries(12):
        response = client.get(page_of(de_return))
    assert text(response).count('name="value-') == 7 * 3


# The workspace's home ------------------------------------------------------------------------------------------------


def test_alices_home_lists_her_open_returns(client, alice, de_return):
    client.force_login(alice)

    page = text(client.get("/workspace/"))

    assert "Your returns" in page
    assert f'<a href="{page_of(de_return)}">Germany: Stocktaking 2027</a>' in page


def test_sams_home_counts_the_returns_to_review(client, alice, secretariat, de_return):
    de_return.answers.create(question=de_return.round.questions.get(number=1), text="Highlights.")
    reporting.submit_return(report=de_return, user=alice, version=0)
    client.force_login(secretariat)

    page = text(client.get("/workspace/"))

    assert "Returns to review: 1 waits" in page
    assert 'href="/workspace/review/returns/"' in page


def test_submitting_an_approved_return_again_says_why_and_changes_nothing(client, alice, secretariat, de_return):
    de_return.answers.create(question=de_return.round.questions.get(number=1), text="Highlights.")
    reporting.submit_return(report=de_return, user=alice, version=0)
    reporting.approve_return(report=de_return, user=secretariat)
    client.force_login(alice)

    response = client.post(f"{page_of(de_return)}submit/", {"version": "0"}, follow=True)

    assert "This return is already approved: it cannot be submitted again." in text(response)
    assert Return.objects.get(pk=de_return.pk).state == "approved"
    assert "Approved on" in text(response) and "Save draft" not in text(response)


def test_a_demonstration_rounds_return_says_so(client, alice, de_return):
    de_return.round.is_demo = True
    de_return.round.save()
    client.force_login(alice)

    for url in (page_of(de_return), "/workspace/returns/", f"{page_of(de_return)}history/"):
        assert 'class="demo-banner"' in text(client.get(url)), url


def test_the_list_costs_the_same_however_many_returns(client, alice, de_return, django_assert_num_queries):
    client.force_login(alice)
    # Expect 5 queries: the session, the user, her partners, their returns with their rounds and how many values
    # each holds, and the rounds' indicators (for how many values each asks)
    with django_assert_num_queries(5):
        client.get("/workspace/returns/")
    for n in range(3):
        round_ = factories_round(f"Round {n}")
        Return.objects.create(round=round_, partner=de_return.partner)
    with django_assert_num_queries(5):
        response = client.get("/workspace/returns/")
    assert text(response).count('<span class="state state-draft">') == 4


def factories_round(name):
    return Round.objects.create(name=name, slug=name.lower().replace(" ", "-"), first_year=2020, last_year=2021,
                                deadline="2030-01-01", state=Round.State.OPEN)
