"""Signing a casebook or a visit (21 CFR 11.50, 11.70, 11.200(a)(1), 11.300(d))."""

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from participants.models import Participant, Visit
from review.models import Signature, SignatureMeaning
from review.signatures import casebook_records, fingerprint
from trials.audit import audit_reason
from trials.choices import Role
from trials.models import roles_at


def can_sign(user, participant) -> bool:
    """Investigators sign the casebooks of their sites."""
    return Role.INVESTIGATOR in roles_at(user, participant.trial_id, participant.site_id)


def signature_sign(
    *,
    participant: Participant,
    user,
    password: str,
    meaning: str,
    visit: Visit | None = None,
    request=None,
) -> Signature:
    """Sign the casebook (or one visit) as the logged-in investigator.

    The password is checked through `authenticate`, so django-axes counts a wrong one
    towards the account's lockout (11.300(d)); that check runs outside the transaction
    that saves, so a refusal still leaves the failed attempt recorded. Nothing is saved
    when refused.
    """
    if not can_sign(user, participant):
        raise PermissionDenied("Only an investigator at the participant's site signs.")
    if visit is not None and visit.participant_id != participant.pk:
        raise ValidationError("This visit belongs to another participant.")
    if meaning not in SignatureMeaning.values:
        raise ValidationError({"meaning": "Choose what your signature means."})
    if (
        not password
        or authenticate(request=request, username=user.get_username(), password=password) is None
    ):
        raise ValidationError({"password": "This is not your password: nothing was signed."})
    return _save(participant=participant, visit=visit, user=user, meaning=meaning)


@transaction.atomic
def _save(*, participant, visit, user, meaning) -> Signature:
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    records = casebook_records(participant)
    signature = Signature(
        participant=participant,
        visit=visit,
        signer=user,
        printed_name=user.get_full_name() or user.get_username(),
        meaning=meaning,
        signed_at=timezone.now(),
        fingerprint=fingerprint(records, visit.pk if visit else None),
    )
    signature.full_clean()
    what = f"visit {visit.name}" if visit else "casebook"
    with audit_reason(f"Signed the {what}: {SignatureMeaning(meaning).label}", user=user):
        signature.save()
    return signature
