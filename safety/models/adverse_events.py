"""Adverse events (CDISC AE) and their course over time.

An adverse event holds its current state; every report, follow-up and correction of its
grade, seriousness or outcome also appends an `AdverseEventCourse` row, so the event's
course is shown as it happened (dated by when it changed, not only when it was typed).
The MedDRA coding is stored as a copy (codes, names, version): loading a newer dictionary
never changes what an event was coded to.

A serious adverse event must reach the sponsor within 24 hours of the site learning of it
(ICH E6(R2) 4.11.1): `site_aware_at` starts that clock, `sae_report_due_at` is stored so
dashboards can list overdue reports in SQL, and `sae_reported_at` stops it.
"""

import datetime

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from participants.models import (
    CaseReportForm,
    ClinicalRecord,
    Participant,
    ParticipantRecordQuerySet,
    StudyDrugExposure,
    Visit,
)
from participants.models.crf import one_per_visit
from safety.choices import (
    ActionTaken,
    CourseEntryKind,
    CtcaeGrade,
    Outcome,
    Relationship,
    Severity,
)
from trials.audit import audit_trackers
from trials.choices import Assessment

SAE_REPORT_HOURS = 24

# CDISC AE seriousness flags (AESDTH, AESLIFE, AESHOSP, AESDISAB, AESCONG, AESMIE).
SERIOUS_CRITERIA = (
    ("sae_death", "AESDTH"),
    ("sae_life_threatening", "AESLIFE"),
    ("sae_hospitalization", "AESHOSP"),
    ("sae_disability", "AESDISAB"),
    ("sae_congenital_anomaly", "AESCONG"),
    ("sae_other_important", "AESMIE"),
)
SERIOUS_FIELDS = tuple(name for name, _ in SERIOUS_CRITERIA)

# Outcomes that say the event is over, and those that say it goes on.
ENDED_OUTCOMES = (Outcome.RECOVERED, Outcome.RECOVERED_WITH_SEQUELAE, Outcome.FATAL)
ONGOING_OUTCOMES = (Outcome.NOT_RECOVERED, Outcome.RECOVERING)


class AdverseEventQuerySet(ParticipantRecordQuerySet):
    def serious(self):
        return self.filter(serious=True)

    def ongoing(self):
        return self.filter(ongoing=True)

    def sae_report_pending(self):
        """Serious events not yet reported to the sponsor."""
        return self.filter(serious=True, sae_reported_at__isnull=True, entered_in_error=False)

    def sae_report_overdue(self, now=None):
        return self.sae_report_pending().filter(sae_report_due_at__lt=now or timezone.now())


def _serious_any() -> Q:
    any_criterion = Q()
    for name in SERIOUS_FIELDS:
        any_criterion |= Q(**{name: True})
    return any_criterion


@pghistory.track(*audit_trackers())
class AdverseEvent(ClinicalRecord):
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="adverse_events"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="adverse_events"
    )
    verbatim_term = models.CharField(
        "adverse event (verbatim, as reported)", max_length=200, help_text="AETERM."
    )
    llt_code = models.PositiveIntegerField("MedDRA LLT code", null=True, blank=True)
    llt_name = models.CharField("MedDRA lowest level term", max_length=100, blank=True)
    pt_code = models.PositiveIntegerField("MedDRA PT code", null=True, blank=True)
    pt_name = models.CharField("MedDRA preferred term", max_length=100, blank=True)
    soc_code = models.PositiveIntegerField("MedDRA SOC code", null=True, blank=True)
    soc_name = models.CharField("MedDRA system organ class", max_length=100, blank=True)
    meddra_version = models.CharField("MedDRA version", max_length=20, blank=True)
    onset_date = models.DateField("onset date")
    end_date = models.DateField("end date", null=True, blank=True)
    ongoing = models.BooleanField("ongoing", default=True)
    severity = models.CharField("severity", max_length=8, choices=Severity.choices)
    ctcae_term = models.CharField("CTCAE term graded", max_length=100, blank=True)
    ctcae_grade = models.PositiveSmallIntegerField(
        "CTCAE grade", choices=CtcaeGrade.choices, null=True, blank=True
    )
    ctcae_version = models.CharField("CTCAE version", max_length=8, default="5.0")
    serious = models.BooleanField("serious adverse event", default=False)
    sae_death = models.BooleanField("results in death", default=False)
    sae_life_threatening = models.BooleanField("is life-threatening", default=False)
    sae_hospitalization = models.BooleanField("requires or prolongs hospitalization", default=False)
    sae_disability = models.BooleanField(
        "results in persistent or significant disability or incapacity", default=False
    )
    sae_congenital_anomaly = models.BooleanField(
        "is a congenital anomaly or birth defect", default=False
    )
    sae_other_important = models.BooleanField("other important medical event", default=False)
    site_aware_at = models.DateTimeField(
        "when the site learned the event was serious",
        null=True,
        blank=True,
        help_text="Starts the 24-hour clock for the report to the sponsor.",
    )
    sae_report_due_at = models.DateTimeField(
        "SAE report due to the sponsor by", null=True, blank=True, editable=False
    )
    sae_reported_at = models.DateTimeField(
        "when the SAE was reported to the sponsor", null=True, blank=True
    )
    sae_notified_at = models.DateTimeField(
        "when the trial's monitors were emailed", null=True, blank=True, editable=False
    )
    relationship = models.CharField(
        "relationship to study drug", max_length=12, choices=Relationship.choices, blank=True
    )
    action_taken = models.CharField(
        "action taken with study drug", max_length=20, choices=ActionTaken.choices, blank=True
    )
    outcome = models.CharField("outcome", max_length=32, choices=Outcome.choices, blank=True)
    treatment = models.TextField("treatment given", blank=True)
    exposure = models.ForeignKey(
        StudyDrugExposure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adverse_events",
        verbose_name="exposure form recording the dose change",
        editable=False,
    )

    objects = AdverseEventQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "onset_date", "pk"]
        # The monitors' AE listing (review app) pages by newest onset (its default), last
        # change, PT, SOC or grade (review/filters.py SORTS; each order and its exact
        # reverse): walking these indexes serves a page without sorting every event.
        indexes = [
            models.Index(fields=["onset_date", "id"], name="ae_onset_idx"),
            models.Index(fields=["updated_at", "id"], name="ae_updated_idx"),
            models.Index(fields=["pt_name", "-onset_date", "-id"], name="ae_pt_idx"),
            models.Index(fields=["soc_name", "pt_name", "-onset_date", "-id"], name="ae_soc_idx"),
            models.Index(
                F("ctcae_grade").desc(nulls_last=True),
                F("onset_date").desc(),
                F("id").desc(),
                name="ae_grade_idx",
            ),
            # the PT filter matches the dictionary's PT names, then the events by code
            models.Index(fields=["pt_code"], name="ae_pt_code_idx"),
            # serious events are a few in a hundred: their listings and the overdue-report
            # filter read this small index instead of every event
            models.Index(
                fields=["onset_date", "id"], condition=Q(serious=True), name="ae_serious_onset_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("onset_date")),
                name="ae_end_not_before_onset",
                violation_error_message="The end date cannot be before the onset date.",
            ),
            models.CheckConstraint(
                condition=Q(ongoing=True, end_date__isnull=True) | Q(ongoing=False),
                name="ae_ongoing_has_no_end",
                violation_error_message="An ongoing event has no end date.",
            ),
            models.CheckConstraint(
                condition=Q(ctcae_grade__isnull=True) | Q(ctcae_grade__gte=1, ctcae_grade__lte=5),
                name="ae_ctcae_grade_range",
            ),
            models.CheckConstraint(
                condition=(Q(serious=True) & _serious_any() & Q(site_aware_at__isnull=False))
                | (Q(serious=False) & ~_serious_any()),
                name="ae_serious_iff_criteria",
                violation_error_message="A serious event names its criteria and when the site "
                "learned of it; a non-serious one has no criteria.",
            ),
            models.CheckConstraint(
                condition=Q(sae_reported_at__isnull=True)
                | Q(sae_reported_at__gte=F("site_aware_at")),
                name="ae_sae_reported_after_aware",
                violation_error_message="The report can't precede the site learning of it.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.verbatim_term} ({self.onset_date:%Y-%m-%d})"

    @property
    def serious_criteria(self) -> list[str]:
        """The labels of the criteria met, for pages and emails."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in SERIOUS_FIELDS
            if getattr(self, name)
        ]

    @property
    def needs_dose_change_record(self) -> bool:
        from safety.choices import DOSE_CHANGE_ACTIONS

        return self.action_taken in DOSE_CHANGE_ACTIONS and self.exposure_id is None

    def sae_overdue(self, now: datetime.datetime | None = None) -> bool:
        return bool(
            self.serious
            and self.sae_reported_at is None
            and self.sae_report_due_at is not None
            and self.sae_report_due_at < (now or timezone.now())
        )

    def derive(self) -> None:
        """The report deadline follows the awareness time (DESIGN.md rule 5)."""
        if self.serious and self.site_aware_at:
            self.sae_report_due_at = self.site_aware_at + datetime.timedelta(hours=SAE_REPORT_HOURS)
        else:
            self.sae_report_due_at = None

    def clean(self):
        """Field-level messages for the rules the database also checks, plus the ones it
        can't (outcome against end date, grade 5 against death)."""
        errors = {}
        if self.end_date and self.onset_date and self.end_date < self.onset_date:
            errors["end_date"] = "The end date cannot be before the onset date."
        if self.ongoing and self.end_date:
            errors["end_date"] = "An ongoing event has no end date; untick ongoing or clear it."
        if not self.ongoing and not self.end_date:
            errors["end_date"] = "Give the end date, or mark the event ongoing."
        if self.outcome in ENDED_OUTCOMES and self.ongoing:
            errors["outcome"] = (
                f"{self.get_outcome_display()} means the event ended: give its end date."
            )
        if self.outcome in ONGOING_OUTCOMES and not self.ongoing:
            errors["outcome"] = (
                f"{self.get_outcome_display()} means the event goes on, but it has an end date."
            )
        criteria = [name for name in SERIOUS_FIELDS if getattr(self, name)]
        if self.serious and not criteria:
            errors["serious"] = "A serious event meets at least one criterion: tick which."
        if criteria and not self.serious:
            errors["serious"] = "Seriousness criteria are ticked: mark the event serious."
        if self.serious and not self.site_aware_at:
            errors["site_aware_at"] = (
                "Give the date and time the site learned the event was serious (the 24-hour "
                "report clock starts then)."
            )
        if self.site_aware_at and self.site_aware_at > timezone.now():
            errors["site_aware_at"] = "This time is in the future."
        if self.sae_reported_at:
            if not self.serious:
                errors["sae_reported_at"] = "Only a serious event is reported as an SAE."
            elif self.site_aware_at and self.sae_reported_at < self.site_aware_at:
                errors["sae_reported_at"] = (
                    "The report can't precede the site learning of the event."
                )
            elif self.sae_reported_at > timezone.now():
                errors["sae_reported_at"] = "This time is in the future."
        if self.ctcae_grade == 5 or self.sae_death or self.outcome == Outcome.FATAL:
            if self.ctcae_grade not in (None, 5):
                errors["ctcae_grade"] = "A fatal event is CTCAE grade 5."
            if self.outcome != Outcome.FATAL:
                errors["outcome"] = "A fatal event (grade 5 or death) has the outcome Fatal."
            if not self.sae_death:
                errors["sae_death"] = "A fatal event is serious, with the criterion death."
        if errors:
            raise ValidationError(errors)


@pghistory.track(*audit_trackers())
class AdverseEventCourse(models.Model):
    """One step in an adverse event's course: its state as of a date (AE follow-up)."""

    adverse_event = models.ForeignKey(AdverseEvent, on_delete=models.PROTECT, related_name="course")
    kind = models.CharField(max_length=10, choices=CourseEntryKind.choices)
    as_of = models.DateField("as of")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    ctcae_grade = models.PositiveSmallIntegerField(
        choices=CtcaeGrade.choices, null=True, blank=True
    )
    serious = models.BooleanField(default=False)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    end_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["adverse_event", "as_of", "recorded_at", "pk"]
        verbose_name = "adverse event course entry"
        verbose_name_plural = "adverse event course"

    def __str__(self) -> str:
        return f"{self.adverse_event} {self.get_kind_display()} {self.as_of:%Y-%m-%d}"


@pghistory.track(*audit_trackers())
class AdverseEventReview(CaseReportForm):
    """The adverse event review due at a visit: were there new or changed events? The events
    themselves are recorded in the participant's AE log, not on this form."""

    form_code = Assessment.AE_REVIEW
    required_for_complete = ("any_events",)

    any_events = models.CharField(
        "has the participant had any new or worsening adverse event since the last visit?",
        max_length=3,
        choices=[("YES", "Yes"), ("NO", "No")],
        blank=True,
    )
    comment = models.TextField("comment", blank=True)

    class Meta:
        verbose_name = "adverse event review"
        constraints = [one_per_visit("adverseeventreview")]
