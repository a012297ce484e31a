"""Signing a casebook (or one visit) with the re-entered password."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from participants.views.access import attach_errors, participant_for, visit_for
from review.forms import SignatureForm
from review.services.signatures import can_sign, signature_sign


@login_required
def signature_sign_view(request, code, pk):
    """GET ?visit=<pk> signs one visit, otherwise the casebook. Investigators of the
    participant's site only (others in scope: 403)."""
    participant = participant_for(request, code, pk)
    if not can_sign(request.user, participant):
        raise PermissionDenied("Only an investigator at the participant's site signs.")
    visit_pk = request.GET.get("visit", "")
    visit = visit_for(participant, int(visit_pk)) if visit_pk.isdigit() else None
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signature_sign(
                participant=participant,
                visit=visit,
                user=request.user,
                password=form.cleaned_data["password"],
                meaning=form.cleaned_data["meaning"],
                request=request,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Signed.")
            return redirect("safety:participant_casebook", code, participant.pk)
    return render(
        request,
        "review/signature_sign.html",
        {
            "trial": participant.trial,
            "participant": participant,
            "visit": visit,
            "form": form,
            "printed_name": request.user.get_full_name() or request.user.get_username(),
        },
    )
