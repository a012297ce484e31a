"""The access helpers every participant view starts with (STYLE.md, after healthchecks).

Out of scope is a 404 (never a partial page); in scope but a read-only role is a 403.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404

from participants.models import Participant, Visit
from trials.models import Trial, can_enter_data


def trial_for(request, code: str) -> Trial:
    """The trial named in the URL, if the user holds a role in it; otherwise 404."""
    return get_object_or_404(Trial.objects.for_user(request.user), code=code)


def participant_for(request, code: str, pk: int) -> Participant:
    """A participant in the user's scope (not entered in error); otherwise 404."""
    return get_object_or_404(
        Participant.objects.for_user(request.user).in_casebook().select_related("trial", "site"),
        trial__code=code,
        pk=pk,
    )


def participant_for_entry(request, code: str, pk: int) -> Participant:
    """As `participant_for`, and the user enters data at the participant's site."""
    participant = participant_for(request, code, pk)
    if not can_enter_data(request.user, participant.trial_id, participant.site_id):
        raise PermissionDenied("Your role at this site reads data; it does not enter it.")
    return participant


def visit_for(participant: Participant, visit_pk: int) -> Visit:
    return get_object_or_404(
        Visit.objects.in_casebook().select_related("definition"),
        participant=participant,
        pk=visit_pk,
    )


def attach_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: beside its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
