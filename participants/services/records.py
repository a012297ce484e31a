"""Saving clinical records: first save, change with a reason, optimistic locking, and
"entered in error" (DESIGN.md rules 2 and 3), plus the date rule every record follows."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from participants.locks import refuse_if_locked
from participants.models import (
    Participant,
)
from trials.audit import audit_reason, history_for


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


def record_locked_for_change(record, expected_version):
    """The current row, locked until the transaction ends, if it is still at the version
    the user opened; otherwise `StaleEdit` listing what changed meanwhile. Data under a
    data manager's lock (participants/locks.py) is refused first, naming the lock."""
    current = type(record).objects.select_for_update().get(pk=record.pk)
    refuse_if_locked(record=current)
    if expected_version is None or current.version != int(expected_version):
        raise StaleEdit(_changes_since(current, int(expected_version or 0)))
    return current


def _apply(record, values: dict) -> None:
    """Set the form's values, check its dates, recompute what is derived, validate."""
    for name, value in values.items():
        setattr(record, name, value)
    for name in record.clinical_date_fields:
        check_clinical_date(record.participant, getattr(record, name), name)
    record.derive()
    record.complete = record.is_complete()
    record.full_clean()


@transaction.atomic
def crf_save(*, record, values: dict, user, expected_version: int | None, reason: str = ""):
    """Save a case report form: the first save, or a change with its reason.

    Every save recomputes the form's derived values (`record.derive()`, DESIGN.md rule 5)
    before validation, so a stored total or dose always matches the inputs saved with it.
    Optimistic locking (DESIGN.md rule 3): the change names the version the user opened;
    if the row has moved on, nothing is written and `StaleEdit` says what changed.
    """
    if record.pk is None:
        refuse_if_locked(record=record)
        record.version = 1
        _apply(record, values)
        with audit_reason(f"{record._meta.verbose_name.capitalize()} entered", user=user):
            record.save()
        return record
    current = record_locked_for_change(record, expected_version)
    if current.entered_in_error:
        raise ValidationError("This form was marked entered in error; it can't be changed.")
    if not reason.strip():
        raise ValidationError({"reason_for_change": "Give the reason for this change."})
    current.version += 1
    _apply(current, values)
    with audit_reason(reason.strip(), user=user):
        current.save()
    return current


@transaction.atomic
def record_mark_entered_in_error(*, record, reason: str, user, expected_version: int | None):
    """Hide a record from the casebook; it and its history stay (DESIGN.md rule 2)."""
    current = record_locked_for_change(record, expected_version)
    if not reason.strip():
        raise ValidationError({"entered_in_error_reason": "Say why this was entered in error."})
    current.entered_in_error = True
    current.entered_in_error_reason = reason.strip()
    current.version += 1
    with audit_reason(f"Entered in error: {reason.strip()}", user=user):
        current.save()
    return current
