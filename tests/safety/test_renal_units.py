"""Unit conversions against the factors in clinical.md section 2."""

from decimal import Decimal

import pytest

from safety.renal import bun_mg_dl, creatinine_mg_dl, reference_flag


def test_creatinine_in_umol_per_litre_converts_with_88_42():
    assert creatinine_mg_dl(Decimal("88.42"), "umol/L") == Decimal("1")
    assert round(creatinine_mg_dl(Decimal("132.6"), "umol/L"), 2) == Decimal("1.50")
    assert creatinine_mg_dl(Decimal("1.1"), "mg/dL") == Decimal("1.1")


def test_urea_in_mmol_per_litre_converts_to_bun_with_0_357():
    assert round(bun_mg_dl(Decimal("5.0"), "mmol/L"), 1) == Decimal("14.0")
    assert bun_mg_dl(Decimal("14"), "mg/dL") == Decimal("14")


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-1")])
def test_it_refuses_a_value_that_is_not_above_zero(value):
    with pytest.raises(ValueError):
        creatinine_mg_dl(value, "mg/dL")


def test_it_refuses_an_unknown_unit():
    with pytest.raises(ValueError, match="unit"):
        creatinine_mg_dl(Decimal("1"), "mg/L")


def test_the_flag_treats_the_limits_as_normal():
    low, high = Decimal("0.7"), Decimal("1.3")
    assert reference_flag(Decimal("0.69"), low, high) == "LOW"
    assert reference_flag(Decimal("0.7"), low, high) == "NORMAL"
    assert reference_flag(Decimal("1.3"), low, high) == "NORMAL"
    assert reference_flag(Decimal("1.31"), low, high) == "HIGH"
