"""A site coordinator's whole journey in Chromium: screen, consent, enrol, randomize, set
the baseline, fill the baseline and Month 1 forms, correct a value with a reason. Every
page on the way is checked for the arm (the coordinator is blinded)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Participant, VitalSigns
from trials.audit import history_for
from trials.models import Arm

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("seeded")]

TODAY = timezone.localdate()


def _iso(days_ago: int) -> str:
    return (TODAY - datetime.timedelta(days=days_ago)).isoformat()


class BlindingWatch:
    """Fails the test if any page the coordinator reaches names an arm or a dose in grams."""

    def __init__(self, page):
        self.page = page
        self.secrets = []
        for arm in Arm.objects.filter(trial__code="LSER-ALS-01"):
            self.secrets += [f"Arm {arm.code}", arm.name]
        self.pages_checked = 0

    def check(self):
        html = self.page.content()
        for secret in self.secrets:
            assert secret not in html, f"{self.page.url} shows {secret!r} to a blinded user"
        assert not re.search(
            r"\b\d+(\.\d+)?\s?(g|mg)\b(?! ?/ ?(dL|L))", self.page.inner_text("main")
        ), f"{self.page.url} shows a dose in grams to a blinded user"
        self.pages_checked += 1


def _save(page):
    page.get_by_role("button", name=re.compile("^Save|^Record|^Set")).first.click()


def _fill_vitals(page, weight="71.5"):
    page.fill("#id_weight_kg", weight)
    page.fill("#id_height_cm", "172")
    page.fill("#id_systolic_bp", "124")
    page.fill("#id_diastolic_bp", "78")
    page.fill("#id_heart_rate", "66")
    page.fill("#id_temperature_c", "36.6")


def _fill_alsfrs(page, scores):
    for name, value in scores.items():
        page.check(f"input[name='{name}'][value='{value}']")


ALSFRS = {f"q{n}": 4 for n in (1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12)} | {"q5a": 3, "q8": 3}


def test_a_coordinator_takes_a_participant_from_screening_to_month_1(page, login, screenshot):
    watch = BlindingWatch(page)
    login("coordinator01")
    page.get_by_role("link", name="LSER-ALS-01").click()
    watch.check()

    # --- screen ---
    page.get_by_role("link", name="Screen a participant").click()
    page.get_by_label("Male", exact=True).check()
    page.fill("#id_date_of_birth", "1968-09-12")
    page.fill("#id_screening_date", _iso(36))
    page.locator("input[name='IN02'][value='yes']").check()
    page.fill("#id_IN03", "1.5")
    page.fill("#id_IN04", "78")
    page.fill("#id_IN05", "39")
    screenshot(page, "10-screening-form")
    watch.check()
    page.get_by_role("button", name="Save screening").click()
    expect(page.locator(".alert-success")).to_contain_text("S01-005 is eligible")
    expect(page.locator(".participant-status")).to_have_text("Screening")
    expect(page.locator("#eligibility")).to_contain_text("IN04 FVC")
    watch.check()

    # --- consent ---
    page.get_by_role("link", name="Record consent").click()
    page.fill("#id_consent_date", _iso(35))
    page.fill("#id_consent_version", "2.1")
    watch.check()
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator("#casebook-header")).to_contain_text("version 2.1")

    # --- enrol ---
    page.get_by_role("button", name="Enrol").click()
    expect(page.locator(".alert-success")).to_contain_text("Enrolled as 01-004")
    expect(page.locator("h1 .subject-number")).to_have_text("01-004")
    watch.check()

    # --- randomize ---
    page.get_by_role("link", name="Randomize").click()
    page.select_option("#id_factor_level", "C/T")  # the stratification genotype
    page.locator("#id_confirm").check()
    watch.check()
    page.get_by_role("button", name="Randomize").click()
    expect(page.locator("#randomization")).to_contain_text("Randomized")
    expect(page.locator("#randomization")).to_contain_text("No. ")
    screenshot(page, "11-casebook-randomized")
    watch.check()

    # --- baseline date: the visit schedule ---
    page.get_by_role("link", name="Set baseline date").click()
    page.fill("#id_baseline_date", _iso(30))
    page.get_by_role("button", name="Set baseline and create visits").click()
    expect(page.locator(".alert-success")).to_contain_text("9 visits scheduled")
    timeline = page.locator("#visit-timeline")
    expect(timeline.locator("tbody tr")).to_have_count(9)
    expect(timeline.locator("tbody tr").filter(has_text="Month 1")).to_contain_text("Due")
    watch.check()

    # --- baseline visit: date and forms ---
    timeline.get_by_role("link", name="Baseline").click()
    page.fill("#id_actual_date", _iso(30))
    page.get_by_role("button", name="Save visit date").click()
    expect(page.locator("h1 .visit-status")).to_have_text("Completed")
    page.get_by_role("link", name="Vital signs and weight").click()
    _fill_vitals(page)
    watch.check()
    page.get_by_role("button", name="Save form").click()
    expect(page.locator(".alert-success")).to_contain_text("Vital signs and weight saved")
    page.get_by_role("link", name="ALSFRS-R").click()
    _fill_alsfrs(page, ALSFRS)
    page.get_by_role("button", name="Save form").click()
    expect(page.locator(".alert-success")).to_contain_text("ALSFRS-R saved")
    page.get_by_role("link", name="ALSFRS-R").click()
    expect(page.locator("main")).to_contain_text("46")  # 48 less 5a and 8 at 3
    watch.check()
    page.get_by_role("link", name="Baseline").click()
    page.get_by_role("link", name="FVC").click()
    page.fill("#id_fvc_litres", "3.9")
    page.fill("#id_percent_predicted", "82")
    page.select_option("#id_reference_equation", "GLI-2012")
    page.get_by_role("button", name="Save form").click()
    expect(page.locator(".alert-success")).to_contain_text("FVC saved")
    watch.check()
    page.get_by_role("link", name="Study drug exposure").click()
    watch.check()
    screenshot(page, "12-exposure-blinded")
    page.fill("#id_period_start", _iso(30))
    page.fill("#id_period_end", _iso(30))
    page.fill("#id_kit_number", "K-0417")
    page.select_option("#id_formulation", index=1)
    page.fill("#id_titration_step", "1")
    page.fill("#id_doses_taken", "1")
    page.fill("#id_doses_missed", "0")
    page.get_by_label("Yes, with food").check()
    page.get_by_role("button", name="Save form").click()
    expect(page.locator(".alert-success")).to_contain_text("Study drug exposure saved")
    watch.check()

    # --- Month 1: date, vitals with an implausible value confirmed, ALSFRS-R ---
    page.locator("nav .breadcrumb a.subject-number").click()
    page.locator("#visit-timeline").get_by_role("link", name="Month 1").click()
    page.fill("#id_actual_date", _iso(0))
    page.get_by_role("button", name="Save visit date").click()
    expect(page.locator("h1 .visit-status")).to_have_text("Completed")
    page.get_by_role("link", name="Vital signs and weight").click()
    _fill_vitals(page, weight="17")
    page.get_by_role("button", name="Save form").click()
    expect(page.locator("#div_id_weight_kg")).to_contain_text("outside the usual range")
    screenshot(page, "13-vitals-implausible")
    page.fill("#id_weight_kg", "70.1")
    page.get_by_role("button", name="Save form").click()
    expect(page.locator(".alert-success")).to_contain_text("Vital signs and weight saved")
    page.get_by_role("link", name="ALSFRS-R").click()
    _fill_alsfrs(page, ALSFRS | {"q9": 2})
    page.get_by_role("button", name="Save form").click()
    expect(page.locator(".alert-success")).to_contain_text("ALSFRS-R saved")
    watch.check()

    # --- correct a value with a reason ---
    page.get_by_role("link", name="Vital signs and weight").click()
    expect(page.locator("#id_weight_kg")).to_have_value("70.1")
    page.fill("#id_weight_kg", "70.6")
    page.get_by_role("button", name="Save form").click()
    expect(page.locator("#div_id_reason_for_change")).to_contain_text(
        "Give the reason for this change."
    )
    page.fill("#id_reason_for_change", "Transcription error: scale print-out says 70.6")
    page.get_by_role("button", name="Save form").click()
    expect(page.locator(".alert-success")).to_contain_text("Vital signs and weight saved")
    watch.check()

    page.locator("nav .breadcrumb a.subject-number").click()
    month1 = page.locator("#visit-timeline tbody tr").filter(has_text="Month 1")
    expect(month1).to_contain_text("Vital signs and weight: complete")
    expect(month1).to_contain_text("ALSFRS-R: complete")
    screenshot(page, "14-casebook-after-month-1")
    watch.check()

    page.locator("nav .breadcrumb").get_by_role("link", name="LSER-ALS-01").click()
    page.get_by_role("link", name="Site dashboard").click()
    expect(page.locator("#by-status")).to_contain_text("On treatment")
    expect(page.locator("#overdue-visits")).to_contain_text("01-004")  # its screening visit
    screenshot(page, "15-site-dashboard")
    watch.check()

    participant = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-004")
    vitals = VitalSigns.objects.get(participant=participant, visit__definition__code="M1")
    assert vitals.weight_kg == Decimal("70.6")
    last = history_for(vitals)[-1]
    assert last["reason"] == "Transcription error: scale print-out says 70.6"
    assert last["user"] == "coordinator01"
    assert hasattr(participant, "allocation")
    assert watch.pages_checked >= 15
