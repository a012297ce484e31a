"""The audit trail viewer: what changed on a record, field by field, who, when and why."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from participants.models import Lock, LockLevel
from participants.views.access import participant_for
from review.records import record_for, record_key, record_label, record_url
from trials.audit import history_for
from trials.models import Trial


def _verbose_names(model) -> dict:
    names = {}
    for field in model._meta.concrete_fields:
        label = str(field.verbose_name)
        names[field.name] = names[field.attname] = label[:1].upper() + label[1:]
    return names


def _lock_rows(record, participant, visit_id, form_key) -> list[dict]:
    """The lock and unlock events of the locks covering the record (the Lock rows carry
    who, when and why of both)."""
    covering = Q(level=LockLevel.TRIAL) | Q(level=LockLevel.PARTICIPANT, participant=participant)
    if visit_id is not None:
        covering |= Q(level=LockLevel.VISIT, visit_id=visit_id)
    if form_key is not None:
        covering |= Q(level=LockLevel.FORM, content_type_id=form_key[0], object_id=form_key[1])
    rows = []
    locks = Lock.objects.filter(covering, trial_id=participant.trial_id).select_related(
        "locked_by", "unlocked_by"
    )
    for lock in locks:
        rows.append(
            {
                "at": lock.locked_at,
                "action": f"locked ({lock.get_level_display().lower()})",
                "user": lock.locked_by.get_username(),
                "reason": lock.reason,
                "changes": [],
            }
        )
        if lock.unlocked_at:
            rows.append(
                {
                    "at": lock.unlocked_at,
                    "action": f"unlocked ({lock.get_level_display().lower()})",
                    "user": lock.unlocked_by.get_username(),
                    "reason": lock.unlock_reason,
                    "changes": [],
                }
            )
    return rows


@login_required
def audit_trail(request, code, pk):
    """GET ?ct=<content type id>&id=<object id> for a reviewable record, ?visit=<pk> for a
    visit, nothing for the participant row. Readable by everyone who may read the
    participant (site staff of its site, monitors, data managers, study coordinators);
    blinded fields (a dose that reveals the arm) are left out for blinded users."""
    participant = participant_for(request, code, pk)
    ct, object_id, visit_pk = (request.GET.get(k, "") for k in ("ct", "id", "visit"))
    form_key = visit_id = None
    back = None
    if ct.isdigit() and object_id.isdigit():
        record = record_for(int(ct), int(object_id), participant)
        form_key = record_key(record)
        visit_id = getattr(record, "visit_id", None)
        label = record_label(record)
        back = record_url(record, participant.trial.code)
    elif visit_pk.isdigit():
        record = get_object_or_404(
            participant.visits.select_related("definition"), pk=int(visit_pk)
        )
        visit_id = record.pk
        label = f"Visit {record.name}"
    else:
        record = participant
        label = f"Participant {participant.number}"
    unblinded = Trial.objects.unblinded_for(request.user).filter(pk=participant.trial_id).exists()
    hidden = () if unblinded else tuple(getattr(record, "blinded_fields", ()))
    hidden += ("updated_at",)
    names = _verbose_names(type(record))
    rows = history_for(record, hidden_fields=hidden)
    for row in rows:
        row["changes"] = [(names.get(f, f), old, new) for f, old, new in row["changes"]]
    rows += _lock_rows(record, participant, visit_id, form_key)
    rows.sort(key=lambda row: row["at"], reverse=True)
    return render(
        request,
        "review/audit_trail.html",
        {
            "trial": participant.trial,
            "participant": participant,
            "label": label,
            "rows": rows,
            "back": back,
        },
    )
