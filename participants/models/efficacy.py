"""Efficacy case report forms: ALSFRS-R (CDISC QS) and forced vital capacity (CDISC RE)."""

from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from participants import alsfrs
from participants.choices import FvcReferenceEquation
from participants.models.crf import CaseReportForm, one_per_visit
from trials.audit import audit_trackers
from trials.choices import Assessment


def validate_above_zero(value) -> None:
    if value is not None and value <= 0:
        raise ValidationError("Must be above zero.", code="above_zero")


def _item(name: str) -> models.PositiveSmallIntegerField:
    """One ALSFRS-R item, 0-4, its name as the question and its anchors as the choices.
    Items 5a and 5b may be empty (exactly one is scored); the others are required."""
    optional = name in ("q5a", "q5b")
    return models.PositiveSmallIntegerField(
        alsfrs.ITEM_NAMES[name],
        choices=alsfrs.item_choices(name),
        null=optional,
        blank=optional,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )


def _score(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True, editable=False)


@pghistory.track(*audit_trackers())
class AlsfrsR(CaseReportForm):
    """The 12 item scores as rated; the total and the four domain subscores are computed
    from them on every save (`derive`, DESIGN.md rule 5) with the scoring version."""

    form_code = Assessment.ALSFRS_R
    required_for_complete = tuple(n for n in alsfrs.ITEM_FIELDS if n not in ("q5a", "q5b"))

    q1 = _item("q1")
    q2 = _item("q2")
    q3 = _item("q3")
    q4 = _item("q4")
    q5a = _item("q5a")
    q5b = _item("q5b")
    q6 = _item("q6")
    q7 = _item("q7")
    q8 = _item("q8")
    q9 = _item("q9")
    q10 = _item("q10")
    q11 = _item("q11")
    q12 = _item("q12")

    total = _score("ALSFRS-R total (0-48)")
    bulbar = _score("bulbar subscore (items 1-3)")
    fine_motor = _score("fine motor subscore (items 4-6)")
    gross_motor = _score("gross motor subscore (items 7-9)")
    respiratory = _score("respiratory subscore (items 10-12)")
    scoring_version = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = "ALSFRS-R"
        verbose_name_plural = "ALSFRS-R"
        constraints = [
            one_per_visit("alsfrsr"),
            models.CheckConstraint(
                condition=Q(q5a__isnull=True, q5b__isnull=False)
                | Q(q5a__isnull=False, q5b__isnull=True),
                name="alsfrsr_one_of_5a_5b",
                violation_error_message="Score item 5a or item 5b: exactly one of them.",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{n}__isnull": True}) | Q(**{f"{n}__lte": 4}),
                    name=f"alsfrsr_{n}_0_4",
                )
                for n in alsfrs.ITEM_FIELDS
            ],
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__lte=48), name="alsfrsr_total_0_48"
            ),
        ]

    def is_complete(self) -> bool:
        return super().is_complete() and (self.q5a is None) != (self.q5b is None)

    def clean(self):
        super().clean()
        if self.q5a is not None and self.q5b is not None:
            message = "Score item 5a (no gastrostomy) or item 5b (with gastrostomy), not both."
            raise ValidationError({"q5a": message, "q5b": message})
        if self.q5a is None and self.q5b is None:
            message = "Score item 5a (no gastrostomy) or item 5b (with gastrostomy)."
            raise ValidationError({"q5a": message, "q5b": message})

    def items(self) -> dict:
        return {name: getattr(self, name) for name in alsfrs.ITEM_FIELDS}

    def derive(self) -> None:
        """Recompute the total and subscores from the items. Invalid items leave them
        empty; `full_clean` then refuses the items with a message at each."""
        try:
            scores = alsfrs.alsfrs_r_scores(self.items())
        except ValueError:
            self.total = self.bulbar = self.fine_motor = None
            self.gross_motor = self.respiratory = None
            self.scoring_version = ""
            return
        self.total = scores.total
        self.bulbar = scores.bulbar
        self.fine_motor = scores.fine_motor
        self.gross_motor = scores.gross_motor
        self.respiratory = scores.respiratory
        self.scoring_version = alsfrs.SCORING_VERSION


@pghistory.track(*audit_trackers())
class Fvc(CaseReportForm):
    """Forced vital capacity: the best FVC in litres, its % predicted and the reference
    equation that % predicted comes from (clinical.md s4). Impossible values are refused
    by the validators and the database; the form asks a tick for implausible ones."""

    form_code = Assessment.FVC
    required_for_complete = ("fvc_litres", "percent_predicted", "reference_equation")

    fvc_litres = models.DecimalField(
        "FVC, best of the acceptable trials (L)",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("8"))],
    )
    percent_predicted = models.DecimalField(
        "FVC % predicted",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[validate_above_zero, MaxValueValidator(Decimal("200"))],
    )
    reference_equation = models.CharField(
        "reference equation for % predicted",
        max_length=12,
        choices=FvcReferenceEquation.choices,
        blank=True,
    )
    reference_equation_other = models.CharField(
        "other reference equation", max_length=100, blank=True, help_text="When Other: name it."
    )
    acceptable_trials = models.PositiveSmallIntegerField(
        "number of acceptable trials",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text="Optional: how many acceptable manoeuvres the best value was chosen from.",
    )

    class Meta:
        verbose_name = "FVC"
        verbose_name_plural = "FVC"
        constraints = [
            one_per_visit("fvc"),
            models.CheckConstraint(
                condition=Q(fvc_litres__isnull=True)
                | Q(fvc_litres__gte=Decimal("0.1"), fvc_litres__lte=8),
                name="fvc_litres_range",
            ),
            models.CheckConstraint(
                condition=Q(percent_predicted__isnull=True)
                | Q(percent_predicted__gt=0, percent_predicted__lte=200),
                name="fvc_percent_predicted_range",
            ),
            models.CheckConstraint(
                condition=~Q(reference_equation=FvcReferenceEquation.OTHER)
                | ~Q(reference_equation_other=""),
                name="fvc_other_equation_named",
                violation_error_message="Name the other reference equation.",
            ),
        ]

    def clean(self):
        super().clean()
        if (
            self.reference_equation == FvcReferenceEquation.OTHER
            and not self.reference_equation_other.strip()
        ):
            raise ValidationError({"reference_equation_other": "Name the reference equation."})
