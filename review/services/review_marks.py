"""Monitors mark adverse events reviewed, at the version they saw."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from review.models import AdverseEventReviewMark
from safety.models import AdverseEvent
from trials.audit import audit_reason
from trials.choices import Role
from trials.models import roles_at


@transaction.atomic
def adverse_event_mark_reviewed(*, events: Mapping[int, int], user) -> list[AdverseEventReviewMark]:
    """Mark adverse events reviewed by `user`, each at the version the user was shown.

    `events` maps an adverse event's id to the version on the page the monitor reviewed:
    an event saved again after the page was drawn is marked at the version shown, so it
    still reads "changed since your review". Only a monitor of the event's trial and site
    marks (PermissionDenied otherwise); an event outside the user's scope, entered in
    error or of a participant entered in error is refused as not found (AdverseEvent.DoesNotExist).
    A mark never moves back to an older version (a stale page submitted late).
    """
    if not events:
        raise ValidationError("Choose at least one adverse event to mark reviewed.")
    found = {
        event.pk: event
        for event in AdverseEvent.objects.for_user(user)
        .in_casebook()
        .filter(pk__in=list(events), participant__entered_in_error=False)
        .select_related("participant")
        .select_for_update(of=("self",))
    }
    missing = set(events) - set(found)
    if missing:
        raise AdverseEvent.DoesNotExist(f"No adverse events {sorted(missing)} in your scope.")
    for event_id, event in found.items():
        participant = event.participant
        if Role.MONITOR not in roles_at(user, participant.trial_id, participant.site_id):
            raise PermissionDenied("Only the trial's monitors mark adverse events reviewed.")
        shown = events[event_id]
        if not isinstance(shown, int) or shown < 1 or shown > event.version:
            raise ValidationError(
                f"Adverse event {event_id} has no version {shown}: reload the page."
            )
    existing = {
        mark.adverse_event_id: mark
        for mark in AdverseEventReviewMark.objects.select_for_update().filter(
            reviewer=user, adverse_event_id__in=list(found)
        )
    }
    now = timezone.now()
    marks = []
    with audit_reason("Adverse event reviewed", user=user):
        for event_id in sorted(found):
            mark = existing.get(event_id)
            if mark is None:
                mark = AdverseEventReviewMark(adverse_event_id=event_id, reviewer=user)
            elif mark.reviewed_version >= events[event_id]:
                marks.append(mark)
                continue
            mark.reviewed_version = events[event_id]
            mark.reviewed_at = now
            mark.full_clean(validate_unique=False)
            mark.save()
            marks.append(mark)
    return marks
