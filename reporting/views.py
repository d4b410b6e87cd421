"""The reporting rounds' public pages."""

from django.shortcuts import get_object_or_404, render

from reporting.models import Round


def round_list(request):
    rounds = Round.objects.exclude(state=Round.State.DRAFT)
    return render(request, "reporting/round_list.html", {"rounds": rounds})


def round_detail(request, slug):
    round_ = get_object_or_404(Round.objects.exclude(state=Round.State.DRAFT), slug=slug)
    return render(request, "reporting/round_detail.html", {"round": round_})
