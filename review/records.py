"""The records a monitor reviews ("forms"): every clinical record with a page of its own.

Queries, source verification, locks and the audit trail viewer point at a record by its
content type and primary key; this module turns that pair back into the record, its
participant, its label and its page, whichever app owns it.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import reverse

from participants.models import CRF_MODELS, CaseReportForm, Participant
from safety.choices import Panel
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


def label_for(model, *, verbatim_term="", panel="", report_date=None, visit_name=None) -> str:
    """What a person calls a record of `model`, from its values (listings that read rows as
    values, not instances, call this directly)."""
    if model is AdverseEvent:
        return f"Adverse event: {verbatim_term}"
    if model is LabPanel:
        return f"{Panel(panel).label} panel {report_date:%Y-%m-%d}"
    if model is EndOfStudy:
        return "End of study"
    name = model._meta.verbose_name
    name = name[:1].upper() + name[1:]
    return f"{name} · {visit_name or 'Unscheduled'}" if issubclass(model, CaseReportForm) else name


def record_label(record) -> str:
    """What a person calls the record: "Vital signs · Baseline", "Adverse event: Nausea"."""
    visit = getattr(record, "visit", None) if getattr(record, "visit_id", None) else None
    return label_for(
        type(record),
        verbatim_term=getattr(record, "verbatim_term", ""),
        panel=getattr(record, "panel", ""),
        report_date=getattr(record, "report_date", None),
        visit_name=visit.name if visit is not None else None,
    )


def page_url(model, trial_code: str, *, participant_id: int, pk: int, visit_id=None) -> str:
    """The page of a record of `model` on the site pages, from its ids."""
    if model is AdverseEvent:
        return reverse("safety:adverse_event", args=[trial_code, participant_id, pk])
    if model is LabPanel:
        return reverse("safety:lab_panel_edit", args=[trial_code, participant_id, pk])
    if model is EndOfStudy:
        return reverse("safety:end_of_study", args=[trial_code, participant_id])
    if issubclass(model, CaseReportForm):
        return reverse(
            "participants:crf_edit", args=[trial_code, participant_id, visit_id, model.form_code]
        )
    raise ValueError(f"{model.__name__} is not a reviewable record")


def record_url(record, trial_code: str) -> str:
    """The record's page on the site pages."""
    return page_url(
        type(record),
        trial_code,
        participant_id=record.participant_id,
        pk=record.pk,
        visit_id=getattr(record, "visit_id", None),
    )
