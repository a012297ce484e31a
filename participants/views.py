from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.shortcuts import get_object_or_404, render

from participants.models import Participant
from trials.models import Trial


def trial_for(request, code: str) -> Trial:
    """The trial named in the URL, if the user holds a role in it; otherwise 404."""
    return get_object_or_404(Trial.objects.for_user(request.user), code=code)


@login_required
def trial_participants(request, code):
    """A trial's participants at the sites the user's roles cover."""
    trial = trial_for(request, code)
    participants = (
        Participant.objects.for_user(request.user)
        .in_casebook()
        .filter(trial=trial)
        .select_related("site")
        .annotate(last_visit=Max("visits__actual_date", filter=Q(visits__entered_in_error=False)))
        .order_by("subject_number")
    )
    page = Paginator(participants, 50).get_page(request.GET.get("page"))
    return render(request, "participants/trial_participants.html", {"trial": trial, "page": page})
