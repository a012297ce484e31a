"""Pages that gather a participant's data from every app (the casebook), and the end of
study (which may name an adverse event)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from participants.choices import ParticipantStatus
from participants.form_states import form_slots
from participants.locks import lock_covering
from participants.models import Allocation, EmergencyUnblinding, Participant, Visit
from participants.models.randomization import can_emergency_unblind, sees_unblinding_notices
from participants.services import StaleEdit
from participants.views.access import attach_errors, participant_for, participant_for_entry
from safety.forms import EndOfStudyForm
from safety.models import AdverseEvent, EndOfStudy
from safety.services import end_of_study_record
from safety.views.labs import casebook_labs_context
from trials.models import Trial, can_enter_data

# Panels a higher app adds to the casebook (review: open queries, source verification,
# investigator signature, locks), filled by its AppConfig.ready(): callables
# (request, participant) -> {"template": ..., ...} or None, whose dict is the context of
# the included template. Each does a fixed number of queries.
CASEBOOK_PANELS: list = []


@login_required
def participant_casebook(request, code, pk):
    """One participant: header, randomization, visit timeline with form states, AEs, labs."""
    participant = get_object_or_404(
        Participant.objects.for_user(request.user).in_casebook().select_related("trial", "site"),
        trial__code=code,
        pk=pk,
    )
    today = timezone.localdate()
    unblinded = Trial.objects.unblinded_for(request.user).filter(pk=participant.trial_id).exists()
    allocations = Allocation.objects.filter(participant=participant)
    if unblinded:
        allocation = allocations.select_related("arm").first()
    else:
        # Blinding on the server: a blinded user's page never loads the arm.
        allocation = allocations.only(
            "id", "participant_id", "randomization_number", "allocated_at"
        ).first()
    visits = list(
        Visit.objects.in_casebook()
        .filter(participant=participant)
        .select_related("definition")
        .with_current_status(today)
    )
    slots = form_slots(visits, today)
    # The panels of review read the lock from here (one query for the page).
    participant.active_lock = lock_covering(record=participant)
    can_edit = (
        can_enter_data(request.user, participant.trial_id, participant.site_id)
        and participant.active_lock is None
    )
    trial_site = (request.user, participant.trial_id, participant.site_id)
    unblindings = (
        EmergencyUnblinding.objects.filter(participant=participant).select_related("unblinded_by")
        if sees_unblinding_notices(*trial_site, unblinded=unblinded)
        else []
    )
    context = {
        "participant": participant,
        "trial": participant.trial,
        "allocation": allocation,
        "show_arm": unblinded,
        "can_edit": can_edit,
        "can_enrol": can_edit
        and participant.status == ParticipantStatus.SCREENING
        and participant.eligible
        and participant.consent_date is not None,
        "can_randomize": can_edit
        and allocation is None
        and participant.status in (ParticipantStatus.ENROLLED, ParticipantStatus.ON_TREATMENT),
        "can_unblind": allocation is not None
        and not unblinded
        and can_emergency_unblind(*trial_site),
        "unblindings": unblindings,
        "timeline": [(visit, slots[visit.pk]) for visit in visits],
        "eligibility_answers": participant.eligibility_answers.select_related("criterion"),
        "adverse_events": AdverseEvent.objects.filter(
            participant=participant, entered_in_error=False
        )
        .annotate(worst_grade=Max("course__ctcae_grade"))
        .select_related("exposure__visit__definition"),
        **casebook_labs_context(participant),
        "end_of_study": EndOfStudy.objects.filter(participant=participant, entered_in_error=False)
        .select_related("adverse_event")
        .first(),
    }
    context["panels"] = [
        panel_context
        for panel in CASEBOOK_PANELS
        if (panel_context := panel(request, participant)) is not None
    ]
    return render(request, "safety/participant_casebook.html", context)


@login_required
def end_of_study(request, code, pk):
    """GET shows the end of study (read-only for roles that don't enter data); POST saves
    it and sets the participant's status."""
    access = participant_for_entry if request.method == "POST" else participant_for
    participant = access(request, code, pk)
    record = (
        EndOfStudy.objects.filter(participant=participant, entered_in_error=False)
        .select_related("adverse_event")
        .first()
    )
    form = EndOfStudyForm(
        request.POST or None,
        instance=record or EndOfStudy(participant=participant),
        participant=participant,
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            end_of_study_record(
                participant=participant,
                values=form.values(),
                user=request.user,
                expected_version=form.cleaned_data.get("version"),
                reason=form.cleaned_data.get("reason_for_change", ""),
            )
        except StaleEdit as exc:
            stale = exc.changes
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "End of study saved.")
            return redirect("safety:participant_casebook", code, participant.pk)
    return render(
        request,
        "safety/end_of_study_form.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "form": form,
            "record": record,
            "title": "End of study",
            "can_edit": can_enter_data(request.user, participant.trial_id, participant.site_id)
            and not lock_covering(record=record or participant),
            "stale": stale,
        },
    )
