"""Screening, consent and enrolment: the person's way into the trial."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from participants.choices import ParticipantStatus
from participants.locks import refuse_if_locked
from participants.models import (
    EligibilityAnswer,
    Participant,
)
from participants.services.records import (
    _today,
)
from trials.audit import audit_reason
from trials.choices import AnswerType
from trials.eligibility import age_in_years, criterion_met, eligibility
from trials.models import Site, Trial, TrialSite


def _next_number(trial: Trial, site: Site, counter: str) -> int:
    """The site's next serial for a counter; the row stays locked until the transaction
    ends, so two coordinators at the same moment get different numbers."""
    trial_site = TrialSite.objects.select_for_update().get(trial=trial, site=site)
    value = getattr(trial_site, counter) + 1
    setattr(trial_site, counter, value)
    trial_site.save(update_fields=[counter])
    return value


def screening_answers(trial: Trial, date_of_birth, screening_date, answers: dict) -> dict:
    """The answers by criterion code, with the age criteria computed (never typed)."""
    computed = dict(answers)
    for criterion in trial.criteria.all():
        if criterion.answer_type == AnswerType.AGE:
            computed[criterion.code] = age_in_years(date_of_birth, screening_date)
    return computed


@transaction.atomic
def participant_screen(
    *,
    trial: Trial,
    site: Site,
    sex: str,
    date_of_birth: datetime.date,
    screening_date: datetime.date,
    answers: dict,
    user,
) -> Participant:
    """Record a screening: the person gets the site's next screening number, the answers to
    the trial's criteria are kept, and eligibility is computed from them. An ineligible
    person becomes a screen failure with the unmet criteria as the reason."""
    if screening_date > _today():
        raise ValidationError({"screening_date": "This date is in the future."})
    refuse_if_locked(trial_id=trial.pk)
    criteria = list(trial.criteria.all())
    answers = screening_answers(trial, date_of_birth, screening_date, answers)
    result = eligibility(criteria, answers)
    seq = _next_number(trial, site, "last_screening_seq")
    participant = Participant(
        trial=trial,
        site=site,
        screening_number=f"S{site.number}-{seq:03d}",
        sex=sex,
        date_of_birth=date_of_birth,
        screening_date=screening_date,
        eligible=result.eligible,
        status=ParticipantStatus.SCREENING if result.eligible else ParticipantStatus.SCREEN_FAILURE,
        status_reason="" if result.eligible else f"Not eligible: {result.reason}",
    )
    participant.full_clean()
    reason = "Screened: eligible" if result.eligible else "Screened: screen failure"
    with audit_reason(reason, user=user):
        participant.save()
        for criterion in criteria:
            answer = answers.get(criterion.code)
            EligibilityAnswer.objects.create(
                participant=participant,
                criterion=criterion,
                answer_yes_no=answer if criterion.answer_type == AnswerType.YES_NO else None,
                answer_number=None if criterion.answer_type == AnswerType.YES_NO else answer,
                met=criterion_met(criterion, answer),
            )
    return participant


@transaction.atomic
def participant_consent(
    *, participant: Participant, consent_date: datetime.date, consent_version: str, user
) -> Participant:
    """Record informed consent (date and form version) of a person in screening."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    refuse_if_locked(record=participant)
    if participant.status != ParticipantStatus.SCREENING:
        raise ValidationError(
            f"Consent is recorded during screening; this participant is "
            f"{participant.get_status_display().lower()}."
        )
    if consent_date > _today():
        raise ValidationError({"consent_date": "This date is in the future."})
    if consent_date < participant.date_of_birth:
        raise ValidationError({"consent_date": "This date is before the date of birth."})
    participant.consent_date = consent_date
    participant.consent_version = consent_version.strip()
    participant.version += 1
    participant.full_clean()
    with audit_reason("Informed consent recorded", user=user):
        participant.save()
    return participant


@transaction.atomic
def participant_enrol(*, participant: Participant, user) -> Participant:
    """Enrol an eligible, consented person: they get the site's next subject number.

    The number comes from the site's counter row, locked until the transaction ends: two
    coordinators enrolling at the same moment get different numbers.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    refuse_if_locked(record=participant)
    if participant.status != ParticipantStatus.SCREENING or participant.subject_number:
        raise ValidationError("Only a participant in screening can be enrolled.")
    if not participant.eligible:
        raise ValidationError("The screening answers do not make this person eligible.")
    if participant.consent_date is None:
        raise ValidationError("Record informed consent before enrolment.")
    seq = _next_number(participant.trial, participant.site, "last_subject_seq")
    participant.subject_number = f"{participant.site.number}-{seq:03d}"
    participant.status = ParticipantStatus.ENROLLED
    participant.version += 1
    participant.full_clean()
    with audit_reason("Enrolled", user=user):
        participant.save()
    return participant
