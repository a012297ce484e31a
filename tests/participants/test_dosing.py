"""The prescribed dose and compliance (participants/dosing.py), against hand-worked values.

HSAN1: 400 mg/kg/day in 3 doses (Fridman et al. 2019); ALS: 0.5-15 g twice daily (Levine et
al. 2017); 1 g gummies (NCT03062449). Rule: whole units, halves up, never zero units.
"""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from participants.dosing import (
    DOSING_RULE_VERSION,
    DosingError,
    administrations_per_day,
    compliance_percent,
    doses_scheduled,
    fixed_dose,
    prescribed_dose,
    unit_label,
    weight_based_dose,
    whole_units,
)

D = Decimal
GUMMY = {"unit_mg": D(1000), "unit_name": "gummy"}
SCOOP = {"unit_mg": D(500), "unit_name": "scoop"}


def hsan1(weight_kg, doses_per_day=3, **unit):
    return weight_based_dose(
        mg_per_kg_day=D(400), weight_kg=weight_kg, doses_per_day=doses_per_day, **unit
    )


@pytest.mark.parametrize(("frequency", "expected"), [("QD", 1), ("BID", 2), ("TID", 3), ("QID", 4)])
def test_it_counts_the_administrations_a_day_of_each_frequency(frequency, expected):
    assert administrations_per_day(frequency) == expected


def test_it_refuses_an_unknown_frequency():
    with pytest.raises(DosingError) as exc:
        administrations_per_day("Q6H")
    assert exc.value.code == "frequency"


def test_it_gives_a_70_kg_hsan1_participant_9_one_gram_gummies_three_times_a_day():
    # 400 mg/kg/day x 70 kg / 3 = 9333.3 mg -> 9.33 gummies -> 9 gummies = 9000 mg.
    dose = hsan1(D("70.0"), **GUMMY)
    assert dose.units_per_administration == 9
    assert dose.mg_per_administration == D(9000)
    assert dose.administrations_per_day == 3
    assert dose.mg_per_day == D(27000)
    assert dose.unit_name == "gummy"
    assert dose.weight_kg == D("70.0")


def test_it_gives_the_same_participant_19_half_gram_scoops():
    # 9333.3 mg / 500 mg = 18.67 -> 19 scoops = 9500 mg; 28500 mg a day.
    dose = hsan1(D("70.0"), **SCOOP)
    assert (dose.units_per_administration, dose.mg_per_administration) == (19, D(9500))
    assert dose.mg_per_day == D(28500)


@pytest.mark.parametrize(
    ("weight", "doses_per_day", "units"),
    [
        (D("47.5"), 2, 10),  # 400 x 47.5 / 2 = 9500 mg = 9.5 gummies: a half rounds up
        (D("47.4"), 2, 9),  # 9480 mg = 9.48 gummies: rounds down
        (D("71.25"), 3, 10),  # 400 x 71.25 / 3 = 9500 mg exactly, through a division by 3
        (D("3.75"), 3, 1),  # 500 mg = half a gummy: rounds up to one, not zero
    ],
)
def test_it_rounds_a_weight_based_dose_half_up_to_whole_units(weight, doses_per_day, units):
    dose = hsan1(weight, doses_per_day, **GUMMY)
    assert dose.units_per_administration == units
    assert dose.mg_per_administration == units * D(1000)


@pytest.mark.parametrize("weight", [D("3.7"), D("2.0")])
def test_it_never_rounds_a_tiny_dose_to_zero_units(weight):
    # 400 x 3.7 / 3 = 493.3 mg: less than half a gummy.
    with pytest.raises(DosingError) as exc:
        hsan1(weight, **GUMMY)
    assert exc.value.code == "below_one_unit"


def test_it_refuses_a_weight_based_dose_without_a_weight():
    with pytest.raises(DosingError, match="needs the participant's weight") as exc:
        hsan1(None, **GUMMY)
    assert exc.value.code == "no_weight"


def test_it_refuses_a_weight_of_zero():
    with pytest.raises(DosingError) as exc:
        hsan1(D(0), **GUMMY)
    assert exc.value.code == "no_weight"


def test_it_prescribes_a_fixed_dose_exactly_in_units():
    # Alzheimer's trial: 15 g twice daily as 1 g gummies = 15 gummies, 30 g a day.
    dose = fixed_dose(dose_mg=D(15000), frequency="BID", **GUMMY)
    assert (dose.units_per_administration, dose.administrations_per_day) == (15, 2)
    assert dose.mg_per_day == D(30000)


def test_it_refuses_a_fixed_dose_that_is_not_whole_units():
    # 0.5 g is half a 1 g gummy: a fixed dose is never rounded.
    with pytest.raises(DosingError) as exc:
        fixed_dose(dose_mg=D(500), frequency="BID", **GUMMY)
    assert exc.value.code == "not_whole_units"


def test_matched_kits_give_every_als_arm_the_same_units():
    # The ALS arms 0.5, 2.5, 7.5 and 15 g BID, each as one matched sachet per dose.
    doses = [
        fixed_dose(
            dose_mg=D(g) * 1000, frequency="BID", unit_mg=D(15000), unit_name="sachet", kit_units=1
        )
        for g in ("0.5", "2.5", "7.5", "15")
    ]
    assert {(d.units_per_administration, d.administrations_per_day) for d in doses} == {(1, 2)}
    assert [d.mg_per_administration for d in doses] == [D(500), D(2500), D(7500), D(15000)]


def test_prescribed_dose_follows_the_regimen_type():
    weight = prescribed_dose(
        regimen_type="weight", mg_per_kg_day=D(400), doses_per_day=3, weight_kg=D(70), **GUMMY
    )
    fixed = prescribed_dose(regimen_type="fixed", dose_mg=D(2000), frequency="TID", **GUMMY)
    assert weight.units_per_administration == 9
    assert (fixed.units_per_administration, fixed.administrations_per_day) == (2, 3)
    with pytest.raises(DosingError):
        prescribed_dose(regimen_type="weight", weight_kg=D(70), **GUMMY)


def test_a_prescribed_dose_is_frozen():
    dose = hsan1(D(70), **GUMMY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dose.units_per_administration = 12


def test_whole_units_rounds_half_up():
    assert whole_units(D(2500), D(1000)) == 3
    assert whole_units(D(2499), D(1000)) == 2


@pytest.mark.parametrize(
    ("taken", "missed", "expected"),
    [
        (56, 4, D("93.3")),  # 56 / 60
        (2, 1, D("66.7")),  # 66.67 rounds up
        (1, 15, D("6.3")),  # 6.25: a half rounds up (not to even)
        (0, 5, D("0.0")),
        (60, 0, D("100.0")),
    ],
)
def test_it_computes_compliance_to_one_decimal(taken, missed, expected):
    assert compliance_percent(taken, missed) == expected


def test_compliance_is_none_when_no_dose_was_due():
    assert compliance_percent(0, 0) is None


def test_compliance_refuses_negative_counts():
    with pytest.raises(ValueError):
        compliance_percent(-1, 3)


def test_it_counts_the_doses_scheduled_in_a_period_both_days_included():
    start = datetime.date(2026, 1, 1)
    assert doses_scheduled(start, datetime.date(2026, 1, 30), 2) == 60
    assert doses_scheduled(start, start, 3) == 3
    with pytest.raises(ValueError):
        doses_scheduled(start, datetime.date(2025, 12, 31), 2)


@pytest.mark.parametrize(
    ("name", "count", "text"),
    [("gummy", 1, "1 gummy"), ("gummy", 9, "9 gummies"), ("sachet", 2, "2 sachets")],
)
def test_it_words_units_in_the_right_number(name, count, text):
    assert unit_label(name, count) == text


def test_the_rule_has_a_version():
    assert DOSING_RULE_VERSION == "dosing-1"
