"""A visit: its date or why it was missed, and the forms due at it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from participants.form_states import form_slots
from participants.forms import UnscheduledVisitForm, VisitDateForm, VisitMissedForm
from participants.locks import lock_covering
from participants.services import (
    StaleEdit,
    visit_mark_missed,
    visit_record,
    visit_unscheduled_add,
)
from participants.views.access import (
    attach_errors,
    participant_for,
    participant_for_entry,
    visit_for,
)
from trials.models import can_enter_data

# Panels a higher app adds to the visit page (review: the visit's lock), filled by its
# AppConfig.ready(): callables (request, visit) -> {"template": ..., ...} or None.
VISIT_PANELS: list = []


def _render_visit(request, participant, visit, *, date_form=None, missed_form=None, stale=None):
    today = timezone.localdate()
    can_edit = can_enter_data(
        request.user, participant.trial_id, participant.site_id
    ) and not lock_covering(
        trial_id=participant.trial_id, participant_id=participant.pk, visit_id=visit.pk
    )
    if can_edit:
        args = [participant.trial.code, participant.pk, visit.pk]
        date_form = date_form or VisitDateForm(visit=visit)
        date_form.helper.form_action = reverse("participants:visit_date", args=args)
        missed_form = missed_form or VisitMissedForm(visit=visit)
        missed_form.helper.form_action = reverse("participants:visit_missed", args=args)
    return render(
        request,
        "participants/visit_detail.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "visit": visit,
            "status": visit.status_on(today),
            "slots": form_slots([visit], today)[visit.pk],
            "can_edit": can_edit,
            "date_form": date_form,
            "missed_form": missed_form,
            "stale": stale,
            "panels": [
                context for panel in VISIT_PANELS if (context := panel(request, visit)) is not None
            ],
        },
    )


@login_required
def visit_detail(request, code, pk, visit_pk):
    participant = participant_for(request, code, pk)
    visit = visit_for(participant, visit_pk)
    return _render_visit(request, participant, visit)


@login_required
@require_POST
def visit_date(request, code, pk, visit_pk):
    participant = participant_for_entry(request, code, pk)
    visit = visit_for(participant, visit_pk)
    form = VisitDateForm(request.POST, visit=visit)
    if form.is_valid():
        try:
            visit = visit_record(
                visit=visit,
                actual_date=form.cleaned_data["actual_date"],
                user=request.user,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason_for_change", ""),
            )
        except StaleEdit as exc:
            return _render_visit(request, participant, visit, date_form=form, stale=exc.changes)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if visit.out_of_window:
                messages.warning(request, f"{visit.name} saved; it is outside its window.")
            else:
                messages.success(request, f"{visit.name} date saved.")
            return redirect("participants:visit_detail", code, participant.pk, visit.pk)
    return _render_visit(request, participant, visit, date_form=form)


@login_required
@require_POST
def visit_missed(request, code, pk, visit_pk):
    participant = participant_for_entry(request, code, pk)
    visit = visit_for(participant, visit_pk)
    form = VisitMissedForm(request.POST, visit=visit)
    if form.is_valid():
        try:
            visit_mark_missed(
                visit=visit,
                reason=form.cleaned_data["missed_reason"],
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as exc:
            return _render_visit(request, participant, visit, missed_form=form, stale=exc.changes)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"{visit.name} marked missed.")
            return redirect("participants:visit_detail", code, participant.pk, visit.pk)
    return _render_visit(request, participant, visit, missed_form=form)


@login_required
def unscheduled_visit_add(request, code, pk):
    participant = participant_for_entry(request, code, pk)
    form = UnscheduledVisitForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        try:
            visit = visit_unscheduled_add(
                participant=participant,
                actual_date=form.cleaned_data["actual_date"],
                reason=form.cleaned_data["unscheduled_reason"],
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Unscheduled visit added.")
            return redirect("participants:visit_detail", code, participant.pk, visit.pk)
    return render(
        request,
        "participants/participant_form.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "form": form,
            "title": "Unscheduled visit",
        },
    )
