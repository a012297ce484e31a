"""Source data verification marks (review/models/verification.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from participants.services import record_locked_for_change
from review.models import SourceVerification
from review.records import is_reviewable, record_key
from trials.audit import audit_reason
from trials.choices import Role
from trials.models import roles_at


def can_verify(user, trial_id: int, site_id: int) -> bool:
    """Monitors (CRAs) verify source data at the sites they are assigned (DESIGN.md)."""
    return Role.MONITOR in roles_at(user, trial_id, site_id)


@transaction.atomic
def record_verify(*, record, user, expected_version) -> SourceVerification:
    """Mark a form source-verified at the version the monitor saw. Refused with
    `StaleEdit` (what changed) if the form changed after the page was opened; a form
    verified before gets its mark moved to the new version."""
    participant = record.participant
    if not can_verify(user, participant.trial_id, participant.site_id):
        raise PermissionDenied("Only the site's monitors mark source data verified.")
    if not is_reviewable(type(record)):
        raise ValidationError("This record is not a form.")
    current = record_locked_for_change(record, expected_version)
    if current.entered_in_error:
        raise ValidationError("This form was entered in error; there is nothing to verify.")
    content_type_id, object_id = record_key(current)
    mark = SourceVerification.objects.filter(
        content_type_id=content_type_id, object_id=object_id
    ).first() or SourceVerification(
        content_type_id=content_type_id, object_id=object_id, participant=participant
    )
    mark.verified_version = current.version
    mark.verified_by = user
    mark.verified_at = timezone.now()
    mark.full_clean()
    with audit_reason("Source data verified", user=user):
        mark.save()
    return mark
