"""An indicator's page address, which the progress chart and an objective's page link for hundreds of indicators."""

from django.urls import set_script_prefix

from objectives.models import Indicator


def test_an_indicators_address_is_its_page():
    assert Indicator(code="1.1.a").get_absolute_url() == "/indicators/1.1.a/"
    assert Indicator(code="4.2.b").get_absolute_url() == "/indicators/4.2.b/"


def test_an_indicators_address_follows_the_prefix_the_portal_is_served_under():
    set_script_prefix("/portal/")
    try:
        assert Indicator(code="1.1.a").get_absolute_url() == "/portal/indicators/1.1.a/"
    finally:
        set_script_prefix("/")
    assert Indicator(code="1.1.a").get_absolute_url() == "/indicators/1.1.a/"
