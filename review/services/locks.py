"""Locking and unlocking data (a data manager's act; both in the audit trail)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from participants.models import Lock, LockLevel, Participant, Visit
from review.records import record_key, record_label
from trials.audit import audit_reason
from trials.choices import Role
from trials.models import Membership, Trial, roles_at


def can_lock(user, trial_id: int) -> bool:
    """Data managers of the trial lock and unlock (DESIGN.md roles): the lock pages."""
    return (
        user.is_authenticated
        and Membership.objects.filter(
            user_id=user.pk, trial_id=trial_id, role=Role.DATA_MANAGER
        ).exists()
    )


def can_lock_at(user, trial_id: int, site_id: int | None) -> bool:
    """May this data manager lock or unlock at `site_id` (None: the whole trial)? A data
    manager of some sites locks their participants, visits and forms; the whole trial takes
    a data manager of all its sites."""
    if site_id is not None:
        return Role.DATA_MANAGER in roles_at(user, trial_id, site_id)
    return (
        user.is_authenticated
        and Membership.objects.filter(
            user_id=user.pk, trial_id=trial_id, role=Role.DATA_MANAGER, site__isnull=True
        ).exists()
    )


def _target_label(level, trial, participant, visit, record) -> str:
    if level == LockLevel.TRIAL:
        return f"Trial {trial.code}"
    if level == LockLevel.PARTICIPANT:
        return f"Participant {participant.number}"
    if level == LockLevel.VISIT:
        return f"{participant.number} · {visit.name}"
    return f"{participant.number} · {record_label(record)}"


@transaction.atomic
def lock_apply(
    *,
    trial: Trial,
    level: str,
    user,
    participant: Participant | None = None,
    visit: Visit | None = None,
    record=None,
    reason: str = "",
) -> Lock:
    """Lock the trial, a participant, a visit or a form (`record`, a reviewable record)."""
    if not can_lock(user, trial.pk):
        raise PermissionDenied("Only the trial's data managers lock data.")
    lock = Lock(
        level=level,
        trial=trial,
        locked_by=user,
        locked_at=timezone.now(),
        reason=reason.strip(),
    )
    if level in (LockLevel.PARTICIPANT, LockLevel.VISIT, LockLevel.FORM):
        if participant is None or participant.trial_id != trial.pk:
            raise ValidationError("Choose a participant of this trial.")
        lock.participant = participant
    if level == LockLevel.VISIT:
        if visit is None or visit.participant_id != participant.pk:
            raise ValidationError("Choose a visit of this participant.")
        lock.visit = visit
    if level == LockLevel.FORM:
        if record is None or record.participant_id != participant.pk:
            raise ValidationError("Choose a form of this participant.")
        lock.content_type_id, lock.object_id = record_key(record)
        lock.visit_id = getattr(record, "visit_id", None)
    if not can_lock_at(user, trial.pk, lock.participant.site_id if lock.participant else None):
        raise PermissionDenied("Only a data manager of all the trial's sites locks the trial.")
    lock.target_label = _target_label(level, trial, participant, visit, record)[:200]
    lock.full_clean()
    text = f"Locked: {lock.target_label}" + (f" ({lock.reason})" if lock.reason else "")
    with audit_reason(text, user=user):
        lock.save()
    return lock


@transaction.atomic
def lock_release(*, lock: Lock, reason: str, user) -> Lock:
    """Unlock, with the reason (required)."""
    current = Lock.objects.select_for_update().get(pk=lock.pk)
    site_id = current.participant.site_id if current.participant_id else None
    if not can_lock_at(user, current.trial_id, site_id):
        raise PermissionDenied("Only the trial's data managers unlock data.")
    if current.unlocked_at is not None:
        raise ValidationError("This lock was released already.")
    if not reason.strip():
        raise ValidationError({"unlock_reason": "Give the reason for unlocking."})
    current.unlocked_at = timezone.now()
    current.unlocked_by = user
    current.unlock_reason = reason.strip()
    current.full_clean()
    with audit_reason(f"Unlocked: {current.target_label} ({reason.strip()})", user=user):
        current.save()
    return current
