"""Writes that happen to a participant. Each is one transaction and one audit context.

Order of checks (STYLE.md): database constraints, then `Model.clean()` for one row, then
the rules that cross rows here. The forms check the same rules first so that the user sees
a message beside the field; the services check again so no other path can skip them.
"""

from participants.services.enrolment import (
    participant_consent,
    participant_enrol,
    participant_screen,
    screening_answers,
)
from participants.services.randomization import (
    participant_emergency_unblind,
    participant_randomize,
    randomization_list_generate,
    randomization_list_import,
)
from participants.services.records import (
    StaleEdit,
    check_clinical_date,
    crf_save,
    record_locked_for_change,
    record_mark_entered_in_error,
)
from participants.services.visits import (
    visit_mark_missed,
    visit_record,
    visit_schedule_create,
    visit_unscheduled_add,
)

__all__ = [
    "StaleEdit",
    "check_clinical_date",
    "crf_save",
    "participant_consent",
    "participant_emergency_unblind",
    "participant_enrol",
    "participant_randomize",
    "participant_screen",
    "randomization_list_generate",
    "randomization_list_import",
    "record_locked_for_change",
    "record_mark_entered_in_error",
    "screening_answers",
    "visit_mark_missed",
    "visit_record",
    "visit_schedule_create",
    "visit_unscheduled_add",
]
