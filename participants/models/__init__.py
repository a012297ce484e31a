"""Participants and everything recorded about them, one module per concept."""

from participants.models.core import (
    Allocation,
    AllocationQuerySet,
    ClinicalRecord,
    Participant,
    ParticipantQuerySet,
    ParticipantRecordQuerySet,
    Visit,
    VisitQuerySet,
)
from participants.models.crf import CaseReportForm
from participants.models.randomization import (
    EmergencyUnblinding,
    ListSource,
    RandomizationList,
    RandomizationSlot,
)
from participants.models.screening import EligibilityAnswer
from participants.models.vitals import VitalSigns

# Every case report form model, by its code in the visit schedule (trials.choices.Assessment).
CRF_MODELS: dict[str, type[CaseReportForm]] = {model.form_code: model for model in (VitalSigns,)}

__all__ = [
    "CRF_MODELS",
    "Allocation",
    "AllocationQuerySet",
    "CaseReportForm",
    "ClinicalRecord",
    "EligibilityAnswer",
    "EmergencyUnblinding",
    "ListSource",
    "Participant",
    "ParticipantQuerySet",
    "ParticipantRecordQuerySet",
    "RandomizationList",
    "RandomizationSlot",
    "Visit",
    "VisitQuerySet",
    "VitalSigns",
]
