import re

import pytest
from django.conf import settings

from tests.pages import SIZES, build_portal


def test_it_gives_the_strategy_in_its_own_words_and_where_it_comes_from(client, db):
    portal = build_portal(1)
    response = client.get("/about/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "A test vision." in page
    assert "A test mission." in page
    for objective in portal.objectives:
        assert objective.title in page
    for priority in portal.priorities:
        assert priority.title in page
    for instrument in portal.instruments:
        assert instrument.name in page
        assert f"Aim 1 of {instrument.name}" in page
    assert "Test document" in page


def test_a_priority_shows_its_code_once_and_its_qualifier_beside_its_title(client, strategy):
    page = client.get("/about/").content.decode()

    assert ("<li><strong>1.1</strong> To promote physical mobility between Europe and Asia "
            '<span class="note">— balanced and inclusive</span></li>') in page
    assert '<p class="note">balanced and inclusive</p>' not in page
    assert "<li value=" not in page  # the list's own numbers would come before each code


def test_the_stylesheet_gives_the_priorities_no_second_number(client):
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()

    assert re.search(r"ol\.priorities \{[^}]*list-style: none", css)


def test_it_never_shows_the_demo_banner(client, db):
    build_portal(1, demo=True)
    assert "demo-banner" not in client.get("/about/").content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_it_takes_the_same_number_of_queries_whatever_the_size(client, db, django_assert_num_queries, size):
    build_portal(size)
    # Expect 5 queries: the strategy, the objectives, their priorities, the instruments, their aims
    with django_assert_num_queries(5):
        assert client.get("/about/").status_code == 200
