"""Screening, consent, enrolment and the baseline date: access, form, service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from participants.forms import BaselineForm, ConsentForm, ScreeningForm
from participants.services import (
    participant_consent,
    participant_enrol,
    participant_screen,
    visit_schedule_create,
)
from participants.views.access import (
    attach_errors,
    participant_for_entry,
    trial_for,
)
from trials.choices import SITE_ROLES
from trials.models import Membership, Site


def casebook(participant):
    return redirect("safety:participant_casebook", participant.trial.code, participant.pk)


@login_required
def screening_create(request, code):
    """Screen a person: their answers to the criteria decide eligibility."""
    trial = trial_for(request, code)
    sites = Site.objects.filter(
        pk__in=Membership.objects.filter(
            user=request.user, trial=trial, role__in=SITE_ROLES
        ).values("site")
    ).order_by("number")
    if not sites.exists():
        raise PermissionDenied("Only a site's coordinators and investigators screen.")
    form = ScreeningForm(request.POST or None, trial=trial, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            participant = participant_screen(
                trial=trial,
                site=form.chosen_site(),
                sex=form.cleaned_data["sex"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                screening_date=form.cleaned_data["screening_date"],
                answers=form.answers(),
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if participant.eligible:
                messages.success(
                    request,
                    f"{participant.screening_number} is eligible. Record consent to enrol.",
                )
            else:
                messages.warning(
                    request,
                    f"{participant.screening_number} is a screen failure: "
                    f"{participant.status_reason}",
                )
            return casebook(participant)
    return render(request, "participants/screening_form.html", {"trial": trial, "form": form})


@login_required
def consent_record(request, code, pk):
    participant = participant_for_entry(request, code, pk)
    form = ConsentForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        try:
            participant_consent(participant=participant, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Consent recorded.")
            return casebook(participant)
    return render(
        request,
        "participants/participant_form.html",
        {"participant": participant, "trial": participant.trial, "form": form, "title": "Consent"},
    )


@login_required
@require_POST
def enrol(request, code, pk):
    participant = participant_for_entry(request, code, pk)
    try:
        participant = participant_enrol(participant=participant, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Enrolled as {participant.subject_number}.")
    return casebook(participant)


@login_required
def baseline_set(request, code, pk):
    participant = participant_for_entry(request, code, pk)
    form = BaselineForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        try:
            visits = visit_schedule_create(
                participant=participant,
                baseline_date=form.cleaned_data["baseline_date"],
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Baseline set; {len(visits)} visits scheduled.")
            return casebook(participant)
    return render(
        request,
        "participants/participant_form.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "form": form,
            "title": "Baseline date",
        },
    )
