"""The randomization list of a trial, its slots, and emergency unblindings.

The list is unblinded data: its slots name arms. Only users holding the unblinded role in
the trial read it (`RandomizationSlotQuerySet.for_user`), in an open-label trial too: a site
that could read the list would know the next participant's arm before randomizing them
(allocation concealment, ICH E9 section 2.3.1).
"""

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q

from participants.models.core import Participant, ParticipantRecordQuerySet
from trials.audit import audit_trackers
from trials.choices import Role
from trials.models import Arm, Membership, Site, Trial, roles_at


def _holds_unblinded_role(user, trial: str = "trial", site: str = "site") -> Exists:
    """Rows of trials (and sites) where the user holds the unblinded role."""
    return Exists(
        Membership.objects.filter(
            user_id=user.pk, trial=OuterRef(trial), role=Role.UNBLINDED
        ).filter(Q(site__isnull=True) | Q(site=OuterRef(site)))
    )


def trials_with_list_access(user):
    """Trials whose randomization list the user may read and replace."""
    if not user.is_authenticated:
        return Trial.objects.none()
    return Trial.objects.filter(
        Exists(
            Membership.objects.filter(user_id=user.pk, trial=OuterRef("pk"), role=Role.UNBLINDED)
        )
    )


def can_emergency_unblind(user, trial_id: int, site_id: int) -> bool:
    """Emergency unblinding is the investigator's decision, at their own site (coordinators,
    monitors and the others cannot)."""
    return Role.INVESTIGATOR in roles_at(user, trial_id, site_id)


def sees_unblinding_notices(user, trial_id: int, site_id: int, *, unblinded: bool) -> bool:
    """Unblinded users and the data manager are told that a participant was unblinded (the
    data manager flags the participant for analysis); neither notice names the arm."""
    return unblinded or Role.DATA_MANAGER in roles_at(user, trial_id, site_id)


class ListSource(models.TextChoices):
    GENERATED = "generated", "Generated (make_randomization_list)"
    IMPORTED = "imported", "Imported from CSV"


class RandomizationListQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(trial__in=trials_with_list_access(user))


@pghistory.track(*audit_trackers())
class RandomizationList(models.Model):
    """A trial's list: how it was made, and its stratification factor (if any)."""

    trial = models.OneToOneField(Trial, on_delete=models.PROTECT, related_name="randomization")
    factor_name = models.CharField(
        "stratification factor",
        max_length=60,
        blank=True,
        help_text="Besides site, e.g. a genotype variant (rs1163251); empty for none.",
    )
    factor_levels = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        help_text='The factor\'s levels as sites choose them, e.g. "C/C", "C/T", "T/T".',
    )
    source = models.CharField(max_length=10, choices=ListSource.choices)
    seed = models.BigIntegerField(null=True, blank=True, help_text="Generated lists only.")
    block_sizes = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when made by the management command.",
    )

    objects = RandomizationListQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(factor_name="", factor_levels=[]) | ~Q(factor_name=""),
                name="randlist_levels_need_factor",
                violation_error_message="Name the stratification factor of these levels.",
            ),
        ]

    def __str__(self) -> str:
        return f"Randomization list of {self.trial}"


class RandomizationSlotQuerySet(models.QuerySet):
    def for_user(self, user):
        """Slots a user may read: the unblinded role in the trial, for the slot's site."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_holds_unblinded_role(user))

    def free(self):
        return self.filter(participant__isnull=True)


@pghistory.track(*audit_trackers())
class RandomizationSlot(models.Model):
    """One line of the list; taken by one participant, in sequence within its stratum."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="randomization_slots")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    factor_level = models.CharField(max_length=40, blank=True)
    block = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField(help_text="Order of use within the stratum.")
    randomization_number = models.CharField(max_length=20)
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")
    participant = models.OneToOneField(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="randomization_slot",
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RandomizationSlotQuerySet.as_manager()

    class Meta:
        ordering = ["trial", "site", "factor_level", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "randomization_number"], name="randslot_number_unique"
            ),
            models.UniqueConstraint(
                fields=["trial", "site", "factor_level", "sequence"],
                name="randslot_sequence_unique",
            ),
            models.CheckConstraint(
                condition=Q(participant__isnull=True, taken_at__isnull=True)
                | Q(participant__isnull=False, taken_at__isnull=False),
                name="randslot_taken_has_time",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1) & Q(block__gte=1), name="randslot_positive_order"
            ),
        ]

    def __str__(self) -> str:
        # Never the arm: a string of this object may end up in a message or a log.
        return f"Slot {self.randomization_number}"

    def clean(self):
        if self.arm_id and self.trial_id and self.arm.trial_id != self.trial_id:
            raise ValidationError({"arm": "The arm belongs to another trial."})


@pghistory.track(*audit_trackers())
class EmergencyUnblinding(models.Model):
    """An investigator learned a participant's arm for a medical emergency, and why."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="emergency_unblindings"
    )
    unblinded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unblinded_at = models.DateTimeField()
    reason = models.TextField(help_text="The medical reason the arm had to be known.")

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "unblinded_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="unblinding_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Emergency unblinding of {self.participant} on {self.unblinded_at:%Y-%m-%d}"
