"""Writes for the end of study."""

from django.core.exceptions import ValidationError
from django.db import transaction

from participants.choices import ParticipantStatus
from participants.locks import refuse_if_locked
from participants.models import Participant
from participants.services import check_clinical_date, record_locked_for_change
from safety.choices import EndOfStudyStatus
from safety.models import EndOfStudy
from trials.audit import audit_reason


def _end_of_study_dates(participant: Participant, record: EndOfStudy) -> None:
    """Dated on or after consent and baseline, not in the future (DESIGN.md rule 6); the
    last dose is on or after the first (baseline)."""
    for field in ("end_date", "last_dose_date"):
        value = getattr(record, field)
        check_clinical_date(participant, value, field)
        if value and participant.baseline_date and value < participant.baseline_date:
            raise ValidationError(
                {field: f"This date is before baseline ({participant.baseline_date:%Y-%m-%d})."}
            )


@transaction.atomic
def end_of_study_record(
    *,
    participant: Participant,
    values: dict,
    user,
    expected_version: int | None = None,
    reason: str = "",
) -> EndOfStudy:
    """Record how the participant's time in the trial ended, or change it with a reason,
    and set the participant's status (completed or withdrawn, with the reason).

    Optimistic locking as for case report forms (DESIGN.md rule 3): a change names the
    version the user opened; a record saved meanwhile (even a first one) is `StaleEdit`.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not participant.is_enrolled:
        raise ValidationError("Only an enrolled participant has an end of study.")
    existing = EndOfStudy.objects.filter(participant=participant, entered_in_error=False).first()
    if existing is None:
        refuse_if_locked(record=participant)
        record = EndOfStudy(participant=participant, version=1)
    else:
        record = record_locked_for_change(existing, expected_version)
        if not reason.strip():
            raise ValidationError({"reason_for_change": "Give the reason for this change."})
        record.version += 1
    for name, value in values.items():
        setattr(record, name, value)
    _end_of_study_dates(participant, record)
    record.full_clean()
    withdrawn = record.status == EndOfStudyStatus.WITHDRAWN
    participant.status = ParticipantStatus.WITHDRAWN if withdrawn else ParticipantStatus.COMPLETED
    participant.status_reason = record.summary if withdrawn else ""
    participant.version += 1
    participant.full_clean()
    audit = f"End of study recorded: {record.summary}" if existing is None else reason.strip()
    with audit_reason(audit, user=user):
        record.save()
        participant.save()
    return record
