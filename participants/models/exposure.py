"""Study drug exposure (CDISC EX): the prescribed regimen, doses taken and missed, compliance.

The prescribed dose is derived, never typed (DESIGN.md rule 5): `derive()` computes it from
the participant's arm, the formulation dispensed and, for a weight-based arm, the latest
weight recorded on or before the date of assessment (participants/dosing.py). `crf_save`
calls `derive()` on every save, so a corrected date, formulation or dose count is
recomputed; the weight used and the rule version are stored, so the dose can be redone.

Blinding (DESIGN.md rule 4): the stored mg per administration of a fixed-dose arm names
the arm. It is listed in `blinded_fields`: left out of audit trails shown to users and
never shown on a blinded user's page (participants/forms/exposure.py). Messages from the
derivation never state an amount.
"""

from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from participants import dosing
from participants.choices import TakenWithFood
from participants.models.core import Allocation
from participants.models.crf import CaseReportForm, one_per_visit
from participants.models.vitals import VitalSigns
from trials.audit import audit_trackers
from trials.choices import Assessment, RegimenType
from trials.models import Formulation

# Blind-safe wording of each dosing.DosingError code: no amount, no arm.
DOSING_MESSAGES = {
    "no_weight": (
        "report_date",
        "No weight is recorded on or before this date: enter the vital signs with the "
        "weight first; the dose is computed from the latest weight.",
    ),
    "below_one_unit": (
        "formulation",
        "The prescribed dose comes to less than one unit of this formulation. Ask the "
        "unblinded pharmacist which formulation to dispense.",
    ),
    "not_whole_units": (
        "formulation",
        "The prescribed dose is not a whole number of units of this formulation. Ask the "
        "unblinded pharmacist which formulation to dispense.",
    ),
}
CONFIGURATION_MESSAGE = (
    "The trial's regimen can't be turned into a dose; ask the study coordinator to check "
    "the arms' set-up."
)


@pghistory.track(*audit_trackers())
class StudyDrugExposure(CaseReportForm):
    form_code = Assessment.DOSING
    clinical_date_fields = ("report_date", "period_start", "period_end")
    required_for_complete = (
        "kit_number",
        "titration_step",
        "doses_taken",
        "doses_missed",
        "taken_with_food",
        "prescribed_units_per_administration",
    )
    # Derived values that would tell a blinded user the arm (see the module docstring).
    blinded_fields = ("prescribed_mg_per_administration",)

    period_start = models.DateField("first day of the period reported")
    period_end = models.DateField("last day of the period reported")
    kit_number = models.CharField(
        "kit number dispensed", max_length=30, blank=True, help_text="As printed on the kit."
    )
    formulation = models.ForeignKey(
        Formulation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="formulation dispensed",
    )
    titration_step = models.PositiveSmallIntegerField(
        "titration step",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="1 for the first step of the protocol's titration schedule.",
    )
    doses_taken = models.PositiveSmallIntegerField(
        "how many doses were taken in the period?", null=True, blank=True
    )
    doses_missed = models.PositiveSmallIntegerField(
        "how many doses were missed in the period?", null=True, blank=True
    )
    taken_with_food = models.CharField(
        "was the study drug taken with food?",
        max_length=6,
        choices=TakenWithFood.choices,
        blank=True,
    )
    dose_changed = models.BooleanField("was the dose changed in the period?", default=False)
    dose_change_reason = models.TextField(
        "why was the dose changed?",
        blank=True,
        help_text="Required when the dose was changed (e.g. a GI adverse event, a renal signal).",
    )

    # Derived by `derive()`; never typed.
    weight_kg_used = models.DecimalField(
        "weight used for the dose (kg)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
    )
    prescribed_mg_per_administration = models.DecimalField(
        "prescribed mg per administration",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    prescribed_units_per_administration = models.PositiveSmallIntegerField(
        "prescribed units per administration", null=True, blank=True, editable=False
    )
    administrations_per_day = models.PositiveSmallIntegerField(
        "administrations a day", null=True, blank=True, editable=False
    )
    dosing_rule_version = models.CharField(max_length=20, blank=True, editable=False)
    compliance_percent = models.DecimalField(
        "compliance (%)", max_digits=4, decimal_places=1, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = "study drug exposure"
        verbose_name_plural = "study drug exposures"
        constraints = [
            one_per_visit("studydrugexposure"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="exposure_period_ordered",
                violation_error_message="The period can't end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(dose_changed=False) | ~Q(dose_change_reason=""),
                name="exposure_dose_change_has_reason",
                violation_error_message="Say why the dose was changed.",
            ),
            models.CheckConstraint(
                condition=Q(titration_step__isnull=True) | Q(titration_step__gte=1),
                name="exposure_titration_step_positive",
            ),
            models.CheckConstraint(
                condition=Q(compliance_percent__isnull=True)
                | Q(compliance_percent__gte=0, compliance_percent__lte=100),
                name="exposure_compliance_range",
            ),
            models.CheckConstraint(
                # The derived regimen is stored whole, with its rule version, or not at all.
                condition=Q(
                    prescribed_mg_per_administration__isnull=True,
                    prescribed_units_per_administration__isnull=True,
                    administrations_per_day__isnull=True,
                    dosing_rule_version="",
                )
                | Q(
                    # NULL >= 1 is NULL, which a CHECK accepts: say "not null" too.
                    prescribed_mg_per_administration__isnull=False,
                    prescribed_units_per_administration__isnull=False,
                    administrations_per_day__isnull=False,
                    prescribed_mg_per_administration__gt=0,
                    prescribed_units_per_administration__gte=1,
                    administrations_per_day__gte=1,
                    administrations_per_day__lte=24,
                    dosing_rule_version__gt="",
                ),
                name="exposure_prescribed_complete",
            ),
        ]

    def clean(self):
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = "The period can't end before it starts."
        elif self.period_end and self.report_date and self.period_end > self.report_date:
            errors["period_end"] = "The period can't end after the date of assessment."
        if self.dose_changed and not self.dose_change_reason.strip():
            errors["dose_change_reason"] = "Say why the dose was changed."
        if (
            self.formulation_id
            and self.participant_id
            and self.formulation.trial_id != self.participant.trial_id
        ):
            errors["formulation"] = "This formulation belongs to another trial."
        if (
            not errors
            and self.administrations_per_day
            and self.period_start
            and self.period_end
            and self.doses_taken is not None
            and self.doses_missed is not None
        ):
            scheduled = dosing.doses_scheduled(
                self.period_start, self.period_end, self.administrations_per_day
            )
            if self.doses_taken + self.doses_missed > scheduled:
                errors["doses_taken"] = (
                    f"{self.doses_taken + self.doses_missed} doses taken and missed, but the "
                    f"period has {scheduled} scheduled ({self.administrations_per_day} a day): "
                    "check both counts and the dates."
                )
        if errors:
            raise ValidationError(errors)

    def latest_weight(self) -> Decimal | None:
        """The latest weight on the participant's vital signs dated on or before the date of
        assessment (forms marked entered in error are ignored)."""
        return (
            VitalSigns.objects.filter(
                participant_id=self.participant_id,
                entered_in_error=False,
                weight_kg__isnull=False,
                report_date__lte=self.report_date,
            )
            .order_by("-report_date", "-pk")
            .values_list("weight_kg", flat=True)
            .first()
        )

    def derive(self) -> None:
        """Recompute compliance and the prescribed regimen from the inputs (called by
        `crf_save` before validation on every save). Raises ValidationError with a
        blind-safe message when no dose can be prescribed."""
        if self.doses_taken is not None and self.doses_missed is not None:
            self.compliance_percent = dosing.compliance_percent(self.doses_taken, self.doses_missed)
        else:
            self.compliance_percent = None
        self.weight_kg_used = None
        self.prescribed_mg_per_administration = None
        self.prescribed_units_per_administration = None
        self.administrations_per_day = None
        self.dosing_rule_version = ""
        if self.formulation_id is None or self.report_date is None:
            return  # validation reports the missing field
        allocation = (
            Allocation.objects.filter(participant_id=self.participant_id)
            .select_related("arm")
            .first()
        )
        if allocation is None:
            raise ValidationError(
                "The participant is not randomized yet: the prescribed dose comes from the arm."
            )
        arm = allocation.arm
        weight = None
        if arm.regimen_type == RegimenType.WEIGHT_BASED:
            weight = self.latest_weight()
        try:
            dose = dosing.prescribed_dose(
                regimen_type=arm.regimen_type,
                unit_mg=self.formulation.unit_mg,
                unit_name=self.formulation.unit_name,
                dose_mg=arm.dose_mg,
                frequency=arm.frequency,
                mg_per_kg_day=arm.dose_mg_per_kg_day,
                doses_per_day=arm.doses_per_day,
                kit_units=arm.units_per_administration,
                weight_kg=weight,
            )
        except dosing.DosingError as exc:
            field, message = DOSING_MESSAGES.get(exc.code, (None, CONFIGURATION_MESSAGE))
            raise ValidationError({field: message} if field else message) from None
        self.weight_kg_used = dose.weight_kg
        self.prescribed_mg_per_administration = dose.mg_per_administration
        self.prescribed_units_per_administration = dose.units_per_administration
        self.administrations_per_day = dose.administrations_per_day
        self.dosing_rule_version = dosing.DOSING_RULE_VERSION
