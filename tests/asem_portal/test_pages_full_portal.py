"""Every address answers with real content on the portal a newcomer runs: the strategy and the demo data loaded.

Loading the demo data takes seconds, so one test walks every address.
"""

from django.core.cache import cache

from mobility.models import Activity
from objectives.models import Indicator
from objectives.services import refresh_computed_indicators

ADDRESSES = [
    ("/", "Progress toward 2030 at a glance"),
    ("/progress/", "The progress chart, as of"),
    ("/progress/?as_of=2021", "The progress chart, as of 2021"),
    ("/objectives/", "Promoting Lifelong Learning including TVET"),
    ("/objectives/1/", "Priority 1.1"),
    ("/objectives/4/", "Priority 4.2"),
    ("/indicators/1.1.a/", "The figures behind the status"),
    ("/instruments/", "Policy Dialogue"),
    ("/instruments/policy-dialogue/", "ASEM Education Ministers"),
    ("/activities/", "activities found"),
    ("/activities/?instrument=policy-dialogue&region=asia", "activities found"),
    ("/activities/?q=lifelong&page=2", "activities found"),
    ("/activities/asemme1/", "1st ASEM Education Ministers"),
    ("/partners/", "Asian partners"),
    ("/partners/DE/", "Germany"),
    ("/partners/ASEAN/", "ASEAN Secretariat"),
    ("/mobility/", "The largest corridors"),
    ("/mobility/?direction=europe_to_asia&level=staff", "By mode"),
    ("/about/", "Where the text comes from"),
]


def test_every_address_answers_with_real_content_on_the_loaded_portal(client, demo_data):
    refresh_computed_indicators()
    cache.clear()

    for path, expected in ADDRESSES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert expected in response.content.decode(), path

    for indicator in Indicator.objects.all():
        response = client.get(indicator.get_absolute_url())
        assert response.status_code == 200, indicator.code
        assert f'id="chart-indicator-{indicator.code.replace(".", "-")}"' in response.content.decode()

    # A real record shows where its facts were published, and no demo banner.
    activity = Activity.objects.get(slug="asemme1")
    page = client.get(activity.get_absolute_url()).content.decode()
    assert f'href="{activity.source_url}"' in page
    assert 'class="demo-banner"' not in page
