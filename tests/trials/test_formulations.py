"""Trial formulations and the blinded presentation of arms: configured in the admin,
checked so that every arm of a blinded trial looks the same to a site."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import ArmFactory, TrialFactory
from tests.trials.test_admin import form_data
from trials.choices import DoseForm, RegimenType
from trials.models import Arm, Formulation, Trial, blinded_regimen_conflicts

pytestmark = pytest.mark.django_db


@pytest.fixture
def als():
    return Trial.objects.get(code="LSER-ALS-01")


def test_a_formulation_never_names_its_amount():
    trial = Trial.objects.get(code="LSER-HSAN1-01")
    assert str(Formulation(trial=trial, kind=DoseForm.GUMMY, unit_name="gummy")) == "Gummy"
    sachet = Formulation(trial=trial, kind=DoseForm.POWDER, unit_name="sachet", unit_mg=15000)
    assert str(sachet) == "Powder (sachet)"


def test_the_database_refuses_a_unit_of_zero_mg(als):
    with pytest.raises(IntegrityError, match="formulation_unit_mg_positive"), transaction.atomic():
        Formulation.objects.create(trial=als, kind=DoseForm.CAPSULE, unit_name="cap", unit_mg=0)


def test_the_database_refuses_kit_units_on_a_weight_based_arm():
    arm = Arm.objects.get(trial__code="LSER-HSAN1-01", code="LS400")
    with pytest.raises(IntegrityError, match="arm_kit_units_fixed_only"), transaction.atomic():
        Arm.objects.filter(pk=arm.pk).update(units_per_administration=1)


def test_a_fixed_arm_of_a_blinded_trial_needs_its_kit_units():
    arm = ArmFactory.build(trial=TrialFactory(blinding="double"), units_per_administration=None)
    with pytest.raises(ValidationError) as exc:
        arm.full_clean()
    assert "matched kits" in str(exc.value.message_dict["units_per_administration"])
    arm.units_per_administration = 1
    arm.full_clean()


def test_a_fixed_arm_of_an_open_trial_may_do_without_kit_units():
    ArmFactory.build(trial=TrialFactory(blinding="open")).full_clean()


def test_the_seeded_blinded_trials_have_no_conflicts():
    for trial in Trial.objects.filter(code__in=["LSER-ALS-01", "LSER-HSAN1-01"]):
        assert blinded_regimen_conflicts(trial.blinding, trial.arms.all()) == []


def test_arms_that_would_look_different_to_a_site_are_conflicts(als):
    arms = list(als.arms.all())
    arms[0].units_per_administration = 2
    assert "same kit units" in blinded_regimen_conflicts("double", arms)[0]
    assert blinded_regimen_conflicts("open", arms) == []
    hsan1 = list(Trial.objects.get(code="LSER-HSAN1-01").arms.all())
    hsan1[1].dose_mg_per_kg_day = Decimal(200)  # a placebo not at the nominal dose
    assert "same nominal mg/kg/day" in blinded_regimen_conflicts("single", hsan1)[0]
    mixed = [arms[0], hsan1[0]]
    assert "same regimen type" in blinded_regimen_conflicts("double", mixed)[0]


def _trial_page(client, trial):
    page = reverse("admin:trials_trial_change", args=[trial.pk])
    return page, form_data(client.get(page))


def _arm_index(data, code):
    total = int(data["arms-TOTAL_FORMS"])
    return next(i for i in range(total) if data[f"arms-{i}-code"] == code)


def test_the_trial_page_refuses_one_arm_with_other_kit_units(client, study_coordinator, als):
    client.force_login(study_coordinator)
    page, data = _trial_page(client, als)
    data[f"arms-{_arm_index(data, 'LS15')}-units_per_administration"] = "2"
    data["reason_for_change"] = "Two sachets for the top dose"
    response = client.post(page, data)
    assert response.status_code == 200
    assert "same kit units" in response.content.decode()
    assert Arm.objects.get(trial=als, code="LS15").units_per_administration == 1


def test_the_trial_page_accepts_all_arms_changed_together(client, study_coordinator, als):
    client.force_login(study_coordinator)
    page, data = _trial_page(client, als)
    for code in ("LS0.5", "LS2.5", "LS7.5", "LS15"):
        data[f"arms-{_arm_index(data, code)}-units_per_administration"] = "2"
    data["reason_for_change"] = "Kits of two half-sachets"
    response = client.post(page, data)
    assert response.status_code == 302, response.context["errors"]
    assert set(als.arms.values_list("units_per_administration", flat=True)) == {2}


def test_a_study_coordinator_adds_a_formulation_inline(client, study_coordinator):
    hsan1 = Trial.objects.get(code="LSER-HSAN1-01")
    client.force_login(study_coordinator)
    page, data = _trial_page(client, hsan1)
    n = int(data["formulations-TOTAL_FORMS"])
    data.update(
        {
            "formulations-TOTAL_FORMS": str(n + 1),
            f"formulations-{n}-trial": str(hsan1.pk),
            f"formulations-{n}-kind": DoseForm.POWDER,
            f"formulations-{n}-unit_name": "scoop",
            f"formulations-{n}-unit_mg": "0",
            "reason_for_change": "Scoops for participants who can't chew",
        }
    )
    response = client.post(page, data)
    assert response.status_code == 200  # 0 mg refused at the field
    assert not hsan1.formulations.filter(unit_name="scoop").exists()
    data[f"formulations-{n}-unit_mg"] = "500"
    response = client.post(page, data)
    assert response.status_code == 302, response.context["errors"]
    assert hsan1.formulations.get(unit_name="scoop").unit_mg == Decimal(500)


def test_the_arm_page_checks_the_arm_against_its_trial(client, study_coordinator, als):
    arm = Arm.objects.get(trial=als, code="LS15")
    page = reverse("admin:trials_arm_change", args=[arm.pk])
    client.force_login(study_coordinator)
    data = form_data(client.get(page))
    data["units_per_administration"] = "3"
    data["reason_for_change"] = "Three sachets"
    response = client.post(page, data)
    assert response.status_code == 200
    assert "same kit units" in response.content.decode()
    data["regimen_type"] = RegimenType.FIXED
    data["units_per_administration"] = "1"
    data["name"] = "L-serine 15 g BID (matched sachet)"
    assert client.post(page, data).status_code == 302
