"""Vital signs and weight (CDISC VS)."""

from decimal import Decimal

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from participants.models.crf import CaseReportForm, one_per_visit
from trials.audit import audit_trackers
from trials.choices import Assessment


@pghistory.track(*audit_trackers())
class VitalSigns(CaseReportForm):
    """Impossible values are refused by the validators and the database; the form asks a
    confirming tick for implausible ones (participants/forms.py)."""

    form_code = Assessment.VITALS
    required_for_complete = ("weight_kg", "systolic_bp", "diastolic_bp", "heart_rate")

    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("400"))],
    )
    height_cm = models.DecimalField(
        "height (cm)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("250"))],
    )
    systolic_bp = models.PositiveSmallIntegerField(
        "systolic blood pressure (mmHg)",
        null=True,
        blank=True,
        validators=[MinValueValidator(40), MaxValueValidator(300)],
    )
    diastolic_bp = models.PositiveSmallIntegerField(
        "diastolic blood pressure (mmHg)",
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(200)],
    )
    heart_rate = models.PositiveSmallIntegerField(
        "heart rate (beats/min)",
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(250)],
    )
    temperature_c = models.DecimalField(
        "temperature (°C)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("45"))],
    )

    class Meta:
        verbose_name = "vital signs"
        verbose_name_plural = "vital signs"
        constraints = [
            one_per_visit("vitalsigns"),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(weight_kg__gt=0),
                name="vitalsigns_weight_positive",
            ),
            models.CheckConstraint(
                condition=Q(systolic_bp__isnull=True)
                | Q(diastolic_bp__isnull=True)
                | Q(systolic_bp__gt=F("diastolic_bp")),
                name="vitalsigns_systolic_above_diastolic",
                violation_error_message="Systolic pressure must be above diastolic.",
            ),
        ]
