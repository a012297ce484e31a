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
from participants.models.efficacy import AlsfrsR, Fvc
from participants.models.exposure import StudyDrugExposure
from participants.models.genotype import Genotype
from participants.models.locks import Lock, LockLevel
from participants.models.pk import PkSample
from participants.models.randomization import (
    EmergencyUnblinding,
    ListSource,
    RandomizationList,
    RandomizationSlot,
)
from participants.models.screening import EligibilityAnswer
from participants.models.vitals import VitalSigns

# Every case report form model, by its code in the visit schedule (trials.choices.Assessment).
CRF_MODELS: dict[str, type[CaseReportForm]] = {
    model.form_code: model
    for model in (VitalSigns, StudyDrugExposure, AlsfrsR, Fvc, PkSample, Genotype)
}

__all__ = [
    "CRF_MODELS",
    "Allocation",
    "AllocationQuerySet",
    "AlsfrsR",
    "CaseReportForm",
    "ClinicalRecord",
    "EligibilityAnswer",
    "Fvc",
    "Genotype",
    "Lock",
    "LockLevel",
    "Participant",
    "ParticipantQuerySet",
    "ParticipantRecordQuerySet",
    "PkSample",
    "EmergencyUnblinding",
    "ListSource",
    "RandomizationList",
    "RandomizationSlot",
    "Visit",
    "StudyDrugExposure",
    "VisitQuerySet",
    "VitalSigns",
]
