"""A case report form at a visit: enter, change with a reason, mark entered in error."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from participants.form_states import forms_due
from participants.forms import CRF_FORMS, EnteredInErrorForm
from participants.locks import lock_covering
from participants.models import CRF_MODELS
from participants.services import StaleEdit, crf_save, record_mark_entered_in_error
from participants.views.access import (
    attach_errors,
    participant_for,
    participant_for_entry,
    visit_for,
)
from participants.views.records import entered_in_error_from_post
from trials.choices import Assessment
from trials.models import can_enter_data


def _crf_context(request, code, pk, visit_pk, form_code, *, entry):
    participant = (participant_for_entry if entry else participant_for)(request, code, pk)
    visit = visit_for(participant, visit_pk)
    if form_code not in CRF_FORMS or form_code not in forms_due(visit):
        raise Http404("This form is not part of this visit.")
    model = CRF_MODELS[form_code]
    record = model.objects.filter(visit=visit, entered_in_error=False).first()
    return participant, visit, model, record


def _extra_context(form_class, participant, visit, record, user) -> dict:
    """Hook for forms that show derived values (e.g. the prescribed dose)."""
    extra = getattr(form_class, "page_context", None)
    return extra(participant=participant, visit=visit, record=record, user=user) if extra else {}


@login_required
def crf_edit(request, code, pk, visit_pk, form_code):
    """GET shows the form (read-only for roles that don't enter data); POST saves it."""
    participant, visit, model, record = _crf_context(
        request, code, pk, visit_pk, form_code, entry=request.method == "POST"
    )
    form_class = CRF_FORMS[form_code]
    instance = record or model(participant=participant, visit=visit)
    form = form_class(request.POST or None, instance=instance, participant=participant, visit=visit)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            crf_save(
                record=instance,
                values=form.values(),
                user=request.user,
                expected_version=form.cleaned_data.get("version"),
                reason=form.cleaned_data.get("reason_for_change", ""),
            )
        except StaleEdit as exc:
            stale = exc.changes
            form.add_error(
                None,
                "Not saved: someone changed this form after you opened it. Their changes "
                "are listed below; reload the form to see them and enter yours again.",
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"{Assessment(form_code).label} saved.")
            return redirect("participants:visit_detail", code, participant.pk, visit.pk)
    # Locked data is read-only for everyone: no edit buttons (the services refuse anyway).
    can_edit = can_enter_data(
        request.user, participant.trial_id, participant.site_id
    ) and not lock_covering(
        trial_id=participant.trial_id,
        participant_id=participant.pk,
        visit_id=visit.pk,
        record=record,
    )
    return render(
        request,
        "participants/crf_form.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "visit": visit,
            "form": form,
            "record": record,
            "title": Assessment(form_code).label,
            "form_code": form_code,
            "can_edit": can_edit,
            "stale": stale,
            "error_form": EnteredInErrorForm(record=record) if (record and can_edit) else None,
            **_extra_context(form_class, participant, visit, record, request.user),
        },
    )


@login_required
@require_POST
def crf_entered_in_error(request, code, pk, visit_pk, form_code):
    participant, visit, _model, record = _crf_context(
        request, code, pk, visit_pk, form_code, entry=True
    )
    if record is None:
        raise Http404("Nothing saved on this form.")
    return entered_in_error_from_post(
        request,
        record,
        partial(record_mark_entered_in_error, record=record),
        label=Assessment(form_code).label.lower(),
        done=reverse("participants:visit_detail", args=[code, participant.pk, visit.pk]),
        back=reverse("participants:crf_edit", args=[code, participant.pk, visit.pk, form_code]),
    )
