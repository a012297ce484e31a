"""The answers given on the screening form, one row per eligibility criterion."""

import pghistory
from django.db import models

from participants.models.core import Participant
from trials.audit import audit_trackers
from trials.models import EligibilityCriterion


@pghistory.track(*audit_trackers())
class EligibilityAnswer(models.Model):
    """CDISC IE: the answer to one criterion and whether it met it (computed)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="eligibility_answers"
    )
    criterion = models.ForeignKey(
        EligibilityCriterion, on_delete=models.PROTECT, related_name="answers"
    )
    answer_yes_no = models.BooleanField(null=True, blank=True)
    answer_number = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    met = models.BooleanField(editable=False)

    class Meta:
        ordering = ["participant", "criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "criterion"], name="eligibility_answer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.criterion.code}"

    @property
    def answer(self):
        return self.answer_yes_no if self.answer_number is None else self.answer_number
