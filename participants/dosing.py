"""Study drug dosing: the prescribed regimen of an arm, in formulation units, and compliance.

Pure functions, no database. Rule version `DOSING_RULE_VERSION` is stored next to every
dose derived with them (DESIGN.md rule 5), so a stored dose can be recomputed and compared.

Sources (../shared/reference/clinical.md section 1):
- fixed dose per administration x frequency: ALS phase I, 0.5, 2.5, 7.5 or 15 g per dose
  twice daily (Levine et al. 2017, ALS & FTD 18:107);
- weight-based: HSAN1, 400 mg/kg/day divided into 3 daily doses (Fridman et al. 2019,
  Neurology 92:e359; the three-way split is a third-party transcription);
- oral L-serine is dispensed as powder (sachets, scoops), capsules or 1 g gummies (the
  Alzheimer's trial NCT03062449), so a dose is given in whole units of the formulation.

Rounding rule (version "dosing-1"): a weight-based dose per administration is
mg/kg/day x weight / doses a day, rounded to the nearest whole unit of the formulation,
halves rounded up (ROUND_HALF_UP); the prescribed mg is then that whole number of units.
A dose that rounds to zero units is never prescribed: it raises `DosingError` so that a
person decides. A fixed dose is prescribed exactly: it must be a whole number of units
(or the arm states its kit units per administration, for matched blinded kits).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DOSING_RULE_VERSION = "dosing-1"

# CDISC EXDOSFRQ terms for the administrations a day (trials.choices.Frequency).
ADMINISTRATIONS_PER_DAY = {"QD": 1, "BID": 2, "TID": 3, "QID": 4}

FIXED = "fixed"  # trials.choices.RegimenType values, repeated to keep this module DB-free
WEIGHT_BASED = "weight"


class DosingError(ValueError):
    """A dose that can't be prescribed as asked. `code` says why, so that callers can word
    a message fit for a blinded user (never the amount):
    "frequency", "no_weight", "below_one_unit", "not_whole_units", "regimen"."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PrescribedDose:
    mg_per_administration: Decimal
    administrations_per_day: int
    units_per_administration: int
    unit_name: str
    weight_kg: Decimal | None = None

    @property
    def mg_per_day(self) -> Decimal:
        return self.mg_per_administration * self.administrations_per_day


def administrations_per_day(frequency: str) -> int:
    """Administrations a day for a CDISC EXDOSFRQ term: QD 1, BID 2, TID 3, QID 4."""
    try:
        return ADMINISTRATIONS_PER_DAY[frequency]
    except KeyError:
        raise DosingError("frequency", f"Unknown frequency {frequency!r}.") from None


def whole_units(mg: Decimal, unit_mg: Decimal) -> int:
    """`mg` in whole formulation units, halves rounded up; never zero (DosingError)."""
    units = (Decimal(mg) / Decimal(unit_mg)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if units < 1:
        raise DosingError(
            "below_one_unit", f"{mg} mg is less than half a unit of {unit_mg} mg: not prescribed."
        )
    return int(units)


def weight_based_dose(
    *,
    mg_per_kg_day: Decimal,
    weight_kg: Decimal | None,
    doses_per_day: int,
    unit_mg: Decimal,
    unit_name: str,
) -> PrescribedDose:
    """mg/kg/day x weight / doses a day, in whole units (e.g. 400 x 70 / 3 = 9333.3 mg ->
    9 gummies of 1 g = 9000 mg, or 19 scoops of 0.5 g = 9500 mg)."""
    if weight_kg is None:
        raise DosingError("no_weight", "A weight-based dose needs the participant's weight.")
    weight_kg = Decimal(weight_kg)
    if weight_kg <= 0:
        raise DosingError("no_weight", "The weight must be above zero.")
    if doses_per_day < 1:
        raise DosingError("regimen", "A weight-based regimen needs at least one dose a day.")
    # One division of exact products, so that a true half stays an exact half.
    mg_per_administration = Decimal(mg_per_kg_day) * weight_kg / doses_per_day
    units = whole_units(mg_per_administration, unit_mg)
    return PrescribedDose(
        mg_per_administration=units * Decimal(unit_mg),
        administrations_per_day=doses_per_day,
        units_per_administration=units,
        unit_name=unit_name,
        weight_kg=weight_kg,
    )


def fixed_dose(
    *,
    dose_mg: Decimal,
    frequency: str,
    unit_mg: Decimal,
    unit_name: str,
    kit_units: int | None = None,
) -> PrescribedDose:
    """A fixed dose per administration x frequency. With `kit_units` (matched kits of a
    blinded trial: every arm takes the same number of units, each holding that arm's
    dose), the units are the kit units; otherwise the dose must be whole units."""
    per_day = administrations_per_day(frequency)
    dose_mg = Decimal(dose_mg)
    if kit_units is not None:
        if kit_units < 1:
            raise DosingError("regimen", "Kit units per administration must be at least 1.")
        units = kit_units
    else:
        exact = dose_mg / Decimal(unit_mg)
        if exact != exact.to_integral_value():
            raise DosingError(
                "not_whole_units", f"{dose_mg} mg is not a whole number of {unit_mg} mg units."
            )
        units = int(exact)
        if units < 1:
            raise DosingError("below_one_unit", f"{dose_mg} mg is less than one unit.")
    return PrescribedDose(
        mg_per_administration=dose_mg,
        administrations_per_day=per_day,
        units_per_administration=units,
        unit_name=unit_name,
    )


def prescribed_dose(
    *,
    regimen_type: str,
    unit_mg: Decimal,
    unit_name: str,
    dose_mg: Decimal | None = None,
    frequency: str = "",
    mg_per_kg_day: Decimal | None = None,
    doses_per_day: int | None = None,
    kit_units: int | None = None,
    weight_kg: Decimal | None = None,
) -> PrescribedDose:
    """The prescribed dose of an arm's regimen (trials.models.Arm fields) in units of a
    formulation; `weight_kg` is used by weight-based regimens only."""
    if regimen_type == FIXED:
        if dose_mg is None:
            raise DosingError("regimen", "A fixed regimen needs its dose per administration.")
        return fixed_dose(
            dose_mg=dose_mg,
            frequency=frequency,
            unit_mg=unit_mg,
            unit_name=unit_name,
            kit_units=kit_units,
        )
    if regimen_type == WEIGHT_BASED:
        if mg_per_kg_day is None or doses_per_day is None:
            raise DosingError("regimen", "A weight-based regimen needs mg/kg/day and doses a day.")
        return weight_based_dose(
            mg_per_kg_day=mg_per_kg_day,
            weight_kg=weight_kg,
            doses_per_day=doses_per_day,
            unit_mg=unit_mg,
            unit_name=unit_name,
        )
    raise DosingError("regimen", f"Unknown regimen type {regimen_type!r}.")


def compliance_percent(doses_taken: int, doses_missed: int) -> Decimal | None:
    """Doses taken / (taken + missed) x 100, one decimal (halves up); None when no dose
    was due. The usual pill-count compliance of an exposure period."""
    if doses_taken < 0 or doses_missed < 0:
        raise ValueError("Dose counts can't be negative.")
    due = doses_taken + doses_missed
    if due == 0:
        return None
    return (Decimal(doses_taken) * 100 / due).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def doses_scheduled(start: datetime.date, end: datetime.date, per_day: int) -> int:
    """Administrations scheduled from `start` to `end`, both days included."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    return ((end - start).days + 1) * per_day


def unit_label(unit_name: str, count: int) -> str:
    """ "1 gummy", "9 gummies", "2 sachets": the count with the unit in the right number."""
    if count == 1:
        return f"1 {unit_name}"
    if unit_name.endswith("y") and unit_name[-2:-1] not in "aeiou":
        return f"{count} {unit_name[:-1]}ies"
    if unit_name.endswith(("s", "x", "ch", "sh")):
        return f"{count} {unit_name}es"
    return f"{count} {unit_name}s"
