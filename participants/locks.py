"""Is this locked? One query answers for a trial, participant, visit or record.

Every write service of participants and safety asks `refuse_if_locked` before writing;
review's pages ask `lock_covering` to show the "Locked" notice. Higher levels cover lower
ones: a trial lock covers its participants, a participant lock its visits and records, a
visit lock the visit and the records made at it, a form lock the one record (and its
children: a lab panel's results, an adverse event's course).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q, Subquery

from participants.models import Lock, LockLevel, Participant, Visit


def _target(*, trial_id, participant_id, visit_id, record):
    if record is not None:
        participant_id = participant_id or getattr(record, "participant_id", None)
        visit_id = visit_id or getattr(record, "visit_id", None)
        if isinstance(record, Participant):
            participant_id, trial_id = record.pk, record.trial_id
            record = None
        elif isinstance(record, Visit):
            visit_id = record.pk
            record = None
    return trial_id, participant_id, visit_id, record


def lock_covering(*, trial_id=None, participant_id=None, visit_id=None, record=None):
    """The active lock covering the target, or None (one query). The widest lock wins
    (trial, then participant, visit, form), as it is the one to lift first."""
    trial_id, participant_id, visit_id, record = _target(
        trial_id=trial_id, participant_id=participant_id, visit_id=visit_id, record=record
    )
    covering = Q(level=LockLevel.TRIAL)
    if participant_id is not None:
        covering |= Q(level=LockLevel.PARTICIPANT, participant_id=participant_id)
    if visit_id is not None:
        covering |= Q(level=LockLevel.VISIT, visit_id=visit_id)
    if record is not None and record.pk is not None:
        content_type = ContentType.objects.get_for_model(type(record))
        covering |= Q(level=LockLevel.FORM, content_type=content_type, object_id=record.pk)
    if trial_id is None:
        if participant_id is None:
            raise ValueError("lock_covering needs a trial, a participant or a record")
        trial_id = Subquery(Participant.objects.filter(pk=participant_id).values("trial_id"))
    order = {LockLevel.TRIAL: 0, LockLevel.PARTICIPANT: 1, LockLevel.VISIT: 2, LockLevel.FORM: 3}
    locks = list(
        Lock.objects.active().filter(covering, trial_id=trial_id).select_related("locked_by")
    )
    return min(locks, key=lambda lock: order[lock.level]) if locks else None


def refuse_if_locked(*, trial_id=None, participant_id=None, visit_id=None, record=None) -> None:
    """Raise ValidationError naming who locked the data, when and why, if a lock covers it."""
    lock = lock_covering(
        trial_id=trial_id, participant_id=participant_id, visit_id=visit_id, record=record
    )
    if lock is not None:
        raise ValidationError(lock.refusal(), code="locked")


def locked_participant_ids(trial_id) -> set[int]:
    """Participants of a trial with any of their data locked (a trial lock: all of them).
    Derived recomputes skip them rather than fail: a recompute rewrites a participant's
    derived rows together, and part of them is frozen."""
    locks = Lock.objects.active().filter(trial_id=trial_id)
    if locks.filter(level=LockLevel.TRIAL).exists():
        return set(Participant.objects.filter(trial_id=trial_id).values_list("pk", flat=True))
    return set(locks.exclude(participant=None).values_list("participant_id", flat=True))
