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
from participants.forms.randomization import (
    EmergencyUnblindingForm,
    RandomizationImportForm,
    RandomizeForm,
)
from participants.forms.vitals import VitalSignsForm
from participants.models import VitalSigns

CRF_FORMS: dict[str, type[CrfForm]] = {
    VitalSigns.form_code: VitalSignsForm,
}

__all__ = [
    "CRF_FORMS",
    "BaselineForm",
    "ConsentForm",
    "CrfForm",
    "EmergencyUnblindingForm",
    "EnteredInErrorForm",
    "RandomizationImportForm",
    "RandomizeForm",
    "ScreeningForm",
    "UnscheduledVisitForm",
    "VisitDateForm",
    "VisitMissedForm",
    "VitalSignsForm",
]
