from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from trials.choices import Role
from trials.models import Membership


@login_required
def home(request):
    """After login: the user's trials, and their roles and sites in each."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("trial", "site")
        .order_by("trial__code", "role", "site__number")
    )
    trials = {}
    for membership in memberships:
        entry = trials.setdefault(membership.trial.pk, {"trial": membership.trial, "roles": []})
        entry["roles"].append(membership)
        # monitors and data managers have a monitor's home (review app)
        if membership.role in (Role.MONITOR, Role.DATA_MANAGER):
            entry["monitors"] = True
    return render(request, "trials/home.html", {"trials": list(trials.values())})
