"""The records a monitor reviews ("forms"): every clinical record with a page of its own.

Queries, source verification, locks and the audit trail viewer point at a record by its
content type and primary key; this module turns that pair back into the record, its
participant, its label and its page, whichever app owns it.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import reverse

from participants.models import CRF_MODELS, CaseReportForm, Participant
from safety.models import AdverseEvent, EndOfStudy, LabPanel


def reviewable_models() -> list[type]:
    """The visit CRFs (with AE review and, through their own pages, the lab panels), the
    adverse events and the end of study."""
    return [*CRF_MODELS.values(), LabPanel, AdverseEvent, EndOfStudy]


def is_reviewable(model) -> bool:
    return model in reviewable_models()


def record_key(record) -> tuple[int, int]:
    """(content type id, primary key) of a record."""
    return ContentType.objects.get_for_model(type(record)).pk, record.pk


def record_for(content_type_id: int, object_id: int, participant: Participant):
    """The reviewable record of `participant` named by the pair; otherwise 404."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist as exc:
        raise Http404("No such record type.") from exc
    if model is None or not is_reviewable(model):
        raise Http404("No such record type.")
    queryset = model.objects.filter(participant=participant, pk=object_id)
    if hasattr(model, "visit"):
        queryset = queryset.select_related("visit__definition")
    record = queryset.first()
    if record is None:
        raise Http404("No such record.")
    return record


def record_label(record) -> str:
    """What a person calls the record: "Vital signs · Baseline", "Adverse event: Nausea"."""
    if isinstance(record, AdverseEvent):
        return f"Adverse event: {record.verbatim_term}"
    if isinstance(record, LabPanel):
        return f"{record.get_panel_display()} panel {record.report_date:%Y-%m-%d}"
    if isinstance(record, EndOfStudy):
        return "End of study"
    visit = getattr(record, "visit", None)
    name = record._meta.verbose_name
    name = name[:1].upper() + name[1:]
    return f"{name} · {visit.name}" if visit is not None else name


def record_url(record, trial_code: str) -> str:
    """The record's page on the site pages."""
    participant_id = record.participant_id
    if isinstance(record, AdverseEvent):
        return reverse("safety:adverse_event", args=[trial_code, participant_id, record.pk])
    if isinstance(record, LabPanel):
        return reverse("safety:lab_panel_edit", args=[trial_code, participant_id, record.pk])
    if isinstance(record, EndOfStudy):
        return reverse("safety:end_of_study", args=[trial_code, participant_id])
    if isinstance(record, CaseReportForm):
        return reverse(
            "participants:crf_edit",
            args=[trial_code, participant_id, record.visit_id, record.form_code],
        )
    raise ValueError(f"{type(record).__name__} is not a reviewable record")
