"""Writes that happen to a participant. Each is one transaction and one audit context."""

import datetime

from django.db import transaction

from participants.choices import ParticipantStatus, VisitStatus
from participants.models import Allocation, Participant, Visit
from trials.audit import audit_reason
from trials.models import Arm, Site, Trial, TrialSite


@transaction.atomic
def participant_register(
    *,
    trial: Trial,
    site: Site,
    sex: str,
    date_of_birth: datetime.date,
    consent_date: datetime.date,
    consent_version: str,
    user,
    status: str = ParticipantStatus.SCREENING,
) -> Participant:
    """Register a consented person and give them the site's next subject number.

    The site's counter row is locked for the rest of the transaction, so two coordinators
    registering at the same moment get different numbers.
    """
    trial_site = TrialSite.objects.select_for_update().get(trial=trial, site=site)
    trial_site.last_subject_seq += 1
    participant = Participant(
        trial=trial,
        site=site,
        subject_number=f"{site.number}-{trial_site.last_subject_seq:03d}",
        sex=sex,
        date_of_birth=date_of_birth,
        consent_date=consent_date,
        consent_version=consent_version,
        status=status,
    )
    participant.full_clean()
    with audit_reason("Participant registered", user=user):
        trial_site.save(update_fields=["last_subject_seq"])
        participant.save()
    return participant


@transaction.atomic
def participant_allocate(
    *, participant: Participant, arm: Arm, randomization_number: str, at, user
) -> Allocation:
    """Record a participant's randomized arm (the randomization list comes later)."""
    allocation = Allocation(
        participant=participant,
        arm=arm,
        randomization_number=randomization_number,
        allocated_at=at,
        allocated_by=user,
    )
    allocation.full_clean()
    with audit_reason("Randomized", user=user):
        allocation.save()
    return allocation


@transaction.atomic
def visit_schedule_create(
    *, participant: Participant, baseline_date: datetime.date, user
) -> list[Visit]:
    """Set the baseline date and create the scheduled visits with their target dates and
    windows (target = baseline + day offset; window = target - before .. target + after)."""
    participant.baseline_date = baseline_date
    participant.full_clean()
    visits = []
    with audit_reason("Baseline date set; visit schedule created", user=user):
        participant.save(update_fields=["baseline_date", "updated_at"])
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
