"""What a signature signs: the fingerprint of a casebook (or of one visit), and whether a
signature still matches it (21 CFR 11.70: the signature is linked to its records).

The casebook's records (participant row, visits, every reviewable record, entered in error
or not) are read in ONE query, a UNION of one small SELECT per model carrying what the
fingerprint and a person's label of the record need, so the casebook page that checks its
signatures does a constant number of queries however much is recorded.
"""

import json
from dataclasses import dataclass

from django.db.models import BigIntegerField, CharField, F, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from participants.models import Participant, Visit
from review.models import Signature
from review.records import reviewable_models
from safety.choices import Panel
from safety.models import AdverseEvent, LabPanel


@dataclass(frozen=True)
class Row:
    key: str
    version: int
    updated_at: object
    visit_id: int | None
    text: str
    extra: str


def _text(value):
    return Cast(value, CharField())


def _part(model, participant):
    label = model._meta.label_lower
    if model is Participant:
        queryset = Participant.objects.filter(pk=participant.pk)
        visit, text, extra = (
            Value(None),
            Coalesce("subject_number", Value("")),
            F("screening_number"),
        )
    elif model is Visit:
        queryset = Visit.objects.filter(participant=participant)
        visit, text, extra = F("id"), Coalesce("definition__name", Value("Unscheduled")), Value("")
    else:
        queryset = model.objects.filter(participant=participant)
        has_visit = any(f.name == "visit" for f in model._meta.concrete_fields)
        visit = F("visit_id") if has_visit else Value(None)
        if model is AdverseEvent:
            text, extra = F("verbatim_term"), Value("")
        elif model is LabPanel:
            text, extra = F("panel"), _text("report_date")
        elif has_visit:
            text, extra = Coalesce("visit__definition__name", Value("Unscheduled")), Value("")
        else:
            text, extra = Value(""), Value("")
    return (
        queryset.order_by()
        .annotate(
            r_model=Value(label, output_field=CharField()),
            r_visit=Cast(visit, output_field=BigIntegerField()),
            r_text=_text(text),
            r_extra=_text(extra),
            r_data=Value(None, output_field=TextField()),
        )
        .values_list(
            "r_model", "pk", "version", "updated_at", "r_visit", "r_text", "r_extra", "r_data"
        )
    )


def _signatures_part(participant):
    """The participant's signatures as rows of the same UNION (the casebook reads its
    records and its signatures in one query)."""
    return (
        Signature.objects.filter(participant=participant)
        .order_by()
        .annotate(
            r_model=Value("review.signature", output_field=CharField()),
            r_version=Value(0, output_field=BigIntegerField()),
            r_visit=Cast("visit_id", output_field=BigIntegerField()),
            r_data=Cast("fingerprint", output_field=TextField()),
        )
        .values_list(
            "r_model",
            "pk",
            "r_version",
            "signed_at",
            "r_visit",
            "printed_name",
            "meaning",
            "r_data",
        )
    )


def casebook_records(participant) -> list[Row]:
    """Every record of the casebook as a Row, in one query."""
    return casebook_with_signatures(participant, signatures=False)[0]


def casebook_with_signatures(participant, *, signatures=True) -> tuple[list[Row], list]:
    """The casebook's records (Rows) and its signatures, newest first, in one query; each
    signature has `visit_name` and `invalidations` (empty when valid)."""
    parts = [_part(model, participant) for model in (Participant, Visit, *reviewable_models())]
    if signatures:
        parts.append(_signatures_part(participant))
    rows, signed = [], []
    for m, pk, version, updated, visit, text, extra, data in parts[0].union(*parts[1:], all=True):
        if m == "review.signature":
            signed.append(
                Signature(
                    pk=pk,
                    participant=participant,
                    visit_id=visit,
                    printed_name=text,
                    meaning=extra,
                    signed_at=updated,
                    fingerprint=json.loads(data),
                )
            )
        else:
            rows.append(Row(f"{m}:{pk}", version, updated, visit, text or "", extra or ""))
    visit_names = {r.visit_id: r.text for r in rows if r.key.startswith("participants.visit:")}
    for signature in signed:
        signature.visit_name = visit_names.get(signature.visit_id, "")
        signature.invalidations = invalidations(signature, rows)
    signed.sort(key=lambda s: (s.signed_at, s.pk), reverse=True)
    return rows, signed


def _signed_by(rows, visit_id):
    if visit_id is None:
        return rows
    own = f"participants.visit:{visit_id}"
    return [r for r in rows if r.key == own or r.visit_id == visit_id]


def fingerprint(rows, visit_id=None) -> dict:
    """{"<app.model>:<pk>": version} of the records a signature covers."""
    return {r.key: r.version for r in _signed_by(rows, visit_id)}


def _label(row: Row) -> str:
    model = row.key.split(":")[0]
    if model == "participants.participant":
        return f"Participant {row.text or row.extra}"
    if model == "participants.visit":
        return f"Visit {row.text}"
    if model == "safety.adverseevent":
        return f"Adverse event: {row.text}"
    if model == "safety.labpanel":
        name = Panel(row.text).label if row.text in Panel.values else row.text
        return f"{name} panel {row.extra}"
    if model == "safety.endofstudy":
        return "End of study"
    from django.apps import apps

    name = str(apps.get_model(model)._meta.verbose_name)
    return f"{name[:1].upper()}{name[1:]} · {row.text}"


def invalidations(signature, rows) -> list[str]:
    """Why the signature no longer matches the records: one sentence per record changed,
    added or removed since signing; empty when it is valid."""
    current = {r.key: r for r in _signed_by(rows, signature.visit_id)}
    stored = signature.fingerprint
    reasons = []
    for key, row in current.items():
        if stored.get(key) != row.version:
            changed = timezone.localtime(row.updated_at).strftime("%Y-%m-%d %H:%M %Z")
            verb = "changed" if key in stored else "added"
            reasons.append(f"Signature invalidated: {_label(row)} {verb} on {changed}")
    for key in stored.keys() - current.keys():
        reasons.append(f"Signature invalidated: a signed record ({key}) is no longer there")
    return reasons
