"""The report is reached from the home page and the progress chart."""

from objectives.models import Observation


def test_the_home_page_links_to_the_report(client, strategy):
    page = client.get("/").content.decode()

    assert 'href="/reports/stocktaking/"' in page
    assert "Read the stocktaking report" in page


def test_the_progress_chart_links_to_the_report_ending_with_its_year(client, scenario):
    page = client.get("/progress/?as_of=2025").content.decode()

    assert 'href="/reports/stocktaking/?from=2024&amp;to=2025"' in page
    assert "The stocktaking report 2024–2025" in page


def test_the_progress_chart_without_any_data_offers_no_report_link(client, strategy):
    Observation.objects.all().delete()  # load_strategy ships the OECD's students figures
    assert "/reports/stocktaking/" not in client.get("/progress/").content.decode()
