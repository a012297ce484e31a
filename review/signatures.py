"""What a signature signs: the fingerprint of a casebook (or of one visit), and whether a
signature still matches it (21 CFR 11.70: the signature is linked to its records)."""

from django.utils import timezone

from participants.models import Visit
from review.records import record_label, reviewable_models


def _key(record) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


def casebook_records(participant) -> list:
    """The participant row, its visits and every reviewable record, entered in error or
    not, in a fixed number of queries (one per reviewable model, one for the visits)."""
    records = [participant]
    visits = list(Visit.objects.filter(participant=participant).select_related("definition"))
    records += visits
    by_pk = {visit.pk: visit for visit in visits}
    for model in reviewable_models():
        rows = list(model.objects.filter(participant=participant))
        for row in rows:
            if getattr(row, "visit_id", None) in by_pk:
                row.visit = by_pk[row.visit_id]  # labels name the visit: no query each
        records += rows
    return records


def _signed_by(records, visit_id):
    if visit_id is None:
        return records
    return [
        r
        for r in records
        if (isinstance(r, Visit) and r.pk == visit_id) or getattr(r, "visit_id", None) == visit_id
    ]


def fingerprint(records, visit_id=None) -> dict:
    return {_key(r): r.version for r in _signed_by(records, visit_id)}


def _label(record) -> str:
    if isinstance(record, Visit):
        return f"Visit {record.name}"
    if record._meta.model_name == "participant":
        return f"Participant {record.number}"
    return record_label(record)


def invalidations(signature, records) -> list[str]:
    """Why the signature no longer matches the records: one sentence per record changed,
    added or removed since signing; empty when it is valid."""
    current = {_key(r): r for r in _signed_by(records, signature.visit_id)}
    stored = signature.fingerprint
    reasons = []
    for key, record in current.items():
        if stored.get(key) != record.version:
            changed = timezone.localtime(record.updated_at).strftime("%Y-%m-%d %H:%M %Z")
            verb = "changed" if key in stored else "added"
            reasons.append(f"Signature invalidated: {_label(record)} {verb} on {changed}")
    for key in stored.keys() - current.keys():
        reasons.append(f"Signature invalidated: a signed record ({key}) is no longer there")
    return reasons
