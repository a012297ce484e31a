"""Randomizing a participant, the randomization list (unblinded users), emergency
unblinding (investigators): access, form, service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from participants.forms import EmergencyUnblindingForm, RandomizationImportForm, RandomizeForm
from participants.models import Allocation, RandomizationList, RandomizationSlot
from participants.models.randomization import can_emergency_unblind, trials_with_list_access
from participants.services import (
    participant_emergency_unblind,
    participant_randomize,
    randomization_list_import,
)
from participants.views.access import attach_errors, participant_for, participant_for_entry
from participants.views.enrolment import casebook


def trial_for_list(request, code):
    """A trial whose list the user may read (the unblinded role); otherwise 404, so that a
    blinded user does not learn the page exists."""
    return get_object_or_404(trials_with_list_access(request.user), code=code)


@login_required
def randomization_list(request, code):
    trial = trial_for_list(request, code)
    slots = (
        RandomizationSlot.objects.for_user(request.user)
        .filter(trial=trial)
        .select_related("site", "arm", "participant", "taken_by")
        .order_by("site__number", "factor_level", "sequence")
    )
    return render(
        request,
        "participants/randomization_list.html",
        {
            "trial": trial,
            "randomization_list": RandomizationList.objects.filter(trial=trial)
            .select_related("created_by")
            .first(),
            "page": Paginator(slots, 100).get_page(request.GET.get("page")),
        },
    )


@login_required
def randomization_import(request, code):
    trial = trial_for_list(request, code)
    form = RandomizationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            randomization_list_import(
                trial=trial,
                rows=form.cleaned_data["file"],
                factor_name=form.cleaned_data["factor_name"],
                user=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                attach_errors(form, exc)
            else:
                form.add_error("file", exc.messages)
        else:
            messages.success(request, f"Randomization list imported for {trial.code}.")
            return redirect("participants:randomization_list", trial.code)
    return render(
        request,
        "participants/randomization_import.html",
        {"trial": trial, "form": form, "title": "Import randomization list"},
    )


@login_required
def randomize(request, code, pk):
    """Ask the stratum (when the list has a factor) and randomize; the casebook then shows
    the number and date (and the arm to unblinded users only)."""
    participant = participant_for_entry(request, code, pk)
    # Only the factor: the list's seed would give the whole list away.
    randomization_list = (
        RandomizationList.objects.filter(trial=participant.trial)
        .only("id", "factor_name", "factor_levels")
        .first()
    )
    allocation = (
        Allocation.objects.filter(participant=participant)
        .only("id", "participant_id", "randomization_number", "allocated_at")
        .first()
    )
    form = RandomizeForm(request.POST or None, randomization_list=randomization_list)
    if request.method == "POST" and allocation is None and form.is_valid():
        try:
            allocation = participant_randomize(
                participant=participant,
                factor_level=form.cleaned_data.get("factor_level", ""),
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                f"{participant.number} randomized: number {allocation.randomization_number}.",
            )
            return casebook(participant)
    return render(
        request,
        "participants/randomize.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "form": form,
            "allocation": allocation,
            "randomization_list": randomization_list,
            "title": "Randomize",
        },
    )


@login_required
def emergency_unblind(request, code, pk):
    """The investigator learns the arm, on this page only, after giving the reason."""
    participant = participant_for(request, code, pk)
    if not can_emergency_unblind(request.user, participant.trial_id, participant.site_id):
        raise PermissionDenied("Only an investigator at the participant's site can unblind.")
    form = EmergencyUnblindingForm(request.POST or None)
    context = {
        "participant": participant,
        "trial": participant.trial,
        "title": "Emergency unblinding",
    }
    if request.method == "POST" and form.is_valid():
        try:
            allocation = participant_emergency_unblind(
                participant=participant, reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            # Rendered, not redirected: the arm is shown once, to the one who asked.
            context["allocation"] = allocation
            return render(request, "participants/emergency_unblinding_result.html", context)
    return render(request, "participants/emergency_unblinding.html", {**context, "form": form})
