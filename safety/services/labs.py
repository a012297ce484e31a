"""Writes for safety-lab panels and the renal values derived from them.

A panel is saved as a whole (one sample, one collection date and time); each analyte's
result keeps the value and unit as reported, its value in the catalogue's standard unit
(safety/analytes.py, which uses safety/renal.py for creatinine and urea), the site lab's
reference range and the flag. After every save the participant's creatinine results are
recomputed (`renal_recompute`): baseline, eGFR, KDIGO, AKI, CTCAE and the renal signals
follow their inputs (DESIGN.md rule 5).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from participants.locks import refuse_if_locked
from participants.models import Participant, StudyDrugExposure
from participants.services import check_clinical_date, record_locked_for_change
from safety import analytes, renal
from safety.models import LabPanel, LabResult
from trials.audit import audit_reason
from trials.choices import Analyte
from trials.eligibility import age_in_years
from trials.models import ReferenceRange

# The panel's own fields a form may change (the rest of LabPanel is set by this module).
PANEL_FIELDS = ("visit", "report_date", "collection_time", "lab_name")

DERIVED_RENAL_FIELDS = (
    "baseline_value",
    "is_baseline",
    "creatinine_ratio",
    "egfr",
    "egfr_equation",
    "egfr_not_computed",
    "baseline_egfr",
    "egfr_change_percent",
    "kdigo_gfr_category",
    "aki_stage",
    "ctcae_grade",
    "ctcae_version",
    "renal_rules_version",
)


def value_field(code: str) -> str:
    """The form field (and error key) of an analyte's value."""
    return f"value_{code}"


def unit_field(code: str) -> str:
    return f"unit_{code}"


def _in_unit(test: analytes.LabTest, value: Decimal, unit: str) -> Decimal | None:
    """A reference limit converted to the analyte's standard unit, without the hard-limit
    check (a lower limit of 0 is a fine limit but no possible result)."""
    if test.converter is not None:
        try:
            return test.converter(value, unit) if value > 0 else Decimal(0)
        except ValueError:
            return None
    for factor in test.units:
        if factor.unit == unit:
            return factor.convert(value)
    return None


def reference_range_for(*, participant: Participant, analyte: str, on: datetime.date):
    """The site lab's range for this analyte, sex and age band, as (low, high) in the
    analyte's standard unit, or None. A sex-specific range wins over one for both sexes,
    then the narrowest age band (a lab may give 18-120 and a narrower band for the old);
    urea reported in mmol/L uses the BUN range when the lab gives none for urea (one test
    reported two ways)."""
    age = age_in_years(participant.date_of_birth, on)
    codes = [analyte, Analyte.BUN.value] if analyte == Analyte.UREA else [analyte]
    candidates = list(
        ReferenceRange.objects.filter(
            site_id=participant.site_id,
            analyte__in=codes,
            sex__in=[participant.sex, "B"],
            age_from__lte=age,
            age_to__gt=age,
        )
    )
    candidates.sort(
        key=lambda r: (codes.index(r.analyte), r.sex == "B", r.age_to - r.age_from, r.pk)
    )
    test = analytes.analyte(analyte)
    for rng in candidates:
        low, high = _in_unit(test, rng.low, rng.unit), _in_unit(test, rng.high, rng.unit)
        if low is not None and high is not None:
            return low.quantize(Decimal("0.001")), high.quantize(Decimal("0.001"))
    return None


def _clean_values(panel_code: str, values: dict) -> dict:
    """{code: (value Decimal, unit, standard Decimal)} for the analytes given; every
    refusal is keyed to its field, and all are reported together."""
    accepted = {test.code: test for test in analytes.panel(panel_code).analytes}
    errors, cleaned = {}, {}
    for code, (value, unit) in values.items():
        if code not in accepted:
            errors.setdefault("__all__", []).append(
                f"{code} is not part of the {analytes.panel(panel_code).name} panel."
            )
            continue
        if value is None or value == "":
            continue
        test = accepted[code]
        unit = unit or ""
        if unit not in test.unit_names:
            errors[unit_field(code)] = [f"Choose one of the units {test.name} is reported in."]
            continue
        try:
            standard = analytes.to_standard(code, value, unit)
        except ValueError as exc:
            errors[value_field(code)] = [str(exc)]
            continue
        cleaned[code] = (Decimal(str(value)), unit, standard)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _result_fields(participant, panel: LabPanel, code, value, unit, standard) -> dict:
    test = analytes.analyte(code)
    rng = reference_range_for(participant=participant, analyte=code, on=panel.report_date)
    low, high = rng if rng else (None, None)
    return {
        "participant": participant,
        "visit": panel.visit,
        "analyte": code,
        "value": value,
        "unit": unit,
        "standard_value": standard.quantize(Decimal("0.0001")),
        "standard_unit": test.standard_unit,
        "reference_low": low,
        "reference_high": high,
        "flag": renal.reference_flag(standard, low, high) if rng else "",
        "collected_at": timezone.make_aware(
            datetime.datetime.combine(panel.report_date, panel.collection_time)
        ),
    }


def _save_results(panel: LabPanel, cleaned: dict, audit: str, user) -> None:
    """Create or update the panel's result rows; a result no longer given is marked
    entered in error (kept with its history, DESIGN.md rule 2)."""
    participant = panel.participant
    existing = {r.analyte: r for r in panel.results.filter(entered_in_error=False)}
    for code, (value, unit, standard) in cleaned.items():
        fields = _result_fields(participant, panel, code, value, unit, standard)
        result = existing.pop(code, None)
        if result is None:
            result = LabResult(panel=panel, **fields)
        else:
            for name, new in fields.items():
                setattr(result, name, new)
            result.version += 1
        result.full_clean()
        with audit_reason(audit, user=user):
            result.save()
    for result in existing.values():
        result.entered_in_error = True
        result.entered_in_error_reason = "Removed from its panel."
        result.version += 1
        with audit_reason(audit, user=user):
            result.save()


@transaction.atomic
def lab_panel_save(
    *,
    panel_record: LabPanel,
    values: dict,
    user,
    expected_version: int | None = None,
    reason: str = "",
    fields: dict | None = None,
) -> LabPanel:
    """Save a lab panel: the first save, or a change with its reason (optimistic locking).

    `values` maps analyte codes to (value, unit) as reported; an analyte left out (or with
    no value) is not recorded and the panel is then incomplete. `fields` sets the panel's
    visit, collection date and time and lab name; for a new panel they may be set on
    `panel_record` instead. Impossible values and units are refused beside their field
    (`value_<code>`, `unit_<code>`) and nothing is saved.
    """
    participant = Participant.objects.select_for_update().get(pk=panel_record.participant_id)
    if panel_record.pk is None:
        refuse_if_locked(record=panel_record)
        record = panel_record
        record.version = 1
        audit = f"{record.get_panel_display()} panel entered"
    else:
        record = record_locked_for_change(panel_record, expected_version)
        if record.entered_in_error:
            raise ValidationError("This panel was marked entered in error; it can't be changed.")
        if not reason.strip():
            raise ValidationError({"reason_for_change": "Give the reason for this change."})
        record.version += 1
        audit = reason.strip()
        if fields is None:
            fields = {name: getattr(panel_record, name) for name in PANEL_FIELDS}
    for name, value in (fields or {}).items():
        setattr(record, name, value)
    if record.visit_id is not None and record.visit.participant_id != participant.pk:
        raise ValidationError({"visit": "This visit belongs to another participant."})
    check_clinical_date(participant, record.report_date, "report_date")
    cleaned = _clean_values(record.panel, values)
    if not cleaned:
        raise ValidationError("Enter at least one result.")
    wanted = {test.code for test in analytes.panel(record.panel).analytes}
    # BUN and urea are one test reported two ways: either completes the renal panel.
    if {"BUN", "UREA"} <= wanted:
        wanted -= {"UREA"} if "BUN" in cleaned or "UREA" not in cleaned else {"BUN"}
    record.complete = wanted <= set(cleaned)
    record.participant = participant
    record.full_clean()
    with audit_reason(audit, user=user):
        record.save()
    _save_results(record, cleaned, audit, user)
    renal_recompute(participant)
    return record


@transaction.atomic
def lab_panel_mark_entered_in_error(
    *, panel: LabPanel, reason: str, user, expected_version: int | None
) -> LabPanel:
    """Hide a panel and its results (kept with their history, DESIGN.md rule 2); the renal
    values and signals of the participant's other results are recomputed without it."""
    current = record_locked_for_change(panel, expected_version)
    if not reason.strip():
        raise ValidationError({"entered_in_error_reason": "Say why this was entered in error."})
    audit = f"Entered in error: {reason.strip()}"
    current.entered_in_error = True
    current.entered_in_error_reason = reason.strip()
    current.version += 1
    with audit_reason(audit, user=user):
        current.save()
        for result in current.results.filter(entered_in_error=False):
            result.entered_in_error = True
            result.entered_in_error_reason = reason.strip()
            result.version += 1
            result.save()
    renal_recompute(current.participant)
    return current


# --- Renal values derived from creatinine --------------------------------------------------


def first_dose_date(participant: Participant) -> datetime.date | None:
    """The first day of study drug: the earliest exposure period not entered in error, or
    the participant's baseline date when no exposure form is saved yet."""
    first = (
        StudyDrugExposure.objects.filter(participant=participant, entered_in_error=False)
        .order_by("period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    return first or participant.baseline_date


def _q(value, places: str):
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def _not_computed_reason(age: float) -> str:
    return (
        f"eGFR not computed: the participant was {age:.1f} years old at collection and "
        f"{renal.EGFR_EQUATION} is defined for adults ({renal.EGFR_MINIMUM_AGE} and over)."
    )


def _derive(result, participant, baseline, first_dose, earlier, ctcae_version) -> dict:
    """The renal values of one creatinine result (safety/renal.py does the arithmetic).

    The baseline is the last creatinine collected on or before the first-dose day:
    protocols draw baseline bloods before the first dose on that day. Results after the
    first-dose day are post-baseline: they get the ratio, change, AKI stage and signals.
    """
    value = result.standard_value
    collected = timezone.localtime(result.collected_at).date()
    post = baseline is not None and first_dose is not None and collected > first_dose
    age = renal.exact_age_years(participant.date_of_birth, collected)
    out = dict.fromkeys(DERIVED_RENAL_FIELDS)
    out.update(
        is_baseline=baseline is not None and result.pk == baseline.pk,
        egfr_equation="",
        egfr_not_computed="",
        kdigo_gfr_category="",
        ctcae_version=ctcae_version,
        renal_rules_version=renal.RENAL_RULES_VERSION,
    )
    if age < renal.EGFR_MINIMUM_AGE:
        out["egfr_not_computed"] = _not_computed_reason(age)
    else:
        egfr = renal.egfr_ckd_epi_2021(value, age, participant.sex)
        out["egfr"] = _q(egfr, "0.001")
        out["egfr_equation"] = renal.EGFR_EQUATION
        out["kdigo_gfr_category"] = renal.kdigo_gfr_category(egfr)
    if baseline is not None:
        out["baseline_value"] = baseline.standard_value
        out["baseline_egfr"] = baseline._derived_egfr
    if post:
        out["creatinine_ratio"] = _q(
            renal.creatinine_ratio(value, baseline.standard_value), "0.001"
        )
        if out["egfr"] is not None and out["baseline_egfr"] is not None:
            out["egfr_change_percent"] = _q(
                renal.percent_change(out["egfr"], out["baseline_egfr"]), "0.1"
            )
        window = [
            r.standard_value
            for r in earlier
            if result.collected_at - datetime.timedelta(hours=48) <= r.collected_at
            and r.collected_at < result.collected_at
        ]
        rise = value - min(window) if window else None
        out["aki_stage"] = renal.kdigo_aki_stage(value, baseline.standard_value, rise)
    if result.reference_high is not None:
        out["ctcae_grade"] = renal.ctcae_creatinine_grade(
            value,
            result.reference_high,
            baseline.standard_value if post else None,
            version=ctcae_version,
        )
    return out


def renal_recompute(participant: Participant) -> list[LabResult]:
    """Recompute every live creatinine result's derived values, in time order, then the
    participant's renal signals. Only rows whose values changed are written."""
    from safety.services.signals import signals_refresh

    participant = Participant.objects.select_related("trial").get(pk=participant.pk)
    results = list(
        LabResult.objects.filter(
            participant=participant,
            analyte=Analyte.CREAT,
            entered_in_error=False,
            panel__entered_in_error=False,
        ).order_by("collected_at", "pk")
    )
    first_dose = first_dose_date(participant)
    baseline = None
    if first_dose is not None:
        for result in results:
            if timezone.localtime(result.collected_at).date() <= first_dose:
                baseline = result
    if baseline is not None:
        age = renal.exact_age_years(
            participant.date_of_birth, timezone.localtime(baseline.collected_at).date()
        )
        baseline._derived_egfr = (
            _q(renal.egfr_ckd_epi_2021(baseline.standard_value, age, participant.sex), "0.001")
            if age >= renal.EGFR_MINIMUM_AGE
            else None
        )
    version = participant.trial.ctcae_version
    for index, result in enumerate(results):
        derived = _derive(result, participant, baseline, first_dose, results[:index], version)
        changed = [n for n, v in derived.items() if getattr(result, n) != v]
        if changed:
            for name in changed:
                setattr(result, name, derived[name])
            with audit_reason("Renal values recomputed"):
                result.save(update_fields=[*changed, "updated_at"])
    signals_refresh(participant, results)
    return results
