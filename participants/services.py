"""Writes that happen to a participant. Each is one transaction and one audit context.

Order of checks (STYLE.md): database constraints, then `Model.clean()` for one row, then
the rules that cross rows here. The forms check the same rules first so that the user sees
a message beside the field; the services check again so no other path can skip them.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from participants.choices import ParticipantStatus, VisitStatus
from participants.models import (
    Allocation,
    EligibilityAnswer,
    EmergencyUnblinding,
    ListSource,
    Participant,
    RandomizationList,
    RandomizationSlot,
    Visit,
)
from participants.models.randomization import can_emergency_unblind
from participants.randomization import ListRow, generate_list
from trials.audit import audit_reason, history_for
from trials.choices import AnswerType, Blinding
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


def _check_list_replaceable(trial: Trial) -> None:
    # The list row's lock is the one randomizations take: none can start meanwhile.
    RandomizationList.objects.select_for_update().filter(trial=trial).first()
    if RandomizationSlot.objects.filter(trial=trial, participant__isnull=False).exists():
        raise ValidationError(
            f"{trial.code} has randomized participants: its randomization list can no longer "
            "be replaced."
        )


def _list_write(*, trial: Trial, rows: list[ListRow], user, **list_fields) -> RandomizationList:
    """Replace the trial's list (none of its slots taken) by these rows, all or nothing.

    Every row is checked against the trial (known arm, a site of the trial, the factor's
    levels, unique numbers and sequences) and all problems are reported together, by row.
    """
    _check_list_replaceable(trial)
    arms = {arm.code: arm for arm in trial.arms.all()}
    sites = {site.number: site for site in trial.sites.all()}
    levels = set(list_fields.get("factor_levels") or [])
    errors, numbers, sequences = [], set(), set()
    for n, row in enumerate(rows, start=1):
        where = f"Row {n}"
        if row.arm_code not in arms:
            errors.append(f"{where}: unknown arm code {row.arm_code!r} in {trial.code}.")
        if row.site_number not in sites:
            errors.append(f"{where}: site {row.site_number!r} does not take part in {trial.code}.")
        if levels and row.factor_level not in levels:
            errors.append(
                f"{where}: factor level {row.factor_level!r} is not one of "
                f"{', '.join(sorted(levels))}."
            )
        if not levels and row.factor_level:
            errors.append(f"{where}: a factor level is given but the list has no factor.")
        if row.randomization_number in numbers:
            errors.append(f"{where}: duplicate randomization number {row.randomization_number}.")
        numbers.add(row.randomization_number)
        key = (row.site_number, row.factor_level, row.sequence)
        if key in sequences:
            errors.append(f"{where}: duplicate sequence {row.sequence} in its stratum.")
        sequences.add(key)
    if not rows:
        errors.append("The list has no rows.")
    if errors:
        raise ValidationError(errors)
    with audit_reason(f"Randomization list {list_fields['source']}", user=user):
        RandomizationSlot.objects.filter(trial=trial).delete()
        RandomizationList.objects.filter(trial=trial).delete()
        randomization_list = RandomizationList(trial=trial, created_by=user, **list_fields)
        randomization_list.full_clean()
        randomization_list.save()
        RandomizationSlot.objects.bulk_create(
            RandomizationSlot(
                trial=trial,
                site=sites[row.site_number],
                factor_level=row.factor_level,
                block=row.block,
                sequence=row.sequence,
                randomization_number=row.randomization_number,
                arm=arms[row.arm_code],
            )
            for row in rows
        )
    return randomization_list


@transaction.atomic
def randomization_list_generate(
    *,
    trial: Trial,
    seed: int,
    block_sizes: list[int],
    per_stratum: int,
    factor_name: str = "",
    factor_levels: Sequence[str] = (),
    user=None,
) -> RandomizationList:
    """Generate the trial's list (permuted blocks per site and factor level, from `seed`)
    and store it, replacing a list none of whose slots are taken."""
    factor_levels = [level.strip() for level in factor_levels if level.strip()]
    if bool(factor_name.strip()) != bool(factor_levels):
        raise ValidationError("Give the stratification factor and its levels together.")
    try:
        rows = generate_list(
            ratios={arm.code: arm.allocation_ratio for arm in trial.arms.all()},
            site_numbers=[site.number for site in trial.sites.order_by("number")],
            factor_levels=factor_levels,
            block_sizes=block_sizes,
            per_stratum=per_stratum,
            seed=seed,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    return _list_write(
        trial=trial,
        rows=rows,
        user=user,
        source=ListSource.GENERATED,
        seed=seed,
        block_sizes=list(block_sizes),
        factor_name=factor_name.strip(),
        factor_levels=factor_levels,
    )


@transaction.atomic
def randomization_list_import(
    *, trial: Trial, rows: list[ListRow], factor_name: str, user
) -> RandomizationList:
    """Store a list made elsewhere (e.g. by the trial statistician), all rows or none; the
    factor's levels are those the rows use."""
    factor_levels = sorted({row.factor_level for row in rows if row.factor_level})
    if factor_levels and not factor_name.strip():
        raise ValidationError(
            {"factor_name": "The rows give factor levels: name the stratification factor."}
        )
    if factor_name.strip() and any(not row.factor_level for row in rows):
        raise ValidationError(
            {"factor_name": "Some rows have no factor level: give every row one, or no factor."}
        )
    return _list_write(
        trial=trial,
        rows=rows,
        user=user,
        source=ListSource.IMPORTED,
        seed=None,
        block_sizes=[],
        factor_name=factor_name.strip(),
        factor_levels=factor_levels,
    )


@transaction.atomic
def participant_randomize(*, participant: Participant, factor_level: str = "", user, at=None):
    """Randomize an enrolled, consented participant: the next free slot of their stratum
    (site, and level of the list's factor) gives their arm and randomization number.

    Concurrency: the participant's row is locked first (one randomization per person), then
    the trial's list row, then the lowest free slot is read and taken. Locking the list row
    serializes randomizations within a trial, so slots are used strictly in sequence and no
    two participants get the same one; randomizations are a few a day, so the wait is
    nothing. (Locking the slot itself with FOR UPDATE ... LIMIT 1 would not do: a second
    transaction waiting on that slot gets no row back once the first commits, as PostgreSQL
    re-checks only the row it waited for.)

    `at` backdates the allocation for demo data; views never pass it.
    """
    participant = (
        # of=self: lock the participant, not the trial and site rows joined with it.
        Participant.objects.select_for_update(of=("self",))
        .select_related("trial", "site")
        .get(pk=participant.pk)
    )
    if participant.status not in (ParticipantStatus.ENROLLED, ParticipantStatus.ON_TREATMENT):
        raise ValidationError("Only an enrolled participant can be randomized.")
    if participant.consent_date is None:
        raise ValidationError("Record informed consent before randomization.")
    if Allocation.objects.filter(participant=participant).exists():
        raise ValidationError(f"{participant.number} is already randomized.")
    randomization_list = (
        RandomizationList.objects.select_for_update().filter(trial=participant.trial).first()
    )
    if randomization_list is None:
        raise ValidationError(
            f"{participant.trial.code} has no randomization list yet: ask the unblinded pharmacist."
        )
    factor_level = factor_level.strip()
    if randomization_list.factor_name and factor_level not in randomization_list.factor_levels:
        raise ValidationError(
            {
                "factor_level": f"Choose the participant's {randomization_list.factor_name}: "
                f"one of {', '.join(randomization_list.factor_levels)}."
            }
        )
    if not randomization_list.factor_name:
        factor_level = ""
    slot = (
        RandomizationSlot.objects.free()
        .filter(trial=participant.trial, site=participant.site, factor_level=factor_level)
        .order_by("sequence")
        .first()
    )
    if slot is None:
        stratum = f"site {participant.site.number}"
        if factor_level:
            stratum += f" / {randomization_list.factor_name} {factor_level}"
        raise ValidationError(
            f"The randomization list is exhausted for {stratum}: ask the unblinded pharmacist."
        )
    at = at or timezone.now()
    slot.participant = participant
    slot.taken_at = at
    slot.taken_by = user
    allocation = Allocation(
        participant=participant,
        arm_id=slot.arm_id,
        randomization_number=slot.randomization_number,
        allocated_at=at,
        allocated_by=user,
    )
    allocation.full_clean()
    with audit_reason("Randomized", user=user):
        slot.save(update_fields=["participant", "taken_at", "taken_by"])
        allocation.save()
    return allocation


@transaction.atomic
def participant_emergency_unblind(*, participant: Participant, reason: str, user):
    """Record that an investigator learns a participant's arm for a medical emergency, and
    return the allocation to show them. Only an investigator at the participant's site may,
    and only with a reason (ICH E6(R3) and the protocol: unblinding is documented)."""
    if not can_emergency_unblind(user, participant.trial_id, participant.site_id):
        raise PermissionDenied("Only an investigator at the participant's site can unblind.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the medical reason for unblinding."})
    if participant.trial.blinding == Blinding.OPEN:
        raise ValidationError("This trial is open-label: the casebook shows the arm.")
    allocation = Allocation.objects.select_related("arm").filter(participant=participant).first()
    if allocation is None:
        raise ValidationError(f"{participant.number} is not randomized: there is no arm to show.")
    record = EmergencyUnblinding(
        participant=participant,
        unblinded_by=user,
        unblinded_at=timezone.now(),
        reason=reason.strip(),
    )
    record.full_clean()
    with audit_reason(f"Emergency unblinding: {reason.strip()}", user=user):
        record.save()
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
