"""The monitor's home: per site, the numbers a monitoring visit starts from, each linking
to the listing that shows them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, FilteredRelation, Q
from django.shortcuts import render
from django.utils import timezone

from participants.choices import VisitStatus
from participants.models import Participant, Visit
from participants.views.access import trial_for
from review.selectors import forms_awaiting_verification, open_query_counts
from review.services.queries import REVIEW_ROLES
from safety.models import AdverseEvent, RenalSignal
from trials.models import Membership, sites_in_scope_read

# review.selectors.open_query_counts: open queries by age (days since raised), all open,
# and answered ones waiting for the monitor.
QUERY_KEYS = ("lt7", "7to30", "gt30", "open", "answered")


def _per_site(queryset, site_lookup: str, **counts) -> dict[int, dict]:
    """{site id: {name: n}} from one GROUP BY query."""
    rows = queryset.values(site_lookup).annotate(**counts).order_by()
    return {row[site_lookup]: row for row in rows}


def site_counts(user, trial, now=None) -> list[dict]:
    """One row per site of the trial in the user's scope, with the monitoring numbers.

    A fixed number of queries whatever the number of sites or records (DESIGN.md rule 7):
    one GROUP BY per kind of number.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    sites = sites_in_scope_read(user, trial)
    participants = _per_site(
        Participant.objects.for_user_in_trial(user, trial).in_casebook(),
        "site",
        participants=Count("pk"),
    )
    visits = _per_site(
        Visit.objects.for_user_in_trial(user, trial)
        .in_casebook()
        .filter(participant__entered_in_error=False)
        .with_current_status(today)
        .filter(current_status=VisitStatus.OVERDUE),
        "participant__site",
        overdue_visits=Count("pk"),
    )
    events = (
        AdverseEvent.objects.for_user_in_trial(user, trial)
        .filter(participant__entered_in_error=False, entered_in_error=False)
        .alias(my_mark=FilteredRelation("review_marks", condition=Q(review_marks__reviewer=user)))
    )
    overdue_sae = Q(serious=True, sae_reported_at__isnull=True, sae_report_due_at__lt=now)
    adverse_events = _per_site(
        events,
        "participant__site",
        # (annotation names must not shadow the fields the filters read)
        n_events=Count("pk"),
        n_serious=Count("pk", filter=Q(serious=True)),
        n_sae_overdue=Count("pk", filter=overdue_sae),
        # new or changed since the user's last review mark (the listing's `new` filter), by
        # a join with the user's marks (one per event at most): a lookup per event took
        # most of this query's time at 100,000 events (bench/)
        n_new=Count(
            "pk",
            filter=Q(my_mark__isnull=True) | Q(my_mark__reviewed_version__lt=F("version")),
        ),
    )
    signals = _per_site(
        RenalSignal.objects.for_user_in_trial(user, trial).open(),
        "participant__site",
        open_signals=Count("pk"),
    )
    queries = open_query_counts(user, trial)
    awaiting = forms_awaiting_verification(user, trial)
    rows = []
    for site in sites:
        row = {"site": site}
        for source, names in (
            (participants, ["participants"]),
            (visits, ["overdue_visits"]),
            (adverse_events, ["n_events", "n_serious", "n_sae_overdue", "n_new"]),
            (signals, ["open_signals"]),
        ):
            found = source.get(site.pk, {})
            row.update({name: found.get(name, 0) for name in names})
        row["adverse_events"] = row.pop("n_events")
        row["serious"] = row.pop("n_serious")
        row["sae_overdue"] = row.pop("n_sae_overdue")
        row["new_since_review"] = row.pop("n_new")
        found = queries.get(site.number, {})
        row.update({f"queries_{key}": found.get(key, 0) for key in QUERY_KEYS})
        row["awaiting_sdv"] = awaiting.get(site.number, 0)
        rows.append(row)
    return rows


@login_required
def monitor_home(request, code):
    """Per site: participants, overdue visits, open queries by age, AEs and SAEs (with SAEs
    past their 24-hour report deadline), open renal signals and forms awaiting source
    verification; each number links to its filtered listing."""
    trial = trial_for(request, code)
    roles = set(
        Membership.objects.filter(user=request.user, trial=trial).values_list("role", flat=True)
    )
    # the roles that review (raise and close queries): monitors and data managers
    if not roles & set(REVIEW_ROLES):
        raise PermissionDenied("The monitor's home is for monitors and data managers.")
    return render(
        request,
        "review/monitor_home.html",
        {"trial": trial, "rows": site_counts(request.user, trial), "now": timezone.now()},
    )
