"""Study drug exposure: the prescribed dose derived on save, compliance, validation at the
field, blinding of the regimen, and a bounded number of queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant, StudyDrugExposure, VitalSigns
from participants.services import crf_save, visit_unscheduled_add
from tests.factories import ParticipantFactory, VisitFactory
from trials.models import Arm, Formulation, Site, Trial

pytestmark = pytest.mark.django_db

MG = re.compile(r"\bmg\b")
GRAMS = re.compile(r"\d\s?g\b")


def participant(trial: str, subject: str) -> Participant:
    return Participant.objects.select_related("trial").get(
        trial__code=trial, subject_number=subject
    )


def visit(p: Participant, code: str):
    return p.visits.get(definition__code=code)


def url(p, v) -> str:
    return reverse("participants:crf_edit", args=[p.trial.code, p.pk, v.pk, "dosing"])


def record_weight(p, on: datetime.date, weight: str, user):
    """Vital signs with a weight at an unscheduled visit on that date."""
    v = visit_unscheduled_add(participant=p, actual_date=on, reason="Weight check", user=user)
    return crf_save(
        record=VitalSigns(participant=p, visit=v),
        values={"report_date": on, "weight_kg": Decimal(weight)},
        user=user,
        expected_version=None,
    )


def exposure_data(p, v, **overrides) -> dict:
    """A complete, plausible exposure form: the 30 days before the visit, all doses taken."""
    end = v.actual_date - datetime.timedelta(days=1)
    data = {
        "report_date": v.actual_date.isoformat(),
        "period_start": (end - datetime.timedelta(days=29)).isoformat(),
        "period_end": end.isoformat(),
        "kit_number": "K01-0200",
        "formulation": str(p.trial.formulations.get().pk),
        "titration_step": "1",
        "doses_taken": "50",
        "doses_missed": "10",
        "taken_with_food": "yes",
        "dose_change_reason": "",
        "version": "",
    }
    data.update({k: str(v) for k, v in overrides.items()})
    return {k: v for k, v in data.items() if v is not None}


def saved(v) -> StudyDrugExposure:
    return StudyDrugExposure.objects.get(visit=v, entered_in_error=False)


def errors(response, field) -> str:
    assert response.status_code == 200, "the form was saved"
    return " ".join(response.context["form"].errors.get(field, []))


@pytest.fixture
def hsan1_p(coordinator):
    """HSAN1 01-001 (seeded: baseline 200 days ago) weighing 70.0 kg at Month 3."""
    p = participant("LSER-HSAN1-01", "01-001")
    record_weight(p, visit(p, "M3").actual_date, "70.0", coordinator)
    return p


# --- The prescribed dose, derived on save ---------------------------------------------------


def test_a_coordinator_saves_an_exposure_form_and_the_weight_based_dose_is_stored(
    client, coordinator, hsan1_p
):
    m6 = visit(hsan1_p, "M6")
    # A later weight must not count: the dose uses the latest weight on or before the date.
    record_weight(hsan1_p, timezone.localdate(), "95.0", coordinator)
    client.force_login(coordinator)
    response = client.post(url(hsan1_p, m6), exposure_data(hsan1_p, m6))
    assert response.status_code == 302, response.context["form"].errors
    record = saved(m6)
    # 400 mg/kg/day x 70.0 kg / 3 = 9333.3 mg -> 9 gummies of 1 g = 9000 mg.
    assert record.weight_kg_used == Decimal("70.0")
    assert record.prescribed_units_per_administration == 9
    assert record.prescribed_mg_per_administration == Decimal("9000.00")
    assert record.administrations_per_day == 3
    assert record.dosing_rule_version == "dosing-1"
    assert record.complete


def test_compliance_is_computed_from_doses_taken_and_missed(client, coordinator, hsan1_p):
    m6 = visit(hsan1_p, "M6")
    client.force_login(coordinator)
    client.post(url(hsan1_p, m6), exposure_data(hsan1_p, m6, doses_taken=85, doses_missed=5))
    assert saved(m6).compliance_percent == Decimal("94.4")  # 85 / 90


def test_a_change_recomputes_the_derived_values(client, coordinator, hsan1_p):
    m6 = visit(hsan1_p, "M6")
    client.force_login(coordinator)
    client.post(url(hsan1_p, m6), exposure_data(hsan1_p, m6))
    assert saved(m6).prescribed_units_per_administration == 9
    # A heavier weight recorded since, before the date of assessment: 400 x 80 / 3 =
    # 10666.7 mg -> 11 gummies; and new counts: 60 / 60 = 100 %.
    record_weight(hsan1_p, m6.actual_date - datetime.timedelta(days=2), "80.0", coordinator)
    data = exposure_data(
        hsan1_p, m6, doses_taken=60, doses_missed=0, version=1, reason_for_change="Diary found"
    )
    response = client.post(url(hsan1_p, m6), data)
    assert response.status_code == 302, response.context["form"].errors
    record = saved(m6)
    assert record.version == 2
    assert record.weight_kg_used == Decimal("80.0")
    assert record.prescribed_units_per_administration == 11
    assert record.prescribed_mg_per_administration == Decimal("11000.00")
    assert record.compliance_percent == Decimal("100.0")


def test_the_seeded_demo_has_an_exposure_form_with_its_dose(db):
    record = StudyDrugExposure.objects.get(participant=participant("LSER-HSAN1-01", "01-001"))
    # 400 x 68.0 / 3 = 9066.7 mg -> 9 gummies.
    assert record.weight_kg_used == Decimal("68.0")
    assert record.prescribed_units_per_administration == 9
    assert record.compliance_percent is not None


def test_a_weight_based_dose_without_a_recorded_weight_is_refused_clearly(client, coordinator):
    p = participant("LSER-HSAN1-01", "01-002")  # no vital signs recorded
    assert not VitalSigns.objects.filter(participant=p).exists()
    baseline = visit(p, "BL")
    client.force_login(coordinator)
    data = exposure_data(
        p,
        baseline,
        period_start=baseline.actual_date,
        period_end=baseline.actual_date,
        doses_taken=3,
        doses_missed=0,
    )
    response = client.post(url(p, baseline), data)
    assert "No weight is recorded on or before this date" in errors(response, "report_date")
    assert not StudyDrugExposure.objects.filter(visit=baseline).exists()


def test_a_weight_marked_entered_in_error_is_not_used(client, coordinator, hsan1_p):
    from participants.services import record_mark_entered_in_error

    m6 = visit(hsan1_p, "M6")
    wrong = record_weight(hsan1_p, m6.actual_date - datetime.timedelta(days=1), "40.0", coordinator)
    record_mark_entered_in_error(record=wrong, reason="Typo", user=coordinator, expected_version=1)
    client.force_login(coordinator)
    client.post(url(hsan1_p, m6), exposure_data(hsan1_p, m6))
    assert saved(m6).weight_kg_used == Decimal("70.0")


# --- Validation at the field ----------------------------------------------------------------


@pytest.fixture
def als_p(coordinator, client):
    client.force_login(coordinator)
    return participant("LSER-ALS-01", "01-002")


def test_a_dose_change_without_a_reason_is_refused_at_the_field(client, als_p):
    m1 = visit(als_p, "M1")
    response = client.post(url(als_p, m1), exposure_data(als_p, m1, dose_changed="on"))
    assert "Say why the dose was changed" in errors(response, "dose_change_reason")
    response = client.post(
        url(als_p, m1),
        exposure_data(als_p, m1, dose_changed="on", dose_change_reason="Grade 2 nausea"),
    )
    assert response.status_code == 302
    assert saved(m1).dose_changed


def test_a_negative_count_of_missed_doses_is_refused_at_the_field(client, als_p):
    m1 = visit(als_p, "M1")
    response = client.post(url(als_p, m1), exposure_data(als_p, m1, doses_missed=-1))
    assert "greater than or equal to 0" in errors(response, "doses_missed")


def test_a_period_ending_before_it_starts_is_refused_at_the_field(client, als_p):
    m1 = visit(als_p, "M1")
    start = m1.actual_date - datetime.timedelta(days=5)
    data = exposure_data(als_p, m1, period_start=start, period_end=start - datetime.timedelta(1))
    response = client.post(url(als_p, m1), data)
    assert "can't end before it starts" in errors(response, "period_end")


def test_a_period_starting_before_consent_is_refused_at_the_field(client, als_p):
    m1 = visit(als_p, "M1")
    before = als_p.consent_date - datetime.timedelta(days=1)
    response = client.post(url(als_p, m1), exposure_data(als_p, m1, period_start=before))
    assert "before consent" in errors(response, "period_start")


def test_a_date_in_the_future_is_refused_at_the_field(client, als_p):
    m1 = visit(als_p, "M1")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(url(als_p, m1), exposure_data(als_p, m1, period_end=tomorrow))
    assert "in the future" in errors(response, "period_end")


def test_more_doses_than_the_period_holds_are_refused(client, als_p):
    m1 = visit(als_p, "M1")
    # 30 days twice daily = 60 doses scheduled; 70 counted is impossible.
    response = client.post(url(als_p, m1), exposure_data(als_p, m1, doses_taken=65, doses_missed=5))
    assert "period has 60 scheduled (2 a day)" in errors(response, "doses_taken")
    assert not StudyDrugExposure.objects.filter(visit=m1).exists()


def test_low_compliance_needs_the_confirming_tick(client, als_p):
    m1 = visit(als_p, "M1")
    data = exposure_data(als_p, m1, doses_taken=20, doses_missed=40)
    assert "Compliance would be 33.3 %" in errors(client.post(url(als_p, m1), data), "doses_missed")
    response = client.post(url(als_p, m1), {**data, "confirm_implausible": "on"})
    assert response.status_code == 302
    assert saved(m1).compliance_percent == Decimal("33.3")


def test_a_formulation_of_another_trial_is_refused(client, als_p):
    m1 = visit(als_p, "M1")
    gummy = Formulation.objects.get(trial__code="LSER-HSAN1-01")
    response = client.post(url(als_p, m1), exposure_data(als_p, m1, formulation=gummy.pk))
    assert "valid choice" in errors(response, "formulation")


def test_the_derived_values_can_not_be_typed(client, als_p):
    m1 = visit(als_p, "M1")
    data = exposure_data(als_p, m1, prescribed_units_per_administration=7, compliance_percent=1)
    assert client.post(url(als_p, m1), data).status_code == 302
    record = saved(m1)
    assert record.prescribed_units_per_administration == 1  # one matched sachet
    assert record.compliance_percent == Decimal("83.3")  # 50 / 60


# --- The database keeps the rules -----------------------------------------------------------


@pytest.mark.parametrize(
    ("update", "constraint"),
    [
        ({"period_end": F("period_start") - datetime.timedelta(days=1)}, "exposure_period_ordered"),
        ({"dose_changed": True, "dose_change_reason": ""}, "exposure_dose_change_has_reason"),
        ({"titration_step": 0}, "exposure_titration_step_positive"),
        ({"compliance_percent": Decimal("100.1")}, "exposure_compliance_range"),
        ({"prescribed_units_per_administration": None}, "exposure_prescribed_complete"),
        ({"dosing_rule_version": ""}, "exposure_prescribed_complete"),
    ],
)
def test_the_database_refuses_impossible_exposure_values(update, constraint):
    record = StudyDrugExposure.objects.filter(participant__trial__code="LSER-ALS-01").first()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        StudyDrugExposure.objects.filter(pk=record.pk).update(**update)


def test_the_database_refuses_a_negative_dose_count():
    record = StudyDrugExposure.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyDrugExposure.objects.filter(pk=record.pk).update(doses_missed=-1)


# --- Blinding -------------------------------------------------------------------------------


def _body(client, p, v) -> str:
    response = client.get(url(p, v))
    assert response.status_code == 200
    body = response.content.decode()
    # The CSRF token is random text; it could end in a digit and a "g".
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def _dose_text(body: str) -> str:
    return re.search(r'id="prescribed-dose">([^<]*)<', body).group(1)


@pytest.mark.parametrize(
    ("trial", "visit_code", "dose_text"),
    [
        ("LSER-ALS-01", "M1", "1 sachet per administration, twice a day"),
        ("LSER-HSAN1-01", "M3", "9 gummies per administration, 3 times a day"),
    ],
)
def test_a_blinded_coordinator_sees_units_never_mg_grams_or_the_arm(
    client, coordinator, trial, visit_code, dose_text
):
    p = participant(trial, "01-001")  # seeded exposure form
    client.force_login(coordinator)
    body = _body(client, p, visit(p, visit_code))
    assert _dose_text(body) == dose_text
    assert "K01-0101" in body
    assert not MG.search(body), MG.search(body)
    assert not GRAMS.search(body), GRAMS.search(body)
    for arm in Arm.objects.filter(trial=p.trial):
        assert arm.code not in body and arm.name not in body


def test_the_unblinded_pharmacist_sees_the_arm_and_the_mg(client, unblinded_pharmacist):
    p = participant("LSER-ALS-01", "01-001")
    client.force_login(unblinded_pharmacist)
    body = _body(client, p, visit(p, "M1"))
    arm = p.allocation.arm  # drawn from the seeded randomization list
    assert arm.name in body
    per_dose = int(arm.dose_mg)
    assert re.search(
        rf'id="prescribed-amount">\s*{per_dose} mg per administration, {2 * per_dose} mg a day',
        body,
    )


def test_blinded_pages_of_two_als_arms_show_identical_dose_text(
    client, coordinator, unblinded_pharmacist
):
    first, second = participant("LSER-ALS-01", "01-001"), participant("LSER-ALS-01", "01-002")
    assert first.allocation.arm.dose_mg != second.allocation.arm.dose_mg
    client.force_login(coordinator)
    m1 = visit(second, "M1")
    assert client.post(url(second, m1), exposure_data(second, m1)).status_code == 302
    texts = {_dose_text(_body(client, p, visit(p, "M1"))) for p in (first, second)}
    assert texts == {"1 sachet per administration, twice a day"}
    # The positive control: the amounts differ, and only the pharmacist sees them.
    client.force_login(unblinded_pharmacist)
    amounts = {
        re.search(r'id="prescribed-amount">([^<]*)<', _body(client, p, visit(p, "M1"))).group(1)
        for p in (first, second)
    }
    assert len(amounts) == 2


def test_a_blinded_study_coordinator_never_sees_the_mg_in_the_admin(client, study_coordinator):
    record = StudyDrugExposure.objects.get(participant=participant("LSER-ALS-01", "01-001"))
    mg = record.participant.allocation.arm.dose_mg
    assert record.prescribed_mg_per_administration == mg
    client.force_login(study_coordinator)
    for name in ("change", "history"):
        admin_url = reverse(f"admin:participants_studydrugexposure_{name}", args=[record.pk])
        body = client.get(admin_url).content.decode()
        assert "prescribed units per administration" in body or "prescribed_units" in body
        assert "prescribed_mg" not in body and "prescribed mg" not in body
        assert f"{mg:.2f}" not in body


def test_a_refused_stale_save_lists_changes_without_the_mg(client, coordinator):
    p = participant("LSER-HSAN1-01", "01-001")
    m3 = visit(p, "M3")
    record = saved(m3)
    # Someone else re-saves after a heavier weight is found: the dose goes up (9 -> 11).
    record_weight(p, m3.actual_date - datetime.timedelta(days=1), "80.0", coordinator)
    crf_save(
        record=record,
        values={"kit_number": "K01-0102"},
        user=coordinator,
        expected_version=1,
        reason="Kit replaced",
    )
    client.force_login(coordinator)
    data = exposure_data(p, m3, version=1, reason_for_change="My late edit")
    data.update(period_start=record.period_start, period_end=record.period_end)
    body = client.post(url(p, m3), data).content.decode()
    assert 'id="stale-edit"' in body
    assert "prescribed_units_per_administration" in body
    assert "prescribed_mg_per_administration" not in body


# --- Queries --------------------------------------------------------------------------------


def _count(client, page) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200
    return len(queries)


def _exposure_page():
    p = participant("LSER-ALS-01", "01-001")
    return url(p, visit(p, "M1"))


@pytest.mark.parametrize(
    ("role", "page_for"),
    [
        ("coordinator", _exposure_page),
        ("unblinded_pharmacist", _exposure_page),
        ("study_coordinator", lambda: reverse("admin:participants_studydrugexposure_changelist")),
    ],
)
def test_the_exposure_pages_do_the_same_number_of_queries_with_more_data(
    client, request, role, page_for
):
    p = participant("LSER-ALS-01", "01-001")
    page = page_for()
    client.force_login(request.getfixturevalue(role))
    _count(client, page)
    before = _count(client, page)
    coordinator = request.getfixturevalue("coordinator")
    trial, site = Trial.objects.get(code="LSER-ALS-01"), Site.objects.get(number="01")
    for n in range(5):
        Formulation.objects.create(trial=trial, kind="CAPSULE", unit_name=f"cap{n}", unit_mg=500)
        other = ParticipantFactory(trial=trial, site=site, subject_number=f"01-{600 + n}")
        VisitFactory(participant=other)
    for code in ("M2", "M3"):
        v = visit(p, code)
        crf_save(
            record=StudyDrugExposure(participant=p, visit=v),
            values={
                "report_date": v.actual_date,
                "period_start": v.actual_date - datetime.timedelta(days=10),
                "period_end": v.actual_date,
                "formulation": trial.formulations.get(kind="POWDER"),
                "doses_taken": 20,
                "doses_missed": 2,
            },
            user=coordinator,
            expected_version=None,
        )
        record_weight(p, v.actual_date, "71.0", coordinator)
    after = _count(client, page)
    assert after == before, f"{before} queries, then {after} with more data"
    assert before <= 25
