"""Safety laboratory results, entered as panels (renal, CBC, liver, metabolic, urinalysis).

A `LabPanel` is what a coordinator enters at once from one sample: the collection date and
time and a value per analyte. It carries the version and the entered-in-error mark
(DESIGN.md rules 2 and 3); its `LabResult` rows carry each value as reported
(LBORRES/LBORRESU), in the standard unit (LBSTRESN/LBSTRESU), the site lab's reference range
and the flag (LBNRIND). A creatinine row also carries the renal values derived from it
(safety/renal.py): eGFR with its equation, the KDIGO GFR category, the AKI stage and CTCAE
grade against baseline and ULN, with the rule version. They are recomputed whenever an input
changes (safety/labs.py, DESIGN.md rule 5): the result, the participant's earlier results
(the baseline) or the first dose.
"""

import pghistory
from django.db import models
from django.db.models import Q

from participants.models import ClinicalRecord, Participant, ParticipantRecordQuerySet, Visit
from safety.choices import LabFlag, Panel
from trials.audit import audit_trackers
from trials.choices import Analyte, Assessment


@pghistory.track(*audit_trackers())
class LabPanel(ClinicalRecord):
    # The visit schedule's code for the slot this answers (participants/form_states.py).
    form_code = Assessment.LABS

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="lab_panels"
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lab_panels",
        help_text="Empty for an unscheduled sample (a repeat creatinine, say).",
    )
    panel = models.CharField(max_length=12, choices=Panel.choices)
    report_date = models.DateField("collection date")
    collection_time = models.TimeField("collection time")
    lab_name = models.CharField("laboratory", max_length=100, blank=True)
    complete = models.BooleanField(default=False, editable=False)

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "report_date", "collection_time", "pk"]
        verbose_name = "lab panel"

    def __str__(self) -> str:
        return f"{self.get_panel_display()} {self.participant} {self.report_date:%Y-%m-%d}"


@pghistory.track(*audit_trackers())
class LabResult(ClinicalRecord):
    """One analyte result, as reported (LBORRES/LBORRESU) and standardised (LBSTRESN)."""

    panel = models.ForeignKey(
        LabPanel, on_delete=models.PROTECT, null=True, blank=True, related_name="results"
    )
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

    # Derived from a creatinine result (safety/renal.py); never typed.
    baseline_value = models.DecimalField(
        "baseline creatinine (mg/dL)", max_digits=12, decimal_places=4, null=True, blank=True
    )
    is_baseline = models.BooleanField(default=False)
    creatinine_ratio = models.DecimalField(
        "creatinine / baseline", max_digits=7, decimal_places=3, null=True, blank=True
    )
    egfr = models.DecimalField(
        "eGFR (mL/min/1.73 m²)", max_digits=8, decimal_places=3, null=True, blank=True
    )
    egfr_equation = models.CharField(max_length=40, blank=True)
    egfr_not_computed = models.CharField("why eGFR is not computed", max_length=200, blank=True)
    baseline_egfr = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    egfr_change_percent = models.DecimalField(
        "eGFR change from baseline (%)", max_digits=7, decimal_places=1, null=True, blank=True
    )
    kdigo_gfr_category = models.CharField("KDIGO GFR category", max_length=3, blank=True)
    aki_stage = models.PositiveSmallIntegerField("KDIGO AKI stage", null=True, blank=True)
    ctcae_grade = models.PositiveSmallIntegerField(
        "CTCAE grade (creatinine increased)", null=True, blank=True
    )
    ctcae_version = models.CharField(max_length=8, blank=True)
    renal_rules_version = models.CharField(max_length=20, blank=True)

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "collected_at", "analyte"]
        # The renal lab listing's default order, newest first (review/views/labs.py): walking
        # this index serves a page without sorting every result.
        indexes = [models.Index(fields=["collected_at", "id"], name="lab_collected_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="lab_value_not_negative",
                violation_error_message="A lab value can't be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(analyte__in=["CREAT", "BUN", "UREA"]) | Q(value__gt=0),
                name="lab_renal_value_positive",
                violation_error_message="Creatinine and urea must be above zero.",
            ),
            models.CheckConstraint(
                condition=Q(aki_stage__isnull=True) | Q(aki_stage__lte=3),
                name="lab_aki_stage_range",
            ),
            models.CheckConstraint(
                condition=Q(ctcae_grade__isnull=True) | Q(ctcae_grade__lte=4),
                name="lab_ctcae_grade_range",
            ),
            models.CheckConstraint(
                condition=Q(egfr__isnull=True) | ~Q(egfr_equation=""),
                name="lab_egfr_has_equation",
                violation_error_message="An eGFR is stored with its equation.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.analyte} {self.value} {self.unit}"
