"""What every case report form (CRF) shares.

A CRF belongs to a visit of a participant, carries the date of the assessment (which can't
precede consent nor lie in the future: the form checks, DESIGN.md rule 6), a version for
optimistic locking and the entered-in-error mark (`ClinicalRecord`). `complete` is computed
by the save service from the fields the form needs (`required_for_complete`), so casebooks
and dashboards can count incomplete forms in SQL. Derived values (a total, a prescribed
dose) are computed by the form model's `derive()`, which the save service calls on every
save, so they follow their inputs.
"""

from django.db import models
from django.db.models import Q

from participants.models.core import ClinicalRecord, Participant, ParticipantRecordQuerySet, Visit


class CaseReportForm(ClinicalRecord):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    report_date = models.DateField("date of assessment")
    complete = models.BooleanField(default=False, editable=False)

    objects = ParticipantRecordQuerySet.as_manager()

    # The Assessment code of the visit schedule this form answers (trials.choices).
    form_code: str = ""
    # Fields that must be filled for the form to count as complete.
    required_for_complete: tuple[str, ...] = ()
    # Dates that must lie on or after consent and not in the future (checked by crf_save).
    clinical_date_fields: tuple[str, ...] = ("report_date",)
    # Stored values a blinded user must never see, not even in an audit trail.
    blinded_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.participant} {self.visit.name}"

    def derive(self) -> None:
        """Compute the form's derived values from its inputs (DESIGN.md rule 5). `crf_save`
        calls it on every save, before validation; a form with derived values overrides
        it and may raise ValidationError."""

    def is_complete(self) -> bool:
        return all(getattr(self, name) not in (None, "") for name in self.required_for_complete)


def one_per_visit(model_name: str) -> models.UniqueConstraint:
    """A visit has at most one live copy of a form (one marked in error may sit beside it)."""
    return models.UniqueConstraint(
        fields=["visit"],
        condition=Q(entered_in_error=False),
        name=f"{model_name}_one_per_visit",
    )
