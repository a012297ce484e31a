"""The randomization list, randomizing a participant, and emergency unblinding."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from participants.choices import ParticipantStatus
from participants.locks import refuse_if_locked
from participants.models import (
    Allocation,
    EmergencyUnblinding,
    ListSource,
    Participant,
    RandomizationList,
    RandomizationSlot,
)
from participants.models.randomization import can_emergency_unblind
from participants.randomization import ListRow, generate_list
from trials.audit import audit_reason
from trials.choices import Blinding
from trials.models import Trial


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
    refuse_if_locked(record=participant)
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
