"""Pharmacokinetic samples (CDISC PC): plasma and CSF L-serine, D-serine and glycine.

One form per visit holds both samples (clinical.md s4: plasma and CSF at baseline and at
the end of treatment): a collection time for each matrix, the time of the last dose before
them (or "pre-dose" at baseline, before the first dose), and six concentrations in umol/L.
A form per visit rather than a row per sample keeps the schedule's one-form-per-assessment
rule; a trial with serial sampling (a PK curve) would need rows per time point instead.
"""

from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from participants.models.crf import CaseReportForm, one_per_visit
from trials.audit import audit_trackers
from trials.choices import Assessment

# Above any concentration seen after oral L-serine: a typing error, not a result.
MAX_UMOL_L = Decimal("20000")

PLASMA = ("plasma_l_serine", "plasma_d_serine", "plasma_glycine")
CSF = ("csf_l_serine", "csf_d_serine", "csf_glycine")


def _concentration(label: str) -> models.DecimalField:
    return models.DecimalField(
        f"{label} (µmol/L)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_UMOL_L)],
    )


@pghistory.track(*audit_trackers())
class PkSample(CaseReportForm):
    form_code = Assessment.PK
    required_for_complete = ("plasma_collected_at", *PLASMA)

    plasma_collected_at = models.DateTimeField(
        "plasma sample: date and time collected", null=True, blank=True
    )
    csf_collected_at = models.DateTimeField(
        "CSF sample: date and time collected",
        null=True,
        blank=True,
        help_text="Only when CSF was sampled (lumbar puncture).",
    )
    pre_dose = models.BooleanField(
        "pre-dose sample: no study drug taken yet",
        default=False,
        help_text="Tick at baseline when the samples precede the first dose.",
    )
    last_dose_at = models.DateTimeField(
        "date and time of the last dose before the samples", null=True, blank=True
    )
    plasma_l_serine = _concentration("plasma L-serine")
    plasma_d_serine = _concentration("plasma D-serine")
    plasma_glycine = _concentration("plasma glycine")
    csf_l_serine = _concentration("CSF L-serine")
    csf_d_serine = _concentration("CSF D-serine")
    csf_glycine = _concentration("CSF glycine")

    class Meta:
        verbose_name = "pharmacokinetic samples"
        verbose_name_plural = "pharmacokinetic samples"
        constraints = [
            one_per_visit("pksample"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{n}__isnull": True}) | Q(**{f"{n}__gte": 0}),
                    name=f"pksample_{n}_not_negative",
                )
                for n in PLASMA + CSF
            ],
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{n}__isnull": True}) | Q(csf_collected_at__isnull=False),
                    name=f"pksample_{n}_has_csf_time",
                    violation_error_message="A CSF result needs the CSF collection time.",
                )
                for n in CSF
            ],
            models.CheckConstraint(
                condition=Q(pre_dose=False) | Q(last_dose_at__isnull=True),
                name="pksample_pre_dose_has_no_last_dose",
                violation_error_message="A pre-dose sample has no last dose.",
            ),
            models.CheckConstraint(
                condition=Q(last_dose_at__isnull=True)
                | Q(plasma_collected_at__isnull=True)
                | Q(last_dose_at__lt=F("plasma_collected_at")),
                name="pksample_dose_before_plasma",
                violation_error_message="The last dose must precede the plasma sample.",
            ),
            models.CheckConstraint(
                condition=Q(last_dose_at__isnull=True)
                | Q(csf_collected_at__isnull=True)
                | Q(last_dose_at__lt=F("csf_collected_at")),
                name="pksample_dose_before_csf",
                violation_error_message="The last dose must precede the CSF sample.",
            ),
        ]

    def is_complete(self) -> bool:
        return super().is_complete() and (self.pre_dose or self.last_dose_at is not None)

    def clean(self):
        """Times not in the future, on or after consent, and the last dose before the
        samples; messages at the fields (DESIGN.md rule 6)."""
        super().clean()
        errors = {}
        now = timezone.now()
        consent = self.participant.consent_date if self.participant_id else None
        for name in ("plasma_collected_at", "csf_collected_at", "last_dose_at"):
            value = getattr(self, name)
            if value is None:
                continue
            if value > now:
                errors[name] = "This time is in the future."
            elif consent and timezone.localdate(value) < consent:
                errors[name] = f"This is before consent ({consent:%Y-%m-%d})."
        if self.pre_dose and self.last_dose_at is not None:
            errors.setdefault("last_dose_at", "Leave empty for a pre-dose sample.")
        for name in ("plasma_collected_at", "csf_collected_at"):
            collected = getattr(self, name)
            if self.last_dose_at and collected and self.last_dose_at >= collected:
                errors.setdefault(
                    "last_dose_at",
                    f"The last dose must be before the sample was collected "
                    f"({timezone.localtime(collected):%Y-%m-%d %H:%M}).",
                )
        if self.csf_collected_at is None and any(getattr(self, n) is not None for n in CSF):
            errors.setdefault("csf_collected_at", "Give the time the CSF sample was collected.")
        if errors:
            raise ValidationError(errors)
