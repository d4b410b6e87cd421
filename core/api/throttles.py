"""Request rates, per anonymous client and per account."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _SettingsRate:
    """Reads the rate when asked, so a changed REST_FRAMEWORK setting (a test, a reload) takes effect."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonThrottle(_SettingsRate, throttling.AnonRateThrottle):
    pass


class UserThrottle(_SettingsRate, throttling.UserRateThrottle):
    pass
