"""Lab pages: panels at a visit, panel entry and correction, renal-signal closing. (The
monitors' renal lab listing is review:lab_listing.)"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from participants.forms.base import EnteredInErrorForm
from participants.locks import lock_covering
from participants.services import StaleEdit
from participants.views.access import (
    attach_errors,
    participant_for,
    participant_for_entry,
    visit_for,
)
from participants.views.records import entered_in_error_from_post
from safety import analytes
from safety.choices import Panel, SignalStatus
from safety.forms.labs import LabPanelForm, SignalCloseForm
from safety.models import LabPanel, LabResult, RenalSignal
from safety.services import lab_panel_mark_entered_in_error, lab_panel_save, renal_signal_close
from trials.choices import Analyte
from trials.models import can_enter_data


@login_required
def visit_labs(request, code, pk, visit_pk):
    """The lab panels collected at one visit, with their results and flags."""
    participant = participant_for(request, code, pk)
    visit = visit_for(participant, visit_pk)
    panels = (
        LabPanel.objects.filter(visit=visit, entered_in_error=False)
        .prefetch_related(
            Prefetch("results", queryset=LabResult.objects.filter(entered_in_error=False))
        )
        .order_by("report_date", "collection_time", "pk")
    )
    return render(
        request,
        "safety/visit_labs.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "visit": visit,
            "panels": panels,
            "panel_choices": Panel.choices,
            "today": timezone.localdate(),
            "can_edit": can_enter_data(request.user, participant.trial_id, participant.site_id),
        },
    )


def _panel_page(
    request, participant, form, record, panel_code, stale=None, error_form=None, can_edit=True
):
    return render(
        request,
        "safety/lab_panel_form.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "visit": record.visit if record and record.pk else None,
            "form": form,
            "record": record if record and record.pk else None,
            "panel": analytes.panel(panel_code),
            "title": f"{analytes.panel(panel_code).name} panel",
            "can_edit": can_edit,
            "stale": stale,
            "error_form": error_form,
        },
    )


def _save(request, participant, form, record):
    """Run the service: (saved, stale changes or None); errors are attached to the form."""
    try:
        lab_panel_save(
            panel_record=record,
            values=form.values(),
            fields=form.panel_fields(),
            user=request.user,
            expected_version=form.cleaned_data.get("version"),
            reason=form.cleaned_data.get("reason_for_change", ""),
        )
    except StaleEdit as exc:
        return False, exc.changes
    except ValidationError as exc:
        attach_errors(form, exc)
        return False, None
    messages.success(request, f"{record.get_panel_display()} panel saved.")
    return True, None


@login_required
def lab_panel_add(request, code, pk, panel):
    """Enter a panel: at a visit (?visit=<pk> preselects it) or unscheduled."""
    participant = participant_for_entry(request, code, pk)
    if panel not in Panel.values:
        raise Http404("No such panel.")
    record = LabPanel(participant=participant, panel=panel)
    initial = {}
    visit_pk = request.GET.get("visit")
    if visit_pk and visit_pk.isdigit():
        initial["visit"] = visit_for(participant, int(visit_pk)).pk
        initial["report_date"] = participant.visits.get(pk=initial["visit"]).actual_date
    form = LabPanelForm(
        request.POST or None, participant=participant, panel_code=panel, initial=initial
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        saved, stale = _save(request, participant, form, record)
        if saved:
            return redirect("safety:participant_casebook", code, participant.pk)
    return _panel_page(request, participant, form, record, panel, stale)


@login_required
def lab_panel_edit(request, code, pk, panel_pk):
    """Change a saved panel (with a reason); read-only for roles that don't enter data."""
    access = participant_for_entry if request.method == "POST" else participant_for
    participant = access(request, code, pk)
    record = get_object_or_404(
        LabPanel.objects.select_related("visit__definition").prefetch_related("results"),
        participant=participant,
        pk=panel_pk,
        entered_in_error=False,
    )
    form = LabPanelForm(
        request.POST or None, participant=participant, panel_code=record.panel, record=record
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        saved, stale = _save(request, participant, form, record)
        if saved:
            return redirect("safety:participant_casebook", code, participant.pk)
    can_edit = can_enter_data(
        request.user, participant.trial_id, participant.site_id
    ) and not lock_covering(trial_id=participant.trial_id, record=record)
    return _panel_page(
        request,
        participant,
        form,
        record,
        record.panel,
        stale,
        EnteredInErrorForm(record=record) if can_edit else None,
        can_edit,
    )


@login_required
@require_POST
def lab_panel_entered_in_error(request, code, pk, panel_pk):
    participant = participant_for_entry(request, code, pk)
    record = get_object_or_404(
        LabPanel, participant=participant, pk=panel_pk, entered_in_error=False
    )
    return entered_in_error_from_post(
        request,
        record,
        partial(lab_panel_mark_entered_in_error, panel=record),
        label="panel",
        done=reverse("safety:participant_casebook", args=[code, pk]),
        back=reverse("safety:lab_panel_edit", args=[code, pk, panel_pk]),
    )


@login_required
def renal_signal_close_view(request, code, pk, signal_pk):
    """Close an open renal signal by saying what was done (site roles only)."""
    participant = participant_for_entry(request, code, pk)
    signal = get_object_or_404(
        RenalSignal.objects.select_related("lab_result"),
        participant=participant,
        pk=signal_pk,
    )
    if signal.status != SignalStatus.OPEN:
        messages.info(request, "This signal is no longer open.")
        return redirect("safety:participant_casebook", code, pk)
    form = SignalCloseForm(request.POST or None, signal=signal)
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            renal_signal_close(
                signal=signal,
                action=data["action"],
                user=request.user,
                expected_version=data["version"],
                adverse_event=data.get("adverse_event"),
                exposure=data.get("exposure"),
                repeat_lab_date=data.get("repeat_lab_date"),
                note=data.get("note", ""),
            )
        except StaleEdit as exc:
            stale = exc.changes
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Renal signal closed.")
            return redirect("safety:participant_casebook", code, pk)
    return render(
        request,
        "safety/renal_signal_close.html",
        {
            "participant": participant,
            "trial": participant.trial,
            "signal": signal,
            "form": form,
            "stale": stale,
            "title": "Close renal signal",
        },
    )


def casebook_labs_context(participant) -> dict:
    """The casebook's lab sections: the renal table, other panels' results, open and
    closed signals, and the trend chart's data (given to static/js/renal-chart.js through
    json_script). Four queries."""
    live = LabResult.objects.filter(
        participant=participant, entered_in_error=False, panel__entered_in_error=False
    ).select_related("panel")
    results = list(live.order_by("collected_at", "analyte", "pk"))
    renal = [r for r in results if r.panel and r.panel.panel == Panel.RENAL]
    creatinine = [r for r in renal if r.analyte == Analyte.CREAT]
    others = [r for r in results if not (r.panel and r.panel.panel == Panel.RENAL)]
    signals = list(
        RenalSignal.objects.filter(participant=participant)
        .exclude(status=SignalStatus.WITHDRAWN)
        .select_related("lab_result", "adverse_event", "closed_by")
        .order_by("raised_at", "pk")
    )
    trial = participant.trial
    baseline = next((r for r in creatinine if r.is_baseline), None)
    chart = {
        "points": [
            {
                "at": r.collected_at.isoformat(),
                "creatinine": float(r.standard_value),
                "egfr": None if r.egfr is None else float(r.egfr),
            }
            for r in creatinine
        ],
        "baseline_creatinine": float(baseline.standard_value) if baseline else None,
        "baseline_egfr": float(baseline.egfr) if baseline and baseline.egfr else None,
        "creatinine_ratio": float(trial.signal_creatinine_ratio),
        "egfr_drop_percent": float(trial.signal_egfr_drop_percent),
        "egfr_below": float(trial.signal_egfr_below),
    }
    return {
        "renal_results": renal,
        "lab_results": others,
        "open_signals": [s for s in signals if s.status == SignalStatus.OPEN],
        "closed_signals": [s for s in signals if s.status == SignalStatus.CLOSED],
        "renal_chart": chart if creatinine else None,
        "lab_panels": Panel.choices,
    }
