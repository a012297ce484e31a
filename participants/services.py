"""Writes that happen to a participant. Each is one transaction and one audit context.

Order of checks (STYLE.md): database constraints, then `Model.clean()` for one row, then
the rules that cross rows here. The forms check the same rules first so that the user sees
a message beside the field; the services check again so no other path can skip them.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from participants.choices import ParticipantStatus, VisitStatus
from participants.models import Allocation, EligibilityAnswer, Participant, Visit
from trials.audit import audit_reason, history_for
from trials.choices import AnswerType
from trials.eligibility import age_in_years, criterion_met, eligibility
from trials.models import Arm, Site, Trial, TrialSite


class StaleEdit(Exception):
    """The record changed after the user opened it; nothing was saved.

    `changes` lists what changed meanwhile, from the audit trail: dicts with at, user,
    reason and (field, old, new) changes.
    """

    def __init__(self, changes: list[dict]):
        super().__init__("The record was changed by someone else after you opened it.")
        self.changes = changes


def _today() -> datetime.date:
    return timezone.localdate()


def check_clinical_date(participant: Participant, value: datetime.date, field: str) -> None:
    """Clinical data is dated on or after consent and not in the future (DESIGN.md rule 6)."""
    if value is None:
        return
    if value > _today():
        raise ValidationError({field: "This date is in the future."})
    if participant.consent_date is None:
        raise ValidationError({field: "Record informed consent before any visit data."})
    if value < participant.consent_date:
        raise ValidationError(
            {field: f"This date is before consent ({participant.consent_date:%Y-%m-%d})."}
        )


def _next_number(trial: Trial, site: Site, counter: str) -> int:
    """The site's next serial for a counter; the row stays locked until the transaction
    ends, so two coordinators at the same moment get different numbers."""
    trial_site = TrialSite.objects.select_for_update().get(trial=trial, site=site)
    value = getattr(trial_site, counter) + 1
    setattr(trial_site, counter, value)
    trial_site.save(update_fields=[counter])
    return value


def screening_answers(trial: Trial, date_of_birth, screening_date, answers: dict) -> dict:
    """The answers by criterion code, with the age criteria computed (never typed)."""
    computed = dict(answers)
    for criterion in trial.criteria.all():
        if criterion.answer_type == AnswerType.AGE:
            computed[criterion.code] = age_in_years(date_of_birth, screening_date)
    return computed


@transaction.atomic
def participant_screen(
    *,
    trial: Trial,
    site: Site,
    sex: str,
    date_of_birth: datetime.date,
    screening_date: datetime.date,
    answers: dict,
    user,
) -> Participant:
    """Record a screening: the person gets the site's next screening number, the answers to
    the trial's criteria are kept, and eligibility is computed from them. An ineligible
    person becomes a screen failure with the unmet criteria as the reason."""
    if screening_date > _today():
        raise ValidationError({"screening_date": "This date is in the future."})
    criteria = list(trial.criteria.all())
    answers = screening_answers(trial, date_of_birth, screening_date, answers)
    result = eligibility(criteria, answers)
    seq = _next_number(trial, site, "last_screening_seq")
    participant = Participant(
        trial=trial,
        site=site,
        screening_number=f"S{site.number}-{seq:03d}",
        sex=sex,
        date_of_birth=date_of_birth,
        screening_date=screening_date,
        eligible=result.eligible,
        status=ParticipantStatus.SCREENING if result.eligible else ParticipantStatus.SCREEN_FAILURE,
        status_reason="" if result.eligible else f"Not eligible: {result.reason}",
    )
    participant.full_clean()
    reason = "Screened: eligible" if result.eligible else "Screened: screen failure"
    with audit_reason(reason, user=user):
        participant.save()
        for criterion in criteria:
            answer = answers.get(criterion.code)
            EligibilityAnswer.objects.create(
                participant=participant,
                criterion=criterion,
                answer_yes_no=answer if criterion.answer_type == AnswerType.YES_NO else None,
                answer_number=None if criterion.answer_type == AnswerType.YES_NO else answer,
                met=criterion_met(criterion, answer),
            )
    return participant


@transaction.atomic
def participant_consent(
    *, participant: Participant, consent_date: datetime.date, consent_version: str, user
) -> Participant:
    """Record informed consent (date and form version) of a person in screening."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status != ParticipantStatus.SCREENING:
        raise ValidationError(
            f"Consent is recorded during screening; this participant is "
            f"{participant.get_status_display().lower()}."
        )
    if consent_date > _today():
        raise ValidationError({"consent_date": "This date is in the future."})
    if consent_date < participant.date_of_birth:
        raise ValidationError({"consent_date": "This date is before the date of birth."})
    participant.consent_date = consent_date
    participant.consent_version = consent_version.strip()
    participant.version += 1
    participant.full_clean()
    with audit_reason("Informed consent recorded", user=user):
        participant.save()
    return participant


@transaction.atomic
def participant_enrol(*, participant: Participant, user) -> Participant:
    """Enrol an eligible, consented person: they get the site's next subject number.

    The number comes from the site's counter row, locked until the transaction ends: two
    coordinators enrolling at the same moment get different numbers.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status != ParticipantStatus.SCREENING or participant.subject_number:
        raise ValidationError("Only a participant in screening can be enrolled.")
    if not participant.eligible:
        raise ValidationError("The screening answers do not make this person eligible.")
    if participant.consent_date is None:
        raise ValidationError("Record informed consent before enrolment.")
    seq = _next_number(participant.trial, participant.site, "last_subject_seq")
    participant.subject_number = f"{participant.site.number}-{seq:03d}"
    participant.status = ParticipantStatus.ENROLLED
    participant.version += 1
    participant.full_clean()
    with audit_reason("Enrolled", user=user):
        participant.save()
    return participant


@transaction.atomic
def participant_allocate(
    *, participant: Participant, arm: Arm, randomization_number: str, at, user
) -> Allocation:
    """Record a participant's arm directly (demo data and tests of blinding; sites
    randomize through the randomization list)."""
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
    windows (target = baseline + day offset; window = target - before .. target + after).

    Visits already created keep their dates: the schedule is made once.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
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


def _changes_since(record, version: int) -> list[dict]:
    """The audit entries that moved a record past `version` (blinded fields left out: the
    list is shown to the user whose save was refused)."""
    changes = []
    for row in history_for(record, hidden_fields=getattr(record, "blinded_fields", ())):
        versions = [new for field, _old, new in row["changes"] if field == "version"]
        if versions and int(versions[0]) > version:
            row["changes"] = [c for c in row["changes"] if c[0] not in ("version", "updated_at")]
            changes.append(row)
    return changes


def _locked_current(record, expected_version):
    current = type(record).objects.select_for_update().get(pk=record.pk)
    if expected_version is None or current.version != int(expected_version):
        raise StaleEdit(_changes_since(current, int(expected_version or 0)))
    return current


def record_locked_for_change(record, expected_version):
    """The current row, locked until the transaction ends, if it is still at the version
    the user opened; otherwise `StaleEdit` (for the services of later apps)."""
    return _locked_current(record, expected_version)


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
    current = _locked_current(visit, expected_version)
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
    current = _locked_current(visit, expected_version)
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


@transaction.atomic
def crf_save(*, record, values: dict, user, expected_version: int | None, reason: str = ""):
    """Save a case report form: the first save, or a change with its reason.

    Every save recomputes the form's derived values (`record.derive()`, DESIGN.md rule 5)
    before validation, so a stored total or dose always matches the inputs saved with it.
    Optimistic locking (DESIGN.md rule 3): the change names the version the user opened;
    if the row has moved on, nothing is written and `StaleEdit` says what changed.
    """
    if record.pk is None:
        for name, value in values.items():
            setattr(record, name, value)
        for name in record.clinical_date_fields:
            check_clinical_date(record.participant, getattr(record, name), name)
        record.version = 1
        record.derive()
        record.complete = record.is_complete()
        record.full_clean()
        with audit_reason(f"{record._meta.verbose_name.capitalize()} entered", user=user):
            record.save()
        return record
    current = _locked_current(record, expected_version)
    if current.entered_in_error:
        raise ValidationError("This form was marked entered in error; it can't be changed.")
    if not reason.strip():
        raise ValidationError({"reason_for_change": "Give the reason for this change."})
    for name, value in values.items():
        setattr(current, name, value)
    for name in current.clinical_date_fields:
        check_clinical_date(current.participant, getattr(current, name), name)
    current.version += 1
    current.derive()
    current.complete = current.is_complete()
    current.full_clean()
    with audit_reason(reason.strip(), user=user):
        current.save()
    return current


@transaction.atomic
def record_mark_entered_in_error(*, record, reason: str, user, expected_version: int | None):
    """Hide a record from the casebook; it and its history stay (DESIGN.md rule 2)."""
    current = _locked_current(record, expected_version)
    if not reason.strip():
        raise ValidationError({"entered_in_error_reason": "Say why this was entered in error."})
    current.entered_in_error = True
    current.entered_in_error_reason = reason.strip()
    current.version += 1
    with audit_reason(f"Entered in error: {reason.strip()}", user=user):
        current.save()
    return current
