from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Max, Q, Value, When
from django.shortcuts import render

from participants.models import Participant
from participants.views.access import trial_for
from trials.choices import SITE_ROLES, Role
from trials.models import Membership


@login_required
def trial_participants(request, code):
    """A trial's participants at the sites the user's roles cover (`?site=01`: one of
    them)."""
    trial = trial_for(request, code)
    site = request.GET.get("site", "")
    participants = (
        Participant.objects.for_user(request.user)
        .in_casebook()
        .filter(trial=trial)
        .select_related("site")
        .annotate(last_visit=Max("visits__actual_date", filter=Q(visits__entered_in_error=False)))
        # enrolled participants first, by subject number; then those in screening
        .order_by(
            Case(When(subject_number="", then=Value(1)), default=Value(0)),
            "subject_number",
            "screening_number",
        )
    )
    if site:
        participants = participants.filter(site__number=site)
    page = Paginator(participants, 50).get_page(request.GET.get("page"))
    roles = set(
        Membership.objects.filter(user=request.user, trial=trial).values_list("role", flat=True)
    )
    return render(
        request,
        "participants/trial_participants.html",
        {
            "trial": trial,
            "site": site,
            "page": page,
            "can_screen": bool(roles & set(SITE_ROLES)),
            "can_read_list": Role.UNBLINDED in roles,
            "can_monitor": bool(roles & {Role.MONITOR, Role.DATA_MANAGER}),
        },
    )
