from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (label, URL name, the path prefixes that count as being in that section)
NAVIGATION = [
    (_("Home"), "home", ()),
    (_("Progress"), "progress", ("/progress/",)),
    (_("Objectives"), "objectives:list", ("/objectives/", "/indicators/")),
    (_("Instruments"), "instruments:list", ("/instruments/",)),
    (_("Activities"), "mobility:activities", ("/activities/",)),
    (_("Partners"), "mobility:partners", ("/partners/",)),
    (_("Mobility"), "mobility:mobility", ("/mobility/",)),
    (_("Rounds"), "reporting:rounds", ("/rounds/",)),
    (_("About"), "about", ("/about/",)),
]


def site(request):
    path = request.path if request is not None else ""
    navigation = []
    for label, name, prefixes in NAVIGATION:
        url = reverse(name)
        if path == url:
            current = "page"
        elif any(path.startswith(prefix) for prefix in prefixes):
            current = "true"
        else:
            current = ""
        navigation.append({"label": label, "url": url, "current": current})
    return {"site_name": "ASEM Education Portal", "debug": settings.DEBUG, "navigation": navigation}
