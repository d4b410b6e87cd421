from django.shortcuts import render

from instruments.selectors import instrument_list
from objectives.selectors import current_strategy, objective_list


def home(request):
    return render(
        request,
        "asem_portal/home.html",
        {"strategy": current_strategy(), "objectives": objective_list(), "instruments": instrument_list()},
    )
