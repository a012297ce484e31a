"""Pages that gather a participant's data from every app (the casebook)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from participants.models import Allocation, Participant
from safety.models import AdverseEvent, LabResult
from trials.models import Trial


@login_required
def participant_casebook(request, code, subject_number):
    """One participant: header, randomization, visits, adverse events and labs."""
    participant = get_object_or_404(
        Participant.objects.for_user(request.user).in_casebook().select_related("trial", "site"),
        trial__code=code,
        subject_number=subject_number,
    )
    unblinded = Trial.objects.unblinded_for(request.user).filter(pk=participant.trial_id).exists()
    allocations = Allocation.objects.filter(participant=participant)
    if unblinded:
        allocation = allocations.select_related("arm").first()
    else:
        # Blinding on the server: a blinded user's page never loads the arm.
        allocation = allocations.only(
            "id", "participant_id", "randomization_number", "allocated_at"
        ).first()
    context = {
        "participant": participant,
        "trial": participant.trial,
        "allocation": allocation,
        "show_arm": unblinded,
        "visits": participant.visits.filter(entered_in_error=False).select_related("definition"),
        "adverse_events": AdverseEvent.objects.filter(
            participant=participant, entered_in_error=False
        ),
        "lab_results": LabResult.objects.filter(participant=participant, entered_in_error=False),
    }
    return render(request, "safety/participant_casebook.html", context)
