from django.conf import settings


def site(request):
    return {"site_name": "ASEM Education Portal", "debug": settings.DEBUG}
