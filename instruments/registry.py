"""What the instruments' pages show but the instruments app does not hold, filled by the apps that hold it."""

from core.related import RelatedItems

# The published activities that use each instrument, keyed by its slug; mobility fills it from its AppConfig.ready().
related_activities = RelatedItems()
