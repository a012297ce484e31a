"""Locks: a data manager freezes a form, a visit, a participant or a whole trial.

Locked data is read-only for everyone: the services refuse (participants/locks.py), and a
database trigger on every clinical table refuses what slips past them (migration
participants 0003). Unlocking needs a reason; the lock row keeps who locked and unlocked,
when and why, and its pghistory events carry the same in the audit trail.
"""

import pghistory
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from participants.models.core import Participant, Visit
from trials.audit import audit_trackers
from trials.models import Trial


class LockLevel(models.TextChoices):
    FORM = "FORM", "Form"
    VISIT = "VISIT", "Visit"
    PARTICIPANT = "PARTICIPANT", "Participant"
    TRIAL = "TRIAL", "Trial"


class LockQuerySet(models.QuerySet):
    def active(self):
        return self.filter(unlocked_at__isnull=True)


@pghistory.track(*audit_trackers())
class Lock(models.Model):
    level = models.CharField(max_length=12, choices=LockLevel.choices)
    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="locks")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="locks"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="locks"
    )
    # A form: the record's content type and primary key (review/records.py).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField()
    reason = models.TextField("reason for locking", blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlock_reason = models.TextField("reason for unlocking", blank=True)
    # What was locked, as a person reads it ("Vital signs · Baseline, 01-001"), kept so the
    # lock list needs no lookup of the record.
    target_label = models.CharField(max_length=200, blank=True)

    objects = LockQuerySet.as_manager()

    class Meta:
        ordering = ["-locked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="lock_targets_match_level",
                condition=(
                    Q(
                        level=LockLevel.TRIAL,
                        participant__isnull=True,
                        visit__isnull=True,
                        content_type__isnull=True,
                        object_id__isnull=True,
                    )
                    | Q(
                        level=LockLevel.PARTICIPANT,
                        participant__isnull=False,
                        visit__isnull=True,
                        content_type__isnull=True,
                        object_id__isnull=True,
                    )
                    | Q(
                        level=LockLevel.VISIT,
                        participant__isnull=False,
                        visit__isnull=False,
                        content_type__isnull=True,
                        object_id__isnull=True,
                    )
                    | Q(
                        level=LockLevel.FORM,
                        participant__isnull=False,
                        content_type__isnull=False,
                        object_id__isnull=False,
                    )
                ),
                violation_error_message="The lock's target does not match its level.",
            ),
            models.CheckConstraint(
                name="lock_unlocked_with_reason",
                condition=Q(unlocked_at__isnull=True)
                | (Q(unlocked_by__isnull=False) & ~Q(unlock_reason="")),
                violation_error_message="Unlocking needs who and why.",
            ),
            models.UniqueConstraint(
                fields=["level", "trial", "participant", "visit", "content_type", "object_id"],
                condition=Q(unlocked_at__isnull=True),
                nulls_distinct=False,
                name="lock_one_active_per_target",
                violation_error_message="This is locked already.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} lock: {self.target_label}"

    @property
    def active(self) -> bool:
        return self.unlocked_at is None

    def refusal(self) -> str:
        """The sentence a refused write shows: what is locked, by whom, when, why."""
        from django.utils import timezone

        who = self.locked_by.get_full_name() or self.locked_by.get_username()
        when = timezone.localtime(self.locked_at).strftime("%Y-%m-%d %H:%M %Z")
        why = f" ({self.reason})" if self.reason else ""
        return (
            f"Locked: {self.target_label or self.get_level_display()} was locked by {who} "
            f"on {when}{why}. Locked data can't be changed; ask a data manager to unlock it."
        )
