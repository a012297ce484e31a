"""Renal laboratory computations: pure functions, no database.

Rules version "renal-1" (RENAL_RULES_VERSION): store it beside every value derived here, as
clinical.md asks for any versioned rule. Each rule cites its source in a comment; the facts
are collected in ../shared/reference/clinical.md section 2.

- Units: creatinine mg/dL <-> umol/L, BUN mg/dL <-> urea mmol/L.
- eGFR by the CKD-EPI 2021 race-free creatinine equation (adults only), and its KDIGO GFR
  category G1-G5.
- KDIGO 2012 acute kidney injury stage against a baseline creatinine.
- CTCAE "Creatinine increased" grade, v5.0 (default) or v6.0.
- Small helpers for protocol rules ("creatinine >= 1.5 x baseline", "eGFR down 30 %") and
  the exact age the eGFR equation needs.

Ratios and thresholds are compared in Decimal arithmetic, so an edge such as "exactly
1.5 x ULN" is never moved by binary floating point. Inputs may be Decimal, int or float
(a float is read through its shortest repr, so 1.1 means Decimal("1.1")).
"""

import datetime
from decimal import Decimal

from trials.choices import CTCAE_VERSIONS
from trials.eligibility import age_in_years

RENAL_RULES_VERSION = "renal-1"

# Creatinine: umol/L = mg/dL x 88.42 (the factor CDISC pharmaverse admiral uses).
CREATININE_UMOL_L_PER_MG_DL = Decimal("88.42")
# Urea mmol/L = BUN mg/dL x 0.357 (clinical.md section 2).
UREA_MMOL_L_PER_BUN_MG_DL = Decimal("0.357")

EGFR_EQUATION = "CKD-EPI 2021 (creatinine)"
EGFR_UNIT = "mL/min/1.73 m2"
EGFR_MINIMUM_AGE = 18

CTCAE_DEFAULT_VERSION = "5.0"


def _decimal(value, what: str) -> Decimal:
    """A Decimal from a Decimal, int, float or numeric string (floats via their repr)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} must be a number.")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError as error:
        raise ValueError(f"{what} must be a number, not {value!r}.") from error
    if not number.is_finite():
        raise ValueError(f"{what} must be a finite number.")
    return number


def _positive(value, what: str) -> Decimal:
    number = _decimal(value, what)
    if number <= 0:
        raise ValueError(f"{what} must be above zero.")
    return number


def creatinine_mg_dl(value, unit: str) -> Decimal:
    """Serum creatinine in mg/dL from a value in "mg/dL" or "umol/L"."""
    value = Decimal(str(value))
    if value <= 0:
        raise ValueError("Creatinine must be above zero.")
    if unit == "mg/dL":
        return value
    if unit == "umol/L":
        return value / CREATININE_UMOL_L_PER_MG_DL
    raise ValueError(f"Unknown creatinine unit {unit!r}: use mg/dL or umol/L.")


def bun_mg_dl(value, unit: str) -> Decimal:
    """Blood urea nitrogen in mg/dL from BUN in "mg/dL" or urea in "mmol/L"."""
    value = Decimal(str(value))
    if value <= 0:
        raise ValueError("Urea must be above zero.")
    if unit == "mg/dL":
        return value
    if unit == "mmol/L":
        return value / UREA_MMOL_L_PER_BUN_MG_DL
    raise ValueError(f"Unknown urea unit {unit!r}: use mg/dL (BUN) or mmol/L (urea).")


def reference_flag(value, low, high) -> str:
    """CDISC LBNRIND against a reference range: LOW, NORMAL or HIGH (limits are normal)."""
    if low is not None and value < low:
        return "LOW"
    if high is not None and value > high:
        return "HIGH"
    return "NORMAL"


# --- Age -----------------------------------------------------------------------------------


def _birthday(date_of_birth: datetime.date, year: int) -> datetime.date:
    """The birthday in a given year; 29 February falls on 1 March in common years, the day
    trials.eligibility.age_in_years counts the year as completed."""
    try:
        return date_of_birth.replace(year=year)
    except ValueError:
        return datetime.date(year, 3, 1)


def exact_age_years(date_of_birth: datetime.date, on_date: datetime.date) -> float:
    """Exact age in years on a date: completed years plus the elapsed fraction of the current
    year of life (days since the last birthday / days from that birthday to the next).

    Why: the CKD-EPI equation takes age as a continuous variable ("age in years" at sample
    collection, clinical.md s2), and a whole-year age shifts eGFR by up to 0.6 %. Counting the
    fraction within the person's own year of life (365 or 366 days) makes every birthday an
    exact integer. Completed years come from trials.eligibility.age_in_years (one rule).
    """
    if isinstance(on_date, datetime.datetime):
        on_date = on_date.date()
    if isinstance(date_of_birth, datetime.datetime):
        date_of_birth = date_of_birth.date()
    if on_date < date_of_birth:
        raise ValueError("The date is before the date of birth.")
    completed = age_in_years(date_of_birth, on_date)
    last = _birthday(date_of_birth, date_of_birth.year + completed)
    following = _birthday(date_of_birth, date_of_birth.year + completed + 1)
    return completed + (on_date - last).days / (following - last).days


# --- eGFR ----------------------------------------------------------------------------------

# CKD-EPI 2021 creatinine equation, race-free [src: Inker LA et al. N Engl J Med
# 2021;385:1737-49; NKF "CKD-EPI Creatinine Equation (2021)"; clinical.md s2]:
#   eGFR = 142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age x 1.012 [if female]
#   k = 0.7 (F) / 0.9 (M); a = -0.241 (F) / -0.302 (M); Scr in mg/dL (IDMS-traceable).
_CKD_EPI_2021 = {
    # sex: (kappa, alpha, sex factor)
    "F": (0.7, -0.241, 1.012),
    "M": (0.9, -0.302, 1.0),
}


def egfr_ckd_epi_2021(creatinine_mg_dl, age_years, sex) -> float:
    """eGFR in mL/min/1.73 m2 by the CKD-EPI 2021 creatinine equation, unrounded.

    The equation was derived in adults only: under 18 years there is no answer to give
    (a paediatric equation such as CKiD bedside Schwartz needs height), so it refuses
    rather than extrapolate (clinical.md s2). Show the result to one decimal, keep it
    unrounded, and store EGFR_EQUATION and RENAL_RULES_VERSION with it.
    """
    scr = float(_positive(creatinine_mg_dl, "Creatinine"))
    age = float(_decimal(age_years, "Age"))
    if age < EGFR_MINIMUM_AGE:
        raise ValueError(
            f"eGFR not computed: {EGFR_EQUATION} is an adult equation (age 18 or over); "
            f"age given {age:g} years."
        )
    if sex not in _CKD_EPI_2021:
        raise ValueError(f"Sex must be 'F' or 'M' for {EGFR_EQUATION}, not {sex!r}.")
    kappa, alpha, sex_factor = _CKD_EPI_2021[sex]
    ratio = scr / kappa
    return 142 * min(ratio, 1.0) ** alpha * max(ratio, 1.0) ** -1.200 * 0.9938**age * sex_factor


# KDIGO 2012 CKD guideline, GFR categories (Kidney Int Suppl 2013;3:1-150; clinical.md s2):
# G1 >= 90, G2 60-89, G3a 45-59, G3b 30-44, G4 15-29, G5 < 15.
_GFR_CATEGORIES = (
    (Decimal(90), "G1"),
    (Decimal(60), "G2"),
    (Decimal(45), "G3a"),
    (Decimal(30), "G3b"),
    (Decimal(15), "G4"),
)


def kdigo_gfr_category(egfr) -> str:
    """KDIGO GFR category "G1".."G5" of an eGFR in mL/min/1.73 m2.

    The published bands are whole numbers (60-89, 45-59...), which leave the gaps between
    them open. Each category is read as a lower bound: >= 90 G1, >= 60 G2, >= 45 G3a,
    >= 30 G3b, >= 15 G4, else G5; so 89.5 is G2 and 59.99 is G3a. Pass the value you show:
    if a page shows eGFR to one decimal, categorise that one-decimal value, so that
    "90.0" never stands beside "G2".
    """
    value = _decimal(egfr, "eGFR")
    if value < 0:
        raise ValueError("eGFR cannot be negative.")
    for lower, category in _GFR_CATEGORIES:
        if value >= lower:
            return category
    return "G5"


# --- Change from baseline --------------------------------------------------------------------


def creatinine_ratio(value, baseline) -> Decimal:
    """value / baseline, e.g. for "creatinine >= 1.5 x baseline" (same unit for both)."""
    return _positive(value, "Value") / _positive(baseline, "Baseline")


def percent_change(value, baseline) -> Decimal:
    """Change from baseline in percent, (value - baseline) / baseline x 100 (CDISC PCHG).

    Negative for a fall: "eGFR down 30 %" is percent_change(egfr, baseline) <= -30.
    """
    value = _decimal(value, "Value")
    baseline = _positive(baseline, "Baseline")
    return (value - baseline) / baseline * 100


# --- KDIGO acute kidney injury ---------------------------------------------------------------

# KDIGO Clinical Practice Guideline for Acute Kidney Injury 2012 (Kidney Int Suppl
# 2012;2:1-138), Table 2 "Staging of AKI", serum creatinine column [src: clinical.md s2]:
#   1: 1.5-1.9 x baseline OR >= 0.3 mg/dL (26.5 umol/L) increase (within 48 h, Rec. 2.1.1)
#   2: 2.0-2.9 x baseline
#   3: 3.0 x baseline OR increase in serum creatinine to >= 4.0 mg/dL (353.6 umol/L)
#      OR renal replacement therapy started (not a lab value: outside this function)
# The 4.0 rule ("the KDIGO 4.0 rule") replaced AKIN's ">= 4.0 with an acute rise of
# >= 0.5 mg/dL"; the guideline text (Chapter 2.1) applies it once the AKI definition is met
# (>= 0.3 mg/dL in 48 h or >= 1.5 x baseline) [3p], so a stable creatinine of 4.2 in
# chronic kidney disease is not AKI stage 3.
AKI_RISE_48H_MG_DL = Decimal("0.3")
AKI_STAGE_3_CREATININE_MG_DL = Decimal("4.0")


def kdigo_aki_stage(creatinine_mg_dl, baseline_mg_dl, rise_48h_mg_dl=None) -> int:
    """KDIGO 2012 AKI stage 0-3 from serum creatinine alone (both in mg/dL).

    The ratio bands are read as lower bounds (>= 1.5 stage 1, >= 2.0 stage 2, >= 3.0 stage 3),
    so 1.95 x baseline is stage 1. The ">= 0.3 mg/dL within 48 h" criterion needs two
    values 48 h apart, which a baseline does not give: it is applied only when the caller
    passes rise_48h_mg_dl (the largest rise within any 48 h). Creatinine >= 4.0 mg/dL is
    stage 3 once the AKI definition is met (see the source comment above). Urine output
    and renal replacement therapy criteria are outside this function.

    Thresholds are in mg/dL. KDIGO's SI equivalents (26.5 and 353.6 umol/L) were converted
    with 88.4, so a value converted from umol/L with this module's 88.42 lands a hair below
    them (353.6 umol/L is 3.9991 mg/dL). Round converted values to the two decimals labs
    report in mg/dL before staging, as the tests show.
    """
    value = _positive(creatinine_mg_dl, "Creatinine")
    baseline = _positive(baseline_mg_dl, "Baseline creatinine")
    rise = None if rise_48h_mg_dl is None else _decimal(rise_48h_mg_dl, "Rise within 48 h")
    ratio_stage = 0
    if value >= 3 * baseline:
        ratio_stage = 3
    elif value >= 2 * baseline:
        ratio_stage = 2
    elif value >= Decimal("1.5") * baseline:
        ratio_stage = 1
    rise_met = rise is not None and rise >= AKI_RISE_48H_MG_DL
    aki = ratio_stage >= 1 or rise_met
    if aki and value >= AKI_STAGE_3_CREATININE_MG_DL:
        return 3
    if ratio_stage:
        return ratio_stage
    return 1 if rise_met else 0


# --- CTCAE "Creatinine increased" ------------------------------------------------------------

# CTCAE v5.0 (NCI, 27 Nov 2017), Investigations, "Creatinine increased" [src: clinical.md s2,
# from pharmaverse admiral's grading metadata data-raw/adlb_grading/ncictcaev5.json]:
#   1: >ULN - 1.5 x ULN
#   2: >1.5 - 3.0 x baseline; >1.5 - 3.0 x ULN
#   3: >3.0 x baseline; >3.0 - 6.0 x ULN
#   4: >6.0 x ULN
# CTCAE v6.0 (2025) [admiral ncictcaev6.json]: grades 2 and 3 read ">1.5 - 3.0 x if baseline
# is below LLN" and ">3.0 x if baseline is below LLN"; grades 1 and 4 are unchanged.
# Reading of the edges, as in admiral's code and tests: each grade starts strictly above its
# multiple (">"), so exactly 1.5 x ULN is grade 1, exactly 3 x baseline is grade 2, exactly
# 6 x ULN is grade 3; and the grade is the highest one whose criterion is met.
_CTCAE_ULN_MULTIPLES = ((6, 4), (3, 3), (Decimal("1.5"), 2), (1, 1))
_CTCAE_BASELINE_MULTIPLES = ((3, 3), (Decimal("1.5"), 2))


def ctcae_creatinine_grade(value, uln, baseline=None, version="5.0", lln=None) -> int:
    """CTCAE grade 0-4 of "Creatinine increased"; value, uln, baseline, lln in one unit.

    v5.0 applies the baseline criteria whenever a baseline is given, so a value within the
    normal range can still be grade 2 when it is over 1.5 x a low baseline (that is the
    v5.0 wording, and admiral grades it so). v6.0 applies them only when the baseline is
    below the lower limit of normal: without lln they are ignored. Grade 0 means no
    criterion is met. Store the version with the grade.
    """
    if version not in CTCAE_VERSIONS:
        raise ValueError(
            f"Unknown CTCAE version {version!r}: use one of {', '.join(CTCAE_VERSIONS)}."
        )
    value = _positive(value, "Creatinine")
    uln = _positive(uln, "Upper limit of normal")
    baseline = None if baseline is None else _positive(baseline, "Baseline creatinine")
    lln = None if lln is None else _positive(lln, "Lower limit of normal")
    if lln is not None and lln > uln:
        raise ValueError("The lower limit of normal is above the upper limit.")

    grade = 0
    for multiple, uln_grade in _CTCAE_ULN_MULTIPLES:
        if value > multiple * uln:
            grade = uln_grade
            break
    if version == "5.0":
        baseline_applies = baseline is not None
    else:
        baseline_applies = baseline is not None and lln is not None and baseline < lln
    if baseline_applies:
        for multiple, baseline_grade in _CTCAE_BASELINE_MULTIPLES:
            if value > multiple * baseline:
                grade = max(grade, baseline_grade)
                break
    return grade
