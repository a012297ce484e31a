"""Data clarification queries: raise, answer, close, reopen (STYLE.md services).

Who: monitors and data managers of the trial and site raise, close and reopen; the site's
coordinators and investigators answer (DESIGN.md roles). Each step adds a message to the
thread and moves the query's version (optimistic locking, DESIGN.md rule 3).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from participants.models import Participant
from review.choices import QueryMessageKind, QueryStatus
from review.models import Query, QueryMessage
from review.models.queries import queryable_fields
from review.records import is_reviewable, record_key, record_label
from trials.audit import audit_reason, history_for
from trials.choices import SITE_ROLES, Role
from trials.models import roles_at

REVIEW_ROLES = (Role.MONITOR, Role.DATA_MANAGER)
DATA_NOT_CHANGED = "Change the data on the form first, with its reason for change."


def can_review(user, trial_id: int, site_id: int) -> bool:
    """Monitors and data managers of the trial at the site raise, close and reopen."""
    return bool(roles_at(user, trial_id, site_id) & set(REVIEW_ROLES))


def can_answer(user, trial_id: int, site_id: int) -> bool:
    """The site's coordinators and investigators answer."""
    return bool(roles_at(user, trial_id, site_id) & set(SITE_ROLES))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _text(text: str, *, required: bool, message: str = "Write the question.") -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({"text": message})
    return text


def _locked(query: Query, expected_version) -> Query:
    """The query, locked until the transaction ends, if still at the version the user
    opened; otherwise a refusal saying so."""
    current = Query.objects.select_for_update().get(pk=query.pk)
    if expected_version is None or current.version != int(expected_version):
        raise ValidationError(
            "Not saved: this query changed after you opened it (it is now "
            f"{current.get_status_display().lower()}). Reload it to see the thread."
        )
    return current


def _record_of(query: Query):
    model = query.content_type.model_class()
    return model.objects.get(pk=query.object_id)


def _add(query, kind, user, text, record_version, **change) -> QueryMessage:
    message = QueryMessage(
        query=query, kind=kind, author=user, text=text, record_version=record_version, **change
    )
    message.full_clean()
    message.save()
    return message


@transaction.atomic
def query_raise(*, participant: Participant, record, field_name: str, text: str, user) -> Query:
    """Raise a query on a reviewable form of `participant` (or one of its fields).

    Refused (PermissionDenied) unless the user is a monitor or data manager of the trial at
    the participant's site; refused beside the field for a field the form hasn't, or an
    empty question."""
    _require(
        can_review(user, participant.trial_id, participant.site_id),
        "Only the trial's monitors and data managers raise queries.",
    )
    if not is_reviewable(type(record)) or record.participant_id != participant.pk:
        raise ValidationError("This record is not a form of this participant.")
    if getattr(record, "entered_in_error", False):
        raise ValidationError("This form was entered in error; it can't be queried.")
    field_name = (field_name or "").strip()
    if field_name and field_name not in dict(queryable_fields(type(record))):
        raise ValidationError({"field_name": "This form has no such field."})
    text = _text(text, required=True)
    content_type_id, object_id = record_key(record)
    query = Query(
        trial_id=participant.trial_id,
        participant=participant,
        content_type_id=content_type_id,
        object_id=object_id,
        form_label=record_label(record)[:200],
        field_name=field_name,
        raised_by=user,
        record_version=record.version,
    )
    query.full_clean()
    with audit_reason("Query raised", user=user):
        query.save()
        _add(query, QueryMessageKind.RAISED, user, text, record.version)
    return query


def _change_since(record, version: int) -> dict:
    """The reasons for change the form's audit trail gives for the versions after
    `version` (blinded fields are left out of the trail, DESIGN.md rule 4)."""
    reasons = []
    for row in history_for(record, hidden_fields=getattr(record, "blinded_fields", ())):
        moved = [new for field, _old, new in row["changes"] if field == "version"]
        if moved and int(moved[0]) > version and row["reason"]:
            reasons.append(row["reason"])
    return {
        "change_reason": "; ".join(reasons),
        "change_from_version": version,
        "change_to_version": record.version,
    }


@transaction.atomic
def query_answer(*, query: Query, text: str, data_changed: bool, user, expected_version) -> Query:
    """The site answers an open query. With `data_changed`, the form must have been changed
    (through its own page, with a reason for change) since the question was last put: the
    reason and the versions are read from the form's audit trail into the answer."""
    _require(
        can_answer(user, query.trial_id, query.participant.site_id),
        "Only the site's coordinators and investigators answer queries.",
    )
    query = _locked(query, expected_version)
    if query.status != QueryStatus.OPEN:
        raise ValidationError(f"This query is {query.get_status_display().lower()}.")
    text = _text(text, required=True, message="Write the answer.")
    record = _record_of(query)
    last = query.messages.order_by("-at", "-pk").first()
    change = {}
    if data_changed:
        if record.version <= last.record_version:
            raise ValidationError({"data_changed": DATA_NOT_CHANGED})
        change = _change_since(record, last.record_version)
    query.status = QueryStatus.ANSWERED
    query.answered_at = timezone.now()
    query.version += 1
    query.full_clean()
    with audit_reason("Query answered", user=user):
        query.save()
        _add(
            query,
            QueryMessageKind.ANSWERED,
            user,
            text,
            record.version,
            data_changed=bool(data_changed),
            **change,
        )
    return query


@transaction.atomic
def query_close(*, query: Query, text: str, user, expected_version) -> Query:
    """A monitor or data manager closes an open or answered query (a note is optional)."""
    _require(
        can_review(user, query.trial_id, query.participant.site_id),
        "Only the trial's monitors and data managers close queries.",
    )
    query = _locked(query, expected_version)
    if query.status == QueryStatus.CLOSED:
        raise ValidationError("This query is already closed.")
    record = _record_of(query)
    query.status = QueryStatus.CLOSED
    query.closed_by = user
    query.closed_at = timezone.now()
    query.version += 1
    query.full_clean()
    with audit_reason("Query closed", user=user):
        query.save()
        _add(query, QueryMessageKind.CLOSED, user, _text(text, required=False), record.version)
    return query


@transaction.atomic
def query_reopen(*, query: Query, text: str, user, expected_version) -> Query:
    """A monitor or data manager reopens an answered or closed query, saying why: it goes
    back to OPEN for the site to answer again."""
    _require(
        can_review(user, query.trial_id, query.participant.site_id),
        "Only the trial's monitors and data managers reopen queries.",
    )
    query = _locked(query, expected_version)
    if query.status == QueryStatus.OPEN:
        raise ValidationError("This query is already open.")
    text = _text(text, required=True, message="Say why the query is reopened.")
    record = _record_of(query)
    query.status = QueryStatus.OPEN
    query.closed_by = None
    query.closed_at = None
    query.version += 1
    query.full_clean()
    with audit_reason("Query reopened", user=user):
        query.save()
        _add(query, QueryMessageKind.REOPENED, user, text, record.version)
    return query
