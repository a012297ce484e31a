"""Site data-entry forms, one module per concept; `CRF_FORMS` maps each case report form's
code in the visit schedule (trials.choices.Assessment) to its form."""

from participants.forms.base import (
    BaselineForm,
    ConsentForm,
    CrfForm,
    EnteredInErrorForm,
    ScreeningForm,
    UnscheduledVisitForm,
    VisitDateForm,
    VisitMissedForm,
)
from participants.forms.efficacy import AlsfrsRForm, FvcForm
from participants.forms.exposure import StudyDrugExposureForm
from participants.forms.genotype import GenotypeForm
from participants.forms.pk import PkSampleForm
from participants.forms.randomization import (
    EmergencyUnblindingForm,
    RandomizationImportForm,
    RandomizeForm,
)
from participants.forms.vitals import VitalSignsForm

CRF_FORMS: dict[str, type[CrfForm]] = {
    form._meta.model.form_code: form
    for form in (
        VitalSignsForm,
        StudyDrugExposureForm,
        AlsfrsRForm,
        FvcForm,
        PkSampleForm,
        GenotypeForm,
    )
}

__all__ = [
    "CRF_FORMS",
    "AlsfrsRForm",
    "BaselineForm",
    "ConsentForm",
    "CrfForm",
    "EmergencyUnblindingForm",
    "EnteredInErrorForm",
    "FvcForm",
    "GenotypeForm",
    "PkSampleForm",
    "RandomizationImportForm",
    "RandomizeForm",
    "ScreeningForm",
    "StudyDrugExposureForm",
    "UnscheduledVisitForm",
    "VisitDateForm",
    "VisitMissedForm",
    "VitalSignsForm",
]
