"""Adverse events, laboratory results and the end of study (which may name an adverse event,
so it lives here: participants never import safety)."""

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from participants.models import ClinicalRecord, Participant, ParticipantRecordQuerySet, Visit
from safety.choices import (
    ActionTaken,
    CtcaeGrade,
    EndOfStudyStatus,
    LabFlag,
    Outcome,
    Relationship,
    Severity,
    WithdrawalReason,
)
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


@pghistory.track(*audit_trackers())
class EndOfStudy(ClinicalRecord):
    """How a participant's time in the trial ended (CDISC DS): completed, or withdrawn with
    the reason (DSDECOD) and, for an adverse event, which one. Saving it sets the
    participant's status (safety.services.end_of_study_record)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="end_of_study_records"
    )
    status = models.CharField("end of study", max_length=10, choices=EndOfStudyStatus.choices)
    end_date = models.DateField(
        "date of completion or withdrawal", help_text="DSSTDTC: the date the decision was made."
    )
    withdrawal_reason = models.CharField(
        "primary reason for withdrawal",
        max_length=24,
        choices=WithdrawalReason.choices,
        blank=True,
    )
    adverse_event = models.ForeignKey(
        AdverseEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="adverse event that led to withdrawal",
        help_text="Required when the reason is an adverse event.",
    )
    reason_detail = models.TextField(
        "details", blank=True, help_text="Required when the reason is Other."
    )
    last_dose_date = models.DateField("date of the last dose of study drug", null=True, blank=True)

    objects = ParticipantRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "end of study"
        verbose_name_plural = "end of study"
        ordering = ["participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(entered_in_error=False),
                name="endofstudy_one_per_participant",
            ),
            models.CheckConstraint(
                condition=Q(status=EndOfStudyStatus.COMPLETED, withdrawal_reason="")
                | (Q(status=EndOfStudyStatus.WITHDRAWN) & ~Q(withdrawal_reason="")),
                name="endofstudy_reason_iff_withdrawn",
                violation_error_message="A withdrawal has a reason; a completion has none.",
            ),
            models.CheckConstraint(
                condition=Q(
                    withdrawal_reason=WithdrawalReason.ADVERSE_EVENT, adverse_event__isnull=False
                )
                | (
                    ~Q(withdrawal_reason=WithdrawalReason.ADVERSE_EVENT)
                    & Q(adverse_event__isnull=True)
                ),
                name="endofstudy_adverse_event_iff_reason",
                violation_error_message="Name the adverse event exactly when it is the reason.",
            ),
            models.CheckConstraint(
                condition=~Q(withdrawal_reason=WithdrawalReason.OTHER) | ~Q(reason_detail=""),
                name="endofstudy_other_has_detail",
                violation_error_message="Describe the other reason.",
            ),
            models.CheckConstraint(
                condition=Q(last_dose_date__isnull=True) | Q(last_dose_date__lte=F("end_date")),
                name="endofstudy_last_dose_not_after_end",
                violation_error_message="The last dose cannot be after the end of study.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.summary}"

    @property
    def summary(self) -> str:
        """One line for the casebook and the participant's status reason."""
        if self.status == EndOfStudyStatus.COMPLETED:
            return f"Completed on {self.end_date:%Y-%m-%d}"
        text = f"Withdrawn on {self.end_date:%Y-%m-%d}: {self.get_withdrawal_reason_display()}"
        if self.adverse_event_id:
            text += f" ({self.adverse_event.verbatim_term})"
        if self.reason_detail:
            text += f". {self.reason_detail}"
        return text

    def clean(self):
        """The reason fits the status, and the adverse event is this participant's own;
        messages at the fields (the database checks the same shape)."""
        errors = {}
        withdrawn = self.status == EndOfStudyStatus.WITHDRAWN
        if withdrawn and not self.withdrawal_reason:
            errors["withdrawal_reason"] = "Give the reason for withdrawal."
        if not withdrawn and self.withdrawal_reason:
            errors["withdrawal_reason"] = "A participant who completed has no withdrawal reason."
        for_ae = self.withdrawal_reason == WithdrawalReason.ADVERSE_EVENT
        if for_ae and self.adverse_event_id is None:
            errors["adverse_event"] = "Choose the adverse event that led to withdrawal."
        elif not for_ae and self.adverse_event_id is not None:
            errors["adverse_event"] = "Name an adverse event only when it is the reason."
        elif self.adverse_event_id is not None and (
            self.adverse_event.participant_id != self.participant_id
            or self.adverse_event.entered_in_error
        ):
            errors["adverse_event"] = "Choose one of this participant's adverse events."
        if self.withdrawal_reason == WithdrawalReason.OTHER and not self.reason_detail.strip():
            errors["reason_detail"] = "Describe the other reason."
        if self.last_dose_date and self.end_date and self.last_dose_date > self.end_date:
            errors["last_dose_date"] = "The last dose cannot be after the end of study."
        if errors:
            raise ValidationError(errors)
