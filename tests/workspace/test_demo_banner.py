"""The workspace says so when what it lists includes demonstration data, as every public page does."""

from tests import factories

BANNER = "Demonstration data."


def test_the_mobility_page_shows_the_banner_beside_demo_flows_only(client, alice):
    client.force_login(alice)
    factories.MobilityFlowFactory(is_demo=False)
    assert BANNER not in client.get("/workspace/mobility/").content.decode()
    factories.MobilityFlowFactory(is_demo=True)
    assert BANNER in client.get("/workspace/mobility/").content.decode()


def test_the_home_and_activity_pages_show_the_banner_for_a_demo_activity(client, alice, partner_de):
    client.force_login(alice)
    real = factories.ActivityFactory(lead_partner=partner_de, state="draft")
    assert BANNER not in client.get("/workspace/").content.decode()
    demo = factories.ActivityFactory(lead_partner=partner_de, state="draft", is_demo=True)
    assert BANNER in client.get("/workspace/").content.decode()
    assert BANNER in client.get(f"/workspace/activities/{demo.slug}/").content.decode()
    assert BANNER not in client.get(f"/workspace/activities/{real.slug}/").content.decode()
