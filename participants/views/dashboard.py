"""The site dashboard: a coordinator's day at a glance."""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from participants.choices import ParticipantStatus, VisitStatus
from participants.models import CRF_MODELS, Participant, Visit
from participants.views.access import trial_for
from trials.choices import Assessment

LIST_LIMIT = 50

# Panels other apps add to the dashboard (safety: SAE report clocks, renal signals), filled
# by their AppConfig.ready(): callables (request, trial, today) -> {"template": ..., ...}
# whose dict is the context of the included template. Each does a fixed number of queries.
DASHBOARD_PANELS: list = []


@login_required
def site_dashboard(request, code):
    """Participants by status, visits due this week and overdue, incomplete forms, at the
    sites in the user's scope (`?site=01`: one of them). A fixed number of queries, whatever
    the trial's size."""
    trial = trial_for(request, code)
    site = request.GET.get("site", "")
    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=6 - today.weekday())
    participants = Participant.objects.for_user(request.user).in_casebook().filter(trial=trial)
    if site:
        participants = participants.filter(site__number=site)
    counts = dict(participants.values_list("status").annotate(n=Count("pk")).order_by())
    by_status = [(s, counts.get(s.value, 0)) for s in ParticipantStatus]
    visits = (
        Visit.objects.for_user(request.user)
        .in_casebook()
        .filter(participant__trial=trial, participant__entered_in_error=False)
        .exclude(status__in=[VisitStatus.COMPLETED, VisitStatus.MISSED])
        .with_current_status(today)
        .select_related("participant", "definition")
    )
    if site:
        visits = visits.filter(participant__site__number=site)
    overdue = visits.filter(current_status=VisitStatus.OVERDUE).order_by("window_end")
    due_this_week = visits.filter(window_start__lte=week_end, window_end__gte=today).order_by(
        "target_date"
    )
    incomplete = []
    for form_code, model in CRF_MODELS.items():
        rows = (
            model.objects.for_user(request.user)
            .in_casebook()
            .filter(participant__trial=trial, complete=False)
            .filter(**({"participant__site__number": site} if site else {}))
            .select_related("participant", "visit__definition")
            .order_by("report_date")[:LIST_LIMIT]
        )
        incomplete += [(Assessment(form_code).label, form_code, row) for row in rows]
    incomplete.sort(key=lambda item: item[2].report_date)
    return render(
        request,
        "participants/site_dashboard.html",
        {
            "trial": trial,
            "site": site,
            "today": today,
            "by_status": by_status,
            "overdue": overdue[:LIST_LIMIT],
            "overdue_count": overdue.count(),
            "due_this_week": due_this_week[:LIST_LIMIT],
            "due_count": due_this_week.count(),
            "incomplete": incomplete[:LIST_LIMIT],
            "panels": [panel(request, trial, today) for panel in DASHBOARD_PANELS],
        },
    )
