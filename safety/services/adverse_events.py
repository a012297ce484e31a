"""Writes for adverse events: report, follow-up or correct, mark entered in error, and link
the exposure form that records the dose change an event caused.

Every save keeps the event's course (AdverseEventCourse): the first report, and each
later save that changes severity, grade, seriousness, outcome or end date. A follow-up
says the event evolved (dated by when it did); a correction says the earlier entry was
wrong. MedDRA coding is copied onto the event from the active release, with its version,
and kept as stored while the LLT code stays the same (a newer release never recodes an
event). The CTCAE term follows the coding (safety/ctcae.py) and limits the grades given.
When an event becomes serious the trial's monitors are emailed once the save commits.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from meddra.services import llt_lookup
from participants.locks import refuse_if_locked
from participants.models import Participant, StudyDrugExposure, Visit
from participants.services import (
    check_clinical_date,
    crf_save,
    record_locked_for_change,
    record_mark_entered_in_error,
)
from safety import ctcae
from safety.choices import CourseEntryKind
from safety.models import AdverseEvent, AdverseEventCourse
from trials.audit import audit_reason
from trials.choices import Role
from trials.models import Membership

# What the course records; a save changing any of these appends a course entry.
COURSE_FIELDS = ("severity", "ctcae_grade", "serious", "outcome", "end_date")
CODING_FIELDS = (
    "llt_code",
    "llt_name",
    "pt_code",
    "pt_name",
    "soc_code",
    "soc_name",
    "meddra_version",
)


def _apply_coding(event: AdverseEvent, llt_code) -> None:
    """Copy the LLT, its PT and primary SOC, and the release version onto the event. An
    event already coded to this LLT keeps its stored coding (and version): loading a newer
    MedDRA release does not recode what was coded against an older one."""
    if llt_code in (None, ""):
        for name in CODING_FIELDS:
            setattr(event, name, None if name.endswith("_code") else "")
        return
    try:
        code = int(llt_code)
    except (TypeError, ValueError):
        raise ValidationError({"llt_code": "Choose a MedDRA term from the list."}) from None
    if event.llt_code == code and event.meddra_version:
        return
    term = llt_lookup(code)
    if term is None:
        raise ValidationError(
            {
                "llt_code": "This MedDRA term is not a current term of the loaded release: "
                "search for the term again and choose it from the list."
            }
        )
    event.llt_code, event.llt_name = term["llt_code"], term["llt_name"]
    event.pt_code, event.pt_name = term["pt_code"], term["pt_name"]
    event.soc_code, event.soc_name = term["soc_code"], term["soc_name"]
    event.meddra_version = term["version"]


def _apply_grade(event: AdverseEvent, trial) -> None:
    """The CTCAE term of the coded event and the grades it defines (CTCAE v5.0 leaves some
    out: nausea has no grade 4, acute kidney injury starts at grade 3)."""
    term = ctcae.term_for(llt_code=event.llt_code, pt_code=event.pt_code)
    event.ctcae_term = term.name if term else ""
    event.ctcae_version = trial.ctcae_version
    allowed = ctcae.allowed_grades(term)
    if event.ctcae_grade is not None and event.ctcae_grade not in allowed:
        listed = ", ".join(str(g) for g in allowed)
        raise ValidationError(
            {
                "ctcae_grade": f"CTCAE v{ctcae.CTCAE_VERSION} does not define grade "
                f"{event.ctcae_grade} for {term.name}; it has grades {listed}."
            }
        )


def _check_as_of(participant: Participant, event: AdverseEvent, as_of) -> None:
    if as_of is None:
        raise ValidationError({"as_of": "Give the date of the follow-up (when it changed)."})
    check_clinical_date(participant, as_of, "as_of")
    if event.onset_date and as_of < event.onset_date:
        raise ValidationError(
            {"as_of": f"This date is before the event's onset ({event.onset_date:%Y-%m-%d})."}
        )


def _course_state(event: AdverseEvent) -> tuple:
    return tuple(getattr(event, name) for name in COURSE_FIELDS)


@transaction.atomic
def adverse_event_save(
    *,
    participant: Participant,
    values: dict,
    user,
    event: AdverseEvent | None = None,
    expected_version: int | None = None,
    reason: str = "",
    kind: str | None = None,
    as_of: datetime.date | None = None,
) -> AdverseEvent:
    """Report a new adverse event (`event` None), or follow it up or correct it.

    `values` holds the form's fields, with `llt_code` for the MedDRA coding. A change
    names the version the user opened (optimistic locking: `StaleEdit`), a reason, and
    its kind: FOLLOW_UP (the event evolved; `as_of` is the date it did: required, not
    before onset, not in the future) or CORRECTION (the earlier entry was wrong; the
    course entry takes the date of the state it corrects unless `as_of` is given).
    """
    values = dict(values)
    llt_code = values.pop("llt_code", None)
    if event is None:
        refuse_if_locked(record=participant)
        current = AdverseEvent(participant=participant, version=1)
        before = None
        kind = CourseEntryKind.INITIAL
        was_serious = False
    else:
        current = record_locked_for_change(event, expected_version)
        if current.participant_id != participant.pk:
            raise ValidationError("This adverse event belongs to another participant.")
        if current.entered_in_error:
            raise ValidationError("This event was marked entered in error; it can't be changed.")
        if kind not in (CourseEntryKind.FOLLOW_UP, CourseEntryKind.CORRECTION):
            raise ValidationError({"kind": "Say whether this is a follow-up or a correction."})
        if not reason.strip():
            raise ValidationError({"reason_for_change": "Give the reason for this change."})
        before = _course_state(current)
        was_serious = current.serious
        current.version += 1
    for name, value in values.items():
        setattr(current, name, value)
    _apply_coding(current, llt_code)
    for name in ("onset_date", "end_date"):
        check_clinical_date(participant, getattr(current, name), name)
    _apply_grade(current, participant.trial)
    if kind == CourseEntryKind.INITIAL:
        as_of = current.onset_date
    elif kind == CourseEntryKind.FOLLOW_UP:
        _check_as_of(participant, current, as_of)
    elif as_of is None:
        last = current.course.order_by("-as_of", "-recorded_at", "-pk").first()
        as_of = last.as_of if last else current.onset_date
    else:
        _check_as_of(participant, current, as_of)
    current.derive()
    becomes_serious = current.serious and not was_serious
    if becomes_serious:
        current.sae_notified_at = timezone.now()
    current.full_clean()
    audit = "Adverse event reported" if event is None else reason.strip()
    with audit_reason(audit, user=user):
        current.save()
        if before is None or _course_state(current) != before:
            AdverseEventCourse.objects.create(
                adverse_event=current,
                kind=kind,
                as_of=as_of,
                severity=current.severity,
                ctcae_grade=current.ctcae_grade,
                serious=current.serious,
                outcome=current.outcome,
                end_date=current.end_date,
                note="" if event is None else reason.strip(),
                recorded_by=user,
            )
    if becomes_serious:
        event_pk = current.pk
        transaction.on_commit(lambda: sae_notify_monitors(event_pk))
    return current


def sae_recipients(event: AdverseEvent) -> list[str]:
    """The email addresses of the trial's monitors covering the event's site."""
    participant = event.participant
    emails = (
        Membership.objects.filter(trial_id=participant.trial_id, role=Role.MONITOR)
        .filter(Q(site__isnull=True) | Q(site_id=participant.site_id))
        .filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )
    return sorted(set(emails))


def sae_message(event: AdverseEvent) -> tuple[str, str]:
    """Subject and body of the SAE notification. Names the trial, subject, term, criteria
    and the report deadline; never the arm or a dose (DESIGN.md rule 4)."""
    participant = event.participant
    trial = participant.trial
    local = timezone.localtime
    term = event.verbatim_term + (f" (MedDRA PT {event.pt_name})" if event.pt_name else "")
    path = reverse("safety:adverse_event", args=[trial.code, participant.pk, event.pk])
    base = getattr(settings, "EDC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    subject = f"[{trial.code}] Serious adverse event: {participant.number}, {event.verbatim_term}"
    body = "\n".join(
        [
            f"A serious adverse event was recorded in {trial.code} ({trial.title}).",
            "",
            f"Subject: {participant.number} (site {participant.site.number})",
            f"Event: {term}",
            f"Onset: {event.onset_date:%Y-%m-%d}",
            f"Seriousness criteria: {'; '.join(event.serious_criteria)}",
            f"Site aware: {local(event.site_aware_at):%Y-%m-%d %H:%M %Z}",
            f"Report to the sponsor due by: {local(event.sae_report_due_at):%Y-%m-%d %H:%M %Z}"
            " (24 hours after the site learned of it)",
            "",
            f"Open the event: {base}{path}",
        ]
    )
    return subject, body


def sae_notify_monitors(event_pk: int) -> int:
    """Email the SAE to the trial's monitors; the number of messages sent (0 or 1)."""
    event = AdverseEvent.objects.select_related("participant__trial", "participant__site").get(
        pk=event_pk
    )
    recipients = sae_recipients(event)
    if not recipients:
        return 0
    subject, body = sae_message(event)
    return EmailMessage(subject, body, to=recipients).send()


def adverse_event_mark_entered_in_error(
    *, event: AdverseEvent, reason: str, user, expected_version: int | None
) -> AdverseEvent:
    """Hide an event from the casebook; it, its course and its history stay."""
    return record_mark_entered_in_error(
        record=event, reason=reason, user=user, expected_version=expected_version
    )


@transaction.atomic
def adverse_event_dose_change_record(
    *,
    event: AdverseEvent,
    visit: Visit,
    values: dict,
    user,
    expected_version: int | None = None,
    reason: str = "",
) -> StudyDrugExposure:
    """Record the dose change an event caused on the visit's exposure form (new or
    changed, through `crf_save`), and link the event to it, in one transaction."""
    refuse_if_locked(record=event)
    record = StudyDrugExposure.objects.filter(visit=visit, entered_in_error=False).first()
    if record is None:
        record = StudyDrugExposure(participant=visit.participant, visit=visit)
    saved = crf_save(
        record=record,
        values=values,
        user=user,
        expected_version=expected_version,
        reason=reason,
    )
    current = AdverseEvent.objects.select_for_update().get(pk=event.pk)
    refuse_if_locked(record=current)
    current.exposure = saved
    current.version += 1
    with audit_reason(
        f"Dose change for this adverse event recorded on the exposure form at {visit.name}",
        user=user,
    ):
        current.save(update_fields=["exposure", "version", "updated_at"])
    return saved
