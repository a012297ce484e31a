"""Source data verification (SDV): a monitor compares a form with the site's source
documents and marks it verified at the version seen. A later change to the form (its
version moves past the one verified) clears the mark: the status is computed, not stored,
so it can't go stale (ICH E6(R3) 3.11.3, monitoring of source data)."""

import pghistory
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from participants.models import Participant
from review.choices import VerificationStatus
from trials.audit import audit_trackers


@pghistory.track(*audit_trackers())
class SourceVerification(models.Model):
    """One per record, updated when the record is verified again (the history keeps every
    earlier mark)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="source_verifications"
    )
    verified_version = models.PositiveIntegerField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="sourceverification_one_per_record"
            ),
        ]

    def __str__(self) -> str:
        return f"Verified v{self.verified_version} {self.verified_at:%Y-%m-%d}"

    @classmethod
    def for_record(cls, record):
        content_type = ContentType.objects.get_for_model(type(record))
        return (
            cls.objects.filter(content_type=content_type, object_id=record.pk)
            .select_related("verified_by")
            .first()
        )


def verification_status(record, mark: SourceVerification | None) -> dict:
    """The record's SDV status from its version and its mark: verified, cleared (the form
    changed after it was verified: when, and from which version to which) or not verified."""
    if mark is None:
        return {"status": VerificationStatus.NOT_VERIFIED, "text": "Not verified", "mark": None}
    by = mark.verified_by.get_full_name() or mark.verified_by.get_username()
    if record.version > mark.verified_version:
        changed = getattr(record, "updated_at", None)
        return {
            "status": VerificationStatus.CLEARED,
            "text": f"Verification cleared: the form changed on {changed:%Y-%m-%d} "
            f"(version {mark.verified_version} → {record.version})",
            "mark": mark,
        }
    return {
        "status": VerificationStatus.VERIFIED,
        "text": f"Source verified {mark.verified_at:%Y-%m-%d} by {by}",
        "mark": mark,
    }
