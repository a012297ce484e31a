"""The visit schedule and what is recorded about a visit."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from participants.choices import ParticipantStatus, VisitStatus
from participants.locks import refuse_if_locked
from participants.models import (
    Participant,
    Visit,
)
from participants.services.records import (
    check_clinical_date,
    record_locked_for_change,
)
from trials.audit import audit_reason


@transaction.atomic
def visit_schedule_create(
    *, participant: Participant, baseline_date: datetime.date, user
) -> list[Visit]:
    """Set the baseline date and create the scheduled visits with their target dates and
    windows (target = baseline + day offset; window = target - before .. target + after).

    Visits already created keep their dates: the schedule is made once.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    refuse_if_locked(record=participant)
    if not participant.is_enrolled:
        raise ValidationError("Enrol the participant before setting the baseline date.")
    if participant.baseline_date is not None:
        raise ValidationError(
            {"baseline_date": "The baseline date is set; the schedule is made once."}
        )
    check_clinical_date(participant, baseline_date, "baseline_date")
    participant.baseline_date = baseline_date
    if participant.status == ParticipantStatus.ENROLLED:
        participant.status = ParticipantStatus.ON_TREATMENT
    participant.version += 1
    participant.full_clean()
    visits = []
    with audit_reason("Baseline date set; visit schedule created", user=user):
        participant.save()
        for definition in participant.trial.visit_definitions.order_by("order"):
            target = baseline_date + datetime.timedelta(days=definition.day_offset)
            visit, _ = Visit.objects.get_or_create(
                participant=participant,
                definition=definition,
                defaults={
                    "target_date": target,
                    "window_start": target - datetime.timedelta(days=definition.window_before),
                    "window_end": target + datetime.timedelta(days=definition.window_after),
                    "status": VisitStatus.UPCOMING,
                },
            )
            visits.append(visit)
    return visits


@transaction.atomic
def visit_record(
    *,
    visit: Visit,
    actual_date: datetime.date,
    user,
    expected_version: int | None,
    reason: str = "",
) -> Visit:
    """Record the date a visit took place; outside its window is allowed and flagged."""
    current = record_locked_for_change(visit, expected_version)
    check_clinical_date(current.participant, actual_date, "actual_date")
    first = current.status != VisitStatus.COMPLETED
    if not first and not reason.strip():
        raise ValidationError({"reason_for_change": "Give the reason for this change."})
    current.actual_date = actual_date
    current.status = VisitStatus.COMPLETED
    current.missed_reason = ""
    current.version += 1
    current.full_clean()
    with audit_reason("Visit date recorded" if first else reason.strip(), user=user):
        current.save()
    return current


@transaction.atomic
def visit_mark_missed(*, visit: Visit, reason: str, user, expected_version: int | None) -> Visit:
    """A visit that did not take place, with why."""
    current = record_locked_for_change(visit, expected_version)
    if not reason.strip():
        raise ValidationError({"missed_reason": "Say why the visit was missed."})
    current.status = VisitStatus.MISSED
    current.missed_reason = reason.strip()
    current.actual_date = None
    current.version += 1
    current.full_clean()
    with audit_reason(f"Visit missed: {reason.strip()}", user=user):
        current.save()
    return current


@transaction.atomic
def visit_unscheduled_add(
    *, participant: Participant, actual_date: datetime.date, reason: str, user
) -> Visit:
    """An unscheduled visit on a date, with why it happened."""
    refuse_if_locked(record=participant)
    if not participant.is_enrolled:
        raise ValidationError("Enrol the participant before adding visits.")
    check_clinical_date(participant, actual_date, "actual_date")
    if not reason.strip():
        raise ValidationError({"unscheduled_reason": "Say why the visit took place."})
    visit = Visit(
        participant=participant,
        definition=None,
        unscheduled_reason=reason.strip(),
        target_date=actual_date,
        actual_date=actual_date,
        status=VisitStatus.COMPLETED,
    )
    visit.full_clean()
    with audit_reason("Unscheduled visit added", user=user):
        visit.save()
    return visit
