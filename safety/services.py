"""Writes for adverse events and lab results."""

import datetime
from decimal import Decimal

from django.db import transaction

from participants.models import Participant, Visit
from safety import renal
from safety.models import AdverseEvent, LabResult
from trials.audit import audit_reason
from trials.choices import Analyte
from trials.eligibility import age_in_years
from trials.models import ReferenceRange

STANDARD_UNIT = "mg/dL"


def reference_range_for(*, participant: Participant, analyte: str, on: datetime.date):
    """The site lab's range for this analyte, sex and age (a sex-specific range wins)."""
    age = age_in_years(participant.date_of_birth, on)
    candidates = ReferenceRange.objects.filter(
        site_id=participant.site_id,
        analyte=analyte,
        sex__in=[participant.sex, "B"],
        age_from__lte=age,
        age_to__gt=age,
        unit=STANDARD_UNIT,
    )
    return sorted(candidates, key=lambda r: r.sex == "B")[0] if candidates else None


def standard_value(analyte: str, value: Decimal, unit: str) -> Decimal:
    if analyte == Analyte.CREAT:
        return renal.creatinine_mg_dl(value, unit)
    if analyte in (Analyte.BUN, Analyte.UREA):
        return renal.bun_mg_dl(value, unit)
    raise ValueError(f"No standard unit known for {analyte}.")


@transaction.atomic
def lab_result_record(
    *,
    participant: Participant,
    analyte: str,
    value: Decimal,
    unit: str,
    collected_at: datetime.datetime,
    user,
    visit: Visit | None = None,
) -> LabResult:
    """Record a result as reported, with its value in mg/dL and its reference-range flag."""
    standard = standard_value(analyte, Decimal(str(value)), unit).quantize(Decimal("0.0001"))
    rng = reference_range_for(participant=participant, analyte=analyte, on=collected_at.date())
    result = LabResult(
        participant=participant,
        visit=visit,
        analyte=analyte,
        value=value,
        unit=unit,
        standard_value=standard,
        standard_unit=STANDARD_UNIT,
        reference_low=rng.low if rng else None,
        reference_high=rng.high if rng else None,
        flag=renal.reference_flag(standard, rng.low, rng.high) if rng else "",
        collected_at=collected_at,
    )
    result.full_clean()
    with audit_reason("Lab result entered", user=user):
        result.save()
    return result


@transaction.atomic
def adverse_event_report(*, participant: Participant, user, **fields) -> AdverseEvent:
    """Record an adverse event (coding, follow-up and SAE handling come with the safety work)."""
    event = AdverseEvent(participant=participant, **fields)
    event.ctcae_version = participant.trial.ctcae_version
    event.full_clean()
    with audit_reason("Adverse event reported", user=user):
        event.save()
    return event
