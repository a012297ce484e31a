"""Participants, their allocation and their visits."""

import datetime

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When

from participants.choices import ParticipantStatus, VisitStatus
from trials.audit import audit_trackers
from trials.choices import Sex
from trials.models import Arm, Site, Trial, VisitDefinition, site_ids_in_scope, site_scope


class ClinicalRecord(models.Model):
    """What every clinical row carries (DESIGN.md rules 2 and 3).

    `version` is the optimistic lock: a save names the version it read and is refused if
    the row moved on. Rows are never deleted from the UI; `entered_in_error` hides them
    from the casebook and keeps them and their history.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    entered_in_error = models.BooleanField(default=False, editable=False)
    entered_in_error_reason = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True


class ParticipantQuerySet(models.QuerySet):
    def for_user(self, user):
        """Participants at the sites the user's memberships cover; everything else 404s."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(site_scope(user))

    def for_user_in_trial(self, user, trial):
        """for_user within one trial: the listings' and counts' form (site_ids_in_scope)."""
        return self.filter(trial=trial, site_id__in=site_ids_in_scope(user, trial))

    def in_casebook(self):
        return self.filter(entered_in_error=False)


@pghistory.track(*audit_trackers())
class Participant(ClinicalRecord):
    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="participants")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    screening_number = models.CharField(
        max_length=12,
        editable=False,
        help_text="Assigned at screening: S, the site number, a dash, a serial, e.g. S01-004.",
    )
    subject_number = models.CharField(
        max_length=12,
        blank=True,
        editable=False,
        help_text="Assigned at enrolment: the site number, a dash, a serial, e.g. 01-003.",
    )
    sex = models.CharField("sex", max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField("date of birth")
    screening_date = models.DateField("screening date")
    eligible = models.BooleanField(
        null=True, editable=False, help_text="Computed from the screening answers."
    )
    consent_date = models.DateField("date informed consent signed", null=True, blank=True)
    consent_version = models.CharField("consent form version", max_length=40, blank=True)
    status = models.CharField(
        max_length=16, choices=ParticipantStatus.choices, default=ParticipantStatus.SCREENING
    )
    status_reason = models.TextField(
        blank=True, help_text="Screen-failure or withdrawal reason, where the status needs one."
    )
    baseline_date = models.DateField(null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["trial", "screening_number"]
        # The listings' "sort by subject" (review app): the unique constraint's index is
        # partial (subject numbers not blank), so it can't serve an ORDER BY; this one walks
        # the subjects in order and reads each one's records, instead of sorting them all.
        indexes = [models.Index(fields=["trial", "subject_number"], name="participant_subject_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "subject_number"],
                condition=~Q(subject_number=""),
                name="participant_subject_number_unique",
            ),
            models.UniqueConstraint(
                fields=["trial", "screening_number"], name="participant_screening_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(subject_number="")
                | (Q(consent_date__isnull=False) & ~Q(consent_version="")),
                name="participant_enrolled_has_consent",
                violation_error_message="A participant is enrolled only after consent.",
            ),
            models.CheckConstraint(
                condition=Q(consent_date__gte=F("date_of_birth")),
                name="participant_consent_after_birth",
                violation_error_message="Consent cannot be dated before birth.",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The subject number once enrolled; the screening number before."""
        return self.subject_number or self.screening_number

    @property
    def is_enrolled(self) -> bool:
        return bool(self.subject_number)


class ParticipantRecordQuerySet(models.QuerySet):
    """Rows that belong to a participant (visits, AEs, labs, forms): scoped through it."""

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(site_scope(user, "participant__trial", "participant__site"))

    def for_user_in_trial(self, user, trial):
        """for_user within one trial: the listings' and counts' form (site_ids_in_scope)."""
        return self.filter(
            participant__trial=trial, participant__site_id__in=site_ids_in_scope(user, trial)
        )

    def in_casebook(self):
        return self.filter(entered_in_error=False)


class VisitQuerySet(ParticipantRecordQuerySet):
    def with_current_status(self, today: datetime.date):
        """Annotate `current_status`: completed and missed as recorded; otherwise upcoming
        before the window opens, due inside it, overdue after it closes (in SQL, so that
        dashboards filter and count on it)."""
        return self.annotate(
            current_status=Case(
                When(status__in=[VisitStatus.COMPLETED, VisitStatus.MISSED], then=F("status")),
                When(window_end__lt=today, then=Value(VisitStatus.OVERDUE)),
                When(window_start__lte=today, then=Value(VisitStatus.DUE)),
                When(window_start__isnull=True, then=Value(VisitStatus.DUE)),
                default=Value(VisitStatus.UPCOMING),
                output_field=models.CharField(),
            )
        )


class AllocationQuerySet(ParticipantRecordQuerySet):
    def for_user(self, user):
        """Allocations a user may see: in scope, and in a trial unblinded for the user."""
        return (
            super().for_user(user).filter(participant__trial__in=Trial.objects.unblinded_for(user))
        )


@pghistory.track(*audit_trackers())
class Allocation(models.Model):
    """The arm a participant was randomized to. Readable by unblinded roles only."""

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="allocation"
    )
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="allocations")
    randomization_number = models.CharField(max_length=20)
    allocated_at = models.DateTimeField()
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["participant"]

    def __str__(self) -> str:
        # Never the arm: a string of this object may end up in a message or a log.
        return f"Randomization {self.randomization_number}"

    def clean(self):
        if self.arm_id and self.participant_id and self.arm.trial_id != self.participant.trial_id:
            raise ValidationError({"arm": "The arm belongs to another trial."})


@pghistory.track(*audit_trackers())
class Visit(ClinicalRecord):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="visits")
    definition = models.ForeignKey(
        VisitDefinition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        help_text="Empty for an unscheduled visit.",
    )
    unscheduled_reason = models.CharField(max_length=200, blank=True)
    target_date = models.DateField(null=True, blank=True)
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    actual_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=VisitStatus.choices, default=VisitStatus.UPCOMING
    )
    missed_reason = models.TextField(blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "target_date", "actual_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "definition"],
                condition=Q(definition__isnull=False),
                name="visit_one_per_definition",
            ),
            models.CheckConstraint(
                condition=Q(window_start__isnull=True)
                | Q(window_end__isnull=True)
                | Q(window_end__gte=F("window_start")),
                name="visit_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.name}"

    @property
    def name(self) -> str:
        return self.definition.name if self.definition_id else "Unscheduled"

    def status_on(self, today: datetime.date) -> str:
        """The visit's status today (the same rule as `with_current_status`)."""
        current = getattr(self, "current_status", None)
        if current is not None:
            return current
        if self.status in (VisitStatus.COMPLETED, VisitStatus.MISSED):
            return self.status
        if self.window_end and self.window_end < today:
            return VisitStatus.OVERDUE
        if self.window_start is None or self.window_start <= today:
            return VisitStatus.DUE
        return VisitStatus.UPCOMING

    @property
    def out_of_window(self) -> bool:
        """Done outside its window: allowed, and flagged."""
        if not (self.actual_date and self.window_start and self.window_end):
            return False
        return not (self.window_start <= self.actual_date <= self.window_end)
