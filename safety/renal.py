"""Renal laboratory computations: pure functions, no database.

Version 1 (2026-11). Sources are cited beside each rule; see ../shared/reference/clinical.md
section 2. Later work adds eGFR (CKD-EPI 2021), KDIGO categories and CTCAE grading here.
"""

from decimal import Decimal

# Creatinine: umol/L = mg/dL x 88.42 (the factor CDISC pharmaverse admiral uses).
CREATININE_UMOL_L_PER_MG_DL = Decimal("88.42")
# Urea mmol/L = BUN mg/dL x 0.357 (clinical.md section 2).
UREA_MMOL_L_PER_BUN_MG_DL = Decimal("0.357")


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
