"""The rounds' public pages: which rounds there are, and per round which partners have an approved return."""

import datetime

import pytest

from reporting import services
from reporting.models import Answer, Question, Return, ReturnValue, Round
from tests.pages import visitor_client


@pytest.fixture
def vera():
    """Vera reads the portal without signing in."""
    return visitor_client()


def approve(round_, *codes, when=datetime.datetime(2027, 2, 3, 10, tzinfo=datetime.UTC)):
    Return.objects.filter(round=round_, partner__code__in=codes).update(state=Return.State.APPROVED, approved_at=when)


def test_the_rounds_are_listed_with_how_many_partners_have_an_approved_return(open_round, vera,
                                                                               django_assert_num_queries):
    Round.objects.create(name="Stocktaking 2030", slug="stocktaking-2030", first_year=2027, last_year=2029,
                         deadline=datetime.date(2030, 3, 1))  # being prepared: not public
    approve(open_round, "DE", "TH")

    # Expect 1 query: the rounds with their counts of returns
    with django_assert_num_queries(1):
        response = vera.get("/rounds/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/rounds/stocktaking-2027/">Stocktaking 2027</a>' in page
    assert "2024–2026" in page
    assert "2 of 53" in page
    assert "Stocktaking 2030" not in page


def test_the_site_navigation_leads_to_the_rounds(vera, strategy):
    assert '<a href="/rounds/">Rounds</a>' in vera.get("/").content.decode()
    assert '<a href="/rounds/" aria-current="page">Rounds</a>' in vera.get("/rounds/").content.decode()


def test_a_rounds_page_shows_its_years_deadline_and_questions(open_round, vera):
    Question.objects.filter(round=open_round, number=1).update(guidance="Two or three, with figures.")

    page = vera.get("/rounds/stocktaking-2027/").content.decode()

    assert "<h1>Stocktaking 2027</h1>" in page
    assert f"<dd>{open_round.deadline.strftime('%-d %B %Y')}</dd>" in page
    assert "<dd>2024–2026</dd>" in page
    assert "<li>What were the highlights?<p class=\"note\">Two or three, with figures.</p></li>" in page
    assert "What good practice would you share?" in page


def test_a_rounds_page_groups_the_partners_and_says_whose_return_is_approved(open_round, vera):
    approve(open_round, "DE", "FR", "TH")
    Return.objects.filter(round=open_round, partner__code="JP").update(state=Return.State.SUBMITTED)

    page = vera.get("/rounds/stocktaking-2027/").content.decode()

    assert "3 partners of 53" in page
    asia, europe = page.split('id="side-asia"')[1].split('id="side-europe"')
    assert "Asian partners <span class=\"muted\">(1 of 22 approved)</span>" in asia
    assert "European partners <span class=\"muted\">(2 of 31 approved)</span>" in europe
    assert row(asia, "Thailand") == 'Approved</span> <span class="muted">3 Feb 2027</span>'
    assert row(asia, "Japan") == "Not yet</span>"  # submitted is not approved
    assert row(europe, "Germany") == 'Approved</span> <span class="muted">3 Feb 2027</span>'


def row(html: str, name: str) -> str:
    cell = html.split(f">{name}</a></th>")[1].split("</td>")[0]
    return cell.split('">', 1)[1] if cell.strip().startswith("<td><span") else cell


def test_nothing_of_a_draft_is_shown(de_return, vera):
    ReturnValue.objects.create(report=de_return, indicator=de_return.round.indicators.get(code="2.2.p"), year=2025,
                               value=987654)
    Answer.objects.create(report=de_return, question=de_return.round.questions.get(number=1),
                          text="A secret highlight")

    page = vera.get("/rounds/stocktaking-2027/").content.decode()

    assert "987654" not in page and "987,654" not in page
    assert "A secret highlight" not in page


def test_a_round_being_prepared_is_not_found(open_round, vera):
    Round.objects.filter(pk=open_round.pk).update(state=Round.State.DRAFT)

    assert vera.get("/rounds/stocktaking-2027/").status_code == 404
    assert vera.get("/rounds/no-such-round/").status_code == 404


def test_a_demonstration_round_carries_the_demo_banner(open_round, vera):
    Round.objects.filter(pk=open_round.pk).update(is_demo=True)

    assert 'class="demo-banner"' in vera.get("/rounds/stocktaking-2027/").content.decode()
    assert 'class="demo-banner"' in vera.get("/rounds/").content.decode()


def test_the_page_costs_the_same_queries_however_many_returns_are_approved(open_round, vera,
                                                                            django_assert_num_queries):
    # Expect 4 queries: the round, the approved returns, the partners, the questions
    with django_assert_num_queries(4):
        vera.get("/rounds/stocktaking-2027/")
    approve(open_round, "DE", "FR", "TH", "JP", "CN")
    with django_assert_num_queries(4):
        vera.get("/rounds/stocktaking-2027/")


def test_an_approval_shows_at_once_though_the_page_was_kept_for_anonymous_visitors(transactional_db, de_return, vera,
                                                                                   alice, secretariat):
    # Writes here commit, as a request's would: the kept pages hear of a change when it commits.
    report = services.save_return(report=de_return, user=alice, version=de_return.version,
                                  answers={1: "A year of new programmes."})
    report = services.submit_return(report=report, user=alice, version=report.version)
    assert "0 partners of 53" in vera.get("/rounds/stocktaking-2027/").content.decode()
    assert vera.get("/rounds/stocktaking-2027/")["X-Response-Cache"] == "hit"

    services.approve_return(report=report, user=secretariat)

    assert "1 partner of 53" in vera.get("/rounds/stocktaking-2027/").content.decode()


def test_the_secretariat_finds_the_board_from_the_rounds_page(open_round, client, secretariat, alice):
    client.force_login(alice)
    assert "/rounds/stocktaking-2027/board/" not in client.get("/rounds/stocktaking-2027/").content.decode()
    client.force_login(secretariat)
    assert 'href="/rounds/stocktaking-2027/board/"' in client.get("/rounds/stocktaking-2027/").content.decode()
