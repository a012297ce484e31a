"""Adverse event pages: report, detail with course, follow-up or correction, entered in
error, the dose change an event caused, and the monitor's SAE listing."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from participants.form_states import forms_due
from participants.forms import EnteredInErrorForm, StudyDrugExposureForm
from participants.locks import lock_covering
from participants.models import StudyDrugExposure, Visit
from participants.services import StaleEdit
from participants.views.access import (
    attach_errors,
    participant_for,
    participant_for_entry,
    trial_for,
    visit_for,
)
from participants.views.records import entered_in_error_from_post
from safety.choices import DOSE_CHANGE_ACTIONS
from safety.forms import AdverseEventForm
from safety.models import AdverseEvent
from safety.services import (
    adverse_event_dose_change_record,
    adverse_event_mark_entered_in_error,
    adverse_event_save,
)
from trials.choices import Assessment
from trials.models import can_enter_data

STALE_MESSAGE = (
    "Not saved: someone changed this adverse event after you opened it. Their changes are "
    "listed below; reload the page to see them and enter yours again."
)
LISTING_PAGE_SIZE = 50


def _event_for(participant, ae_pk) -> AdverseEvent:
    return get_object_or_404(
        AdverseEvent.objects.filter(participant=participant, entered_in_error=False).select_related(
            "exposure__visit"
        ),
        pk=ae_pk,
    )


def _after_save(event: AdverseEvent, code: str):
    """An action that changes the dose takes the coordinator to record it on the exposure
    form; otherwise back to the event."""
    if event.action_taken in DOSE_CHANGE_ACTIONS and event.exposure_id is None:
        return redirect("safety:adverse_event_dose_change", code, event.participant_id, event.pk)
    return redirect("safety:adverse_event", code, event.participant_id, event.pk)


@login_required
def adverse_event(request, code, pk, ae_pk):
    """One adverse event: its coding, grade, seriousness (with the SAE report clock) and
    its course over time."""
    participant = participant_for(request, code, pk)
    event = _event_for(participant, ae_pk)
    can_edit = can_enter_data(
        request.user, participant.trial_id, participant.site_id
    ) and not lock_covering(trial_id=participant.trial_id, record=event)
    return render(
        request,
        "safety/adverse_event.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "event": event,
            "course": event.course.select_related("recorded_by"),
            "can_edit": can_edit,
            "error_form": EnteredInErrorForm(record=event) if can_edit else None,
        },
    )


def _form_page(request, participant, form, *, event=None, stale=None):
    return render(
        request,
        "safety/adverse_event_form.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "event": event,
            "form": form,
            "title": "Change adverse event" if event else "Report an adverse event",
            "stale": stale,
        },
    )


def _save(request, participant, form, event=None):
    """Run the service on a valid form; the response, or None (errors are on the form)."""
    try:
        saved = adverse_event_save(
            participant=participant,
            values=form.values(),
            user=request.user,
            event=event,
            expected_version=form.cleaned_data.get("version"),
            reason=form.cleaned_data.get("reason_for_change", ""),
            kind=form.cleaned_data.get("kind") or None,
            as_of=form.cleaned_data.get("as_of"),
        )
    except StaleEdit as exc:
        form.add_error(None, STALE_MESSAGE)
        return exc.changes
    except ValidationError as exc:
        attach_errors(form, exc)
        return None
    messages.success(request, f"Adverse event saved: {saved.verbatim_term}.")
    return _after_save(saved, participant.trial.code)


@login_required
def adverse_event_add(request, code, pk):
    """Report a new adverse event (from the casebook, or a visit's AE review: ?visit=)."""
    participant = participant_for_entry(request, code, pk)
    instance = AdverseEvent(participant=participant)
    visit_pk = request.GET.get("visit") or request.POST.get("visit")
    if visit_pk and str(visit_pk).isdigit():
        instance.visit = visit_for(participant, int(visit_pk))
    form = AdverseEventForm(request.POST or None, instance=instance, participant=participant)
    stale = None
    if request.method == "POST" and form.is_valid():
        outcome = _save(request, participant, form)
        if isinstance(outcome, list):
            stale = outcome
        elif outcome is not None:
            return outcome
    return _form_page(request, participant, form, stale=stale)


@login_required
def adverse_event_edit(request, code, pk, ae_pk):
    """Follow up or correct an adverse event, with a reason."""
    participant = participant_for_entry(request, code, pk)
    event = _event_for(participant, ae_pk)
    form = AdverseEventForm(request.POST or None, instance=event, participant=participant)
    stale = None
    if request.method == "POST" and form.is_valid():
        outcome = _save(request, participant, form, event=_event_for(participant, ae_pk))
        if isinstance(outcome, list):
            stale = outcome
        elif outcome is not None:
            return outcome
    return _form_page(request, participant, form, event=event, stale=stale)


@login_required
@require_POST
def adverse_event_entered_in_error(request, code, pk, ae_pk):
    participant = participant_for_entry(request, code, pk)
    event = _event_for(participant, ae_pk)
    return entered_in_error_from_post(
        request,
        event,
        partial(adverse_event_mark_entered_in_error, event=event),
        label="adverse event",
        done=reverse("safety:participant_casebook", args=[code, participant.pk]),
        back=reverse("safety:adverse_event", args=[code, participant.pk, event.pk]),
    )


def _dose_change_visits(participant, event):
    """The participant's visits on or after onset whose schedule has the exposure form."""
    visits = (
        Visit.objects.in_casebook()
        .filter(participant=participant)
        .filter(
            Q(actual_date__gte=event.onset_date)
            | Q(actual_date__isnull=True, target_date__gte=event.onset_date)
        )
        .select_related("definition")
        .order_by("target_date", "actual_date", "pk")
    )
    return [v for v in visits if Assessment.DOSING in forms_due(v)]


def _dose_change_reason(event: AdverseEvent) -> str:
    return (
        f"{event.get_action_taken_display()} because of the adverse event "
        f"\u201c{event.verbatim_term}\u201d (onset {event.onset_date:%Y-%m-%d})."
    )


@login_required
def adverse_event_dose_change(request, code, pk, ae_pk):
    """Record the dose change an event's action caused: choose the visit, then save its
    exposure form (prefilled) and link the event to it in one transaction."""
    participant = participant_for_entry(request, code, pk)
    event = _event_for(participant, ae_pk)
    visits = _dose_change_visits(participant, event)
    visit = None
    visit_pk = request.POST.get("visit") or request.GET.get("visit")
    if visit_pk:
        visit = next((v for v in visits if str(v.pk) == str(visit_pk)), None)
        if visit is None:
            raise Http404("This visit is not one on or after the event's onset.")
    form = record = stale = None
    if visit is not None:
        record = StudyDrugExposure.objects.filter(visit=visit, entered_in_error=False).first()
        instance = record or StudyDrugExposure(participant=participant, visit=visit)
        initial = {"dose_changed": True, "dose_change_reason": _dose_change_reason(event)}
        if record is not None:
            initial["reason_for_change"] = f"Dose change for adverse event {event.verbatim_term}"
        form = StudyDrugExposureForm(
            request.POST if request.method == "POST" else None,
            instance=instance,
            participant=participant,
            visit=visit,
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            try:
                adverse_event_dose_change_record(
                    event=event,
                    visit=visit,
                    values=form.values(),
                    user=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    reason=form.cleaned_data.get("reason_for_change", ""),
                )
            except StaleEdit as exc:
                stale = exc.changes
                form.add_error(None, STALE_MESSAGE)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Dose change recorded at {visit.name}.")
                return redirect("safety:adverse_event", code, participant.pk, event.pk)
    return render(
        request,
        "safety/adverse_event_dose_change.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "event": event,
            "visits": visits,
            "visit": visit,
            "record": record,
            "form": form,
            "stale": stale,
            "title": "Record the dose change",
        },
    )


@login_required
def sae_listing(request, code):
    """Serious adverse events at the sites in the user's scope, overdue reports first."""
    trial = trial_for(request, code)
    now = timezone.now()
    events = (
        AdverseEvent.objects.for_user(request.user)
        .serious()
        .filter(trial_filter(trial))
        .select_related("participant__site")
        .order_by(F("sae_reported_at").asc(nulls_first=True), "sae_report_due_at", "pk")
    )
    page = Paginator(events, LISTING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "safety/sae_listing.html",
        {"trial": trial, "page": page, "now": now, "title": "Serious adverse events"},
    )


def trial_filter(trial) -> Q:
    return Q(participant__trial=trial, participant__entered_in_error=False, entered_in_error=False)
