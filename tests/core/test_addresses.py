"""An address reversed once gives what reverse() gives for each code, slug or number, whatever its digits."""

import pytest
from django.urls import reverse

from core.addresses import reversed_once


@pytest.mark.parametrize(("url_name", "args", "value"), [
    ("mobility:activity", [], "a-workshop-2020-2025"),
    ("objectives:indicator", [], "1.1.b010"),
    ("workspace:return-review", [], 9090),
    ("reporting:board-remind", ["round-2030-0"], 100),
])
def test_it_gives_what_reverse_gives(url_name, args, value):
    assert reversed_once(url_name, *args)(value) == reverse(url_name, args=[*args, value])
