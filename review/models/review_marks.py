"""A monitor's review marks: which version of a record a monitor last reviewed.

A mark names the record's `version` (the optimistic-lock counter every clinical row
carries, participants.models.ClinicalRecord) at the time of review, so a record saved
since then reads "changed since your review" without comparing field values.
"""

import pghistory
from django.conf import settings
from django.db import models

from safety.models import AdverseEvent
from trials.audit import audit_trackers


@pghistory.track(*audit_trackers())
class AdverseEventReviewMark(models.Model):
    """One monitor's review of one adverse event, at one version of it."""

    adverse_event = models.ForeignKey(
        AdverseEvent, on_delete=models.PROTECT, related_name="review_marks"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_version = models.PositiveIntegerField(
        "version reviewed", help_text="The adverse event's version when it was reviewed."
    )
    reviewed_at = models.DateTimeField("reviewed at")

    class Meta:
        ordering = ["adverse_event", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["adverse_event", "reviewer"], name="ae_review_mark_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.adverse_event} reviewed by {self.reviewer} (v{self.reviewed_version})"
