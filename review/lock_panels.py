"""Review's panels on the lower apps' pages (registered in ReviewConfig.ready()): the lock
notice and Lock button, and the audit trail link. Each does a fixed number of queries."""

from django.urls import reverse

from participants.locks import lock_covering
from participants.models import LockLevel, Participant
from review.records import is_reviewable, record_key
from review.services.signatures import can_sign
from review.signatures import casebook_with_signatures
from trials.choices import Role
from trials.models import roles_at


def _can_lock(request, trial_id, site_id) -> bool:
    return Role.DATA_MANAGER in roles_at(request.user, trial_id, site_id)


def record_review_panel(request, record):
    """On every form page: "Locked" (with Unlock for data managers) or a Lock button, and
    the link to the record's audit trail."""
    if not is_reviewable(type(record)):
        return None
    participant = Participant.objects.select_related("trial").get(pk=record.participant_id)
    ct, object_id = record_key(record)
    audit = reverse("review:audit_trail", args=[participant.trial.code, participant.pk])
    return {
        "template": "review/_record_review.html",
        "request": request,
        "trial_code": participant.trial.code,
        "lock": lock_covering(trial_id=participant.trial_id, record=record),
        "can_lock": _can_lock(request, participant.trial_id, participant.site_id),
        "level": LockLevel.FORM,
        "participant_id": participant.pk,
        "ct": ct,
        "object_id": object_id,
        "lock_label": "Lock this form",
        "audit_url": f"{audit}?ct={ct}&id={object_id}",
    }


def visit_review_panel(request, visit):
    participant = visit.participant
    audit = reverse("review:audit_trail", args=[participant.trial.code, participant.pk])
    return {
        "template": "review/_page_review.html",
        "request": request,
        "trial_code": participant.trial.code,
        "lock": lock_covering(
            trial_id=participant.trial_id, participant_id=participant.pk, visit_id=visit.pk
        ),
        "can_lock": _can_lock(request, participant.trial_id, participant.site_id),
        "level": LockLevel.VISIT,
        "participant_id": participant.pk,
        "visit_id": visit.pk,
        "lock_label": "Lock this visit",
        "sign_url": reverse("review:signature_sign", args=[participant.trial.code, participant.pk])
        + f"?visit={visit.pk}"
        if can_sign(request.user, participant)
        else "",
        "audit_url": f"{audit}?visit={visit.pk}",
    }


def casebook_review_panel(request, participant):
    _records, signatures = casebook_with_signatures(participant)
    return {
        "signatures_template": "review/_signatures.html",
        "signatures": signatures,
        "can_sign": can_sign(request.user, participant),
        "template": "review/_page_review.html",
        "request": request,
        "trial_code": participant.trial.code,
        "lock": participant.active_lock
        if hasattr(participant, "active_lock")
        else lock_covering(record=participant),
        "can_lock": _can_lock(request, participant.trial_id, participant.site_id),
        "level": LockLevel.PARTICIPANT,
        "participant_id": participant.pk,
        "lock_label": "Lock this participant",
        "audit_url": reverse("review:audit_trail", args=[participant.trial.code, participant.pk]),
    }
