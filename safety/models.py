"""Adverse events and laboratory results."""

import pghistory
from django.db import models
from django.db.models import F, Q

from participants.models import ClinicalRecord, Participant, ParticipantRecordQuerySet, Visit
from safety.choices import ActionTaken, CtcaeGrade, LabFlag, Outcome, Relationship, Severity
from trials.audit import audit_trackers
from trials.choices import Analyte


class AdverseEventQuerySet(ParticipantRecordQuerySet):
    def serious(self):
        return self.filter(serious=True)

    def ongoing(self):
        return self.filter(ongoing=True)


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
    ctcae_grade = models.PositiveSmallIntegerField(
        "CTCAE grade", choices=CtcaeGrade.choices, null=True, blank=True
    )
    ctcae_version = models.CharField("CTCAE version", max_length=8, default="5.0")
    serious = models.BooleanField("serious adverse event", default=False)
    relationship = models.CharField(
        "relationship to study drug", max_length=12, choices=Relationship.choices, blank=True
    )
    action_taken = models.CharField(
        "action taken with study drug", max_length=20, choices=ActionTaken.choices, blank=True
    )
    outcome = models.CharField("outcome", max_length=32, choices=Outcome.choices, blank=True)
    treatment = models.TextField("treatment given", blank=True)

    objects = AdverseEventQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "onset_date", "pk"]
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
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.verbatim_term} ({self.onset_date:%Y-%m-%d})"


@pghistory.track(*audit_trackers())
class LabResult(ClinicalRecord):
    """One analyte result, as reported (LBORRES/LBORRESU) and standardised (LBSTRESN)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="lab_results"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="lab_results"
    )
    analyte = models.CharField(max_length=10, choices=Analyte.choices)
    value = models.DecimalField("result as reported", max_digits=10, decimal_places=3)
    unit = models.CharField("unit as reported", max_length=20)
    standard_value = models.DecimalField(
        "result in standard unit", max_digits=12, decimal_places=4, null=True, blank=True
    )
    standard_unit = models.CharField(max_length=20, default="mg/dL")
    reference_low = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    reference_high = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    flag = models.CharField(max_length=6, choices=LabFlag.choices, blank=True)
    collected_at = models.DateTimeField("collection date and time")

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "collected_at", "analyte"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="lab_value_positive",
                violation_error_message="A lab value must be above zero.",
            ),
            models.CheckConstraint(
                condition=Q(standard_value__isnull=True) | Q(standard_value__gt=0),
                name="lab_standard_value_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.analyte} {self.value} {self.unit}"
