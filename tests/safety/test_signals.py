"""Renal safety signals end to end: a creatinine entered through the page that crosses one of
the trial's thresholds raises a signal shown on the casebook, the site dashboard and the
monitor's lab listing with the trial's instruction; closing it needs what was done; a
correction below the thresholds withdraws it; thresholds changed in the admin apply."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from participants.models import StudyDrugExposure
from safety.choices import SignalStatus
from safety.models import LabPanel, LabResult, RenalSignal
from safety.services import lab_panel_mark_entered_in_error, lab_panel_save, renal_signal_close
from tests.factories import AdverseEventFactory, ParticipantFactory, VisitFactory
from trials.models import Arm, Formulation, Site, Trial

pytestmark = pytest.mark.django_db

FIRST_DOSE = datetime.date(2026, 3, 1)
LATER = datetime.date(2026, 3, 20)


def _participant(sex="F", dob=datetime.date(1960, 5, 1)):
    return ParticipantFactory(
        trial=Trial.objects.get(code="LSER-ALS-01"),
        site=Site.objects.get(number="01"),
        sex=sex,
        date_of_birth=dob,
        baseline_date=FIRST_DOSE,
    )


def creatinine(p, user, day, value):
    return lab_panel_save(
        panel_record=LabPanel(
            participant=p, panel="RENAL", report_date=day, collection_time=datetime.time(8)
        ),
        values={"CREAT": (Decimal(value), "mg/dL")},
        user=user,
    )


def signal_of(panel):
    return RenalSignal.objects.get(lab_result__panel=panel)


@pytest.fixture
def p():
    return _participant()


@pytest.fixture
def raised(p, coordinator):
    """Baseline 0.50 mg/dL, then 0.80 (1.6 x baseline): a signal by the ratio rule only."""
    creatinine(p, coordinator, FIRST_DOSE, "0.50")
    return signal_of(creatinine(p, coordinator, LATER, "0.80"))


def _casebook(p):
    return reverse("safety:participant_casebook", args=[p.trial.code, p.pk])


def _close_url(signal):
    return reverse(
        "safety:renal_signal_close",
        args=[signal.participant.trial.code, signal.participant_id, signal.pk],
    )


def test_a_creatinine_entered_on_the_page_raises_a_signal_shown_everywhere(
    client, p, coordinator, monitor
):
    creatinine(p, coordinator, FIRST_DOSE, "0.80")
    client.force_login(coordinator)
    response = client.post(
        reverse("safety:lab_panel_add", args=[p.trial.code, p.pk, "RENAL"]),
        {
            "report_date": "2026-03-20",
            "collection_time": "08:00",
            "value_CREAT": "1.30",
            "unit_CREAT": "mg/dL",
        },
    )
    assert response.status_code == 302
    signal = RenalSignal.objects.get(participant=p)
    assert signal.status == SignalStatus.OPEN
    assert signal.by_creatinine_ratio and signal.by_egfr_low and signal.by_egfr_drop
    assert "1.62 x baseline 0.80 mg/dL (threshold 1.50 x)" in signal.reasons
    instruction = p.trial.dose_modification_text
    assert signal.instruction == instruction
    casebook = client.get(_casebook(p)).content.decode()
    assert f'id="renal-signal-{signal.pk}"' in casebook
    assert instruction in casebook and _close_url(signal) in casebook
    assert 'id="renal-chart-data"' in casebook and "js/renal-chart.js" in casebook
    dashboard = client.get(reverse("participants:site_dashboard", args=[p.trial.code]))
    assert p.subject_number in dashboard.content.decode()
    assert instruction in dashboard.content.decode()
    client.force_login(monitor)
    listing = client.get(reverse("review:lab_listing", args=[p.trial.code])).content.decode()
    rows = listing.split("<tbody>")[1].split("</tr>")
    row = next(r for r in rows if p.subject_number in r)
    assert "Open" in row and "1.62 x baseline" in row and "table-warning" in row
    # The "Open signal" filter (the monitor's home links to it) lists it, highlighted.
    open_only = client.get(
        reverse("review:lab_listing", args=[p.trial.code]), {"open_signal": "true"}
    ).content.decode()
    open_rows = open_only.split("<tbody>")[1].split("</tr>")[:-1]
    assert any(p.subject_number in r for r in open_rows)
    assert all("table-warning" in r for r in open_rows)
    assert instruction in listing
    # The monitor reads the casebook but has no Close button.
    assert _close_url(signal) not in client.get(_casebook(p)).content.decode()


def test_each_rule_alone(coordinator):
    # eGFR down >= 30 % with the ratio under 1.5 and eGFR still >= 60 (man, 65).
    man = _participant(sex="M")
    creatinine(man, coordinator, FIRST_DOSE, "0.90")
    drop = signal_of(creatinine(man, coordinator, LATER, "1.30"))
    assert (drop.by_creatinine_ratio, drop.by_egfr_drop, drop.by_egfr_low) == (False, True, False)
    # eGFR below 60 with a small rise (woman, 65, baseline eGFR 62).
    woman = _participant()
    creatinine(woman, coordinator, FIRST_DOSE, "1.00")
    low = signal_of(creatinine(woman, coordinator, LATER, "1.05"))
    assert (low.by_creatinine_ratio, low.by_egfr_drop, low.by_egfr_low) == (False, False, True)


def test_a_result_below_every_threshold_raises_nothing(p, coordinator):
    creatinine(p, coordinator, FIRST_DOSE, "0.60")
    creatinine(p, coordinator, LATER, "0.75")  # 1.25 x, eGFR about 86
    assert not RenalSignal.objects.filter(participant=p).exists()


def test_a_pre_dose_result_raises_nothing(p, coordinator):
    creatinine(p, coordinator, datetime.date(2026, 2, 20), "2.0")
    creatinine(p, coordinator, FIRST_DOSE, "0.60")
    assert not RenalSignal.objects.filter(participant=p).exists()


def test_closing_needs_an_action_and_each_action_its_evidence(client, raised, coordinator):
    client.force_login(coordinator)
    url = _close_url(raised)
    cases = [
        ({}, "This field is required."),
        ({"action": "AE_RECORDED"}, "Choose the adverse event recorded for this participant."),
        ({"action": "DOSE_CHANGED"}, "Choose the exposure form that records the dose change."),
        ({"action": "REPEAT_LAB"}, "Give the date of the repeat lab."),
        ({"action": "REPEAT_LAB", "repeat_lab_date": "2026-03-10"}, "before the sample"),
        ({"action": "NOT_SIGNIFICANT"}, "Say why the signal is not clinically significant."),
    ]
    for data, message in cases:
        response = client.post(url, {"version": raised.version, **data})
        assert response.status_code == 200, data
        assert message in response.content.decode(), data
    raised.refresh_from_db()
    assert raised.status == SignalStatus.OPEN
    response = client.post(
        url,
        {"version": raised.version, "action": "REPEAT_LAB", "repeat_lab_date": "2026-03-25"},
    )
    assert response.status_code == 302
    raised.refresh_from_db()
    assert (raised.status, raised.repeat_lab_date) == (
        SignalStatus.CLOSED,
        datetime.date(2026, 3, 25),
    )
    assert raised.closed_by == coordinator
    casebook = client.get(_casebook(raised.participant)).content.decode()
    assert "Repeat lab scheduled (2026-03-25)" in casebook
    assert f'id="renal-signal-{raised.pk}"' not in casebook


def test_closing_with_an_ae_needs_one_of_the_participants_own(raised, coordinator):
    other = AdverseEventFactory()
    with pytest.raises(ValidationError) as refused:
        renal_signal_close(
            signal=raised,
            action="AE_RECORDED",
            adverse_event=other,
            user=coordinator,
            expected_version=raised.version,
        )
    assert "adverse_event" in refused.value.message_dict
    own = AdverseEventFactory(participant=raised.participant, verbatim_term="Creatinine rise")
    closed = renal_signal_close(
        signal=raised,
        action="AE_RECORDED",
        adverse_event=own,
        user=coordinator,
        expected_version=raised.version,
    )
    assert (closed.status, closed.adverse_event) == (SignalStatus.CLOSED, own)


def test_closing_with_a_dose_change_needs_an_exposure_that_changed_the_dose(raised, coordinator):
    p = raised.participant
    exposure = StudyDrugExposure.objects.create(
        participant=p,
        visit=VisitFactory(participant=p, actual_date=datetime.date(2026, 3, 21)),
        report_date=datetime.date(2026, 3, 21),
        period_start=FIRST_DOSE,
        period_end=datetime.date(2026, 3, 21),
        formulation=Formulation.objects.filter(trial=p.trial).first(),
    )
    with pytest.raises(ValidationError):
        renal_signal_close(
            signal=raised,
            action="DOSE_CHANGED",
            exposure=exposure,
            user=coordinator,
            expected_version=raised.version,
        )
    exposure.dose_changed = True
    exposure.dose_change_reason = "Renal signal"
    exposure.save()
    raised.refresh_from_db()
    closed = renal_signal_close(
        signal=raised,
        action="DOSE_CHANGED",
        exposure=exposure,
        user=coordinator,
        expected_version=raised.version,
    )
    assert closed.exposure == exposure


def test_a_correction_below_the_thresholds_withdraws_the_signal(client, raised, coordinator):
    panel = raised.lab_result.panel
    lab_panel_save(
        panel_record=panel,
        values={"CREAT": ("0.60", "mg/dL")},
        user=coordinator,
        expected_version=panel.version,
        reason="Lab corrected the value",
    )
    raised.refresh_from_db()
    assert raised.status == SignalStatus.WITHDRAWN
    client.force_login(coordinator)
    assert "renal-signal-" not in client.get(_casebook(raised.participant)).content.decode()
    # Back above the threshold: the same signal opens again (one per result).
    lab_panel_save(
        panel_record=panel,
        values={"CREAT": ("0.90", "mg/dL")},
        user=coordinator,
        expected_version=panel.version + 1,
        reason="The first report was right",
    )
    raised.refresh_from_db()
    assert raised.status == SignalStatus.OPEN
    assert RenalSignal.objects.filter(participant=raised.participant).count() == 1


def test_entered_in_error_withdraws_an_open_signal(raised, coordinator):
    panel = raised.lab_result.panel
    lab_panel_mark_entered_in_error(
        panel=panel, reason="Wrong patient", user=coordinator, expected_version=panel.version
    )
    raised.refresh_from_db()
    assert raised.status == SignalStatus.WITHDRAWN


def test_a_closed_signal_stays_closed_when_its_result_is_corrected(raised, coordinator):
    renal_signal_close(
        signal=raised,
        action="NOT_SIGNIFICANT",
        note="Hydration; repeat normal",
        user=coordinator,
        expected_version=raised.version,
    )
    panel = raised.lab_result.panel
    lab_panel_save(
        panel_record=panel,
        values={"CREAT": ("0.60", "mg/dL")},
        user=coordinator,
        expected_version=panel.version,
        reason="Lab corrected the value",
    )
    raised.refresh_from_db()
    assert (raised.status, raised.closing_note) == (SignalStatus.CLOSED, "Hydration; repeat normal")


def test_a_stale_close_is_refused(client, raised, coordinator):
    client.force_login(coordinator)
    response = client.post(
        _close_url(raised),
        {"version": raised.version - 1 or 99, "action": "NOT_SIGNIFICANT", "note": "x"},
    )
    assert 'id="stale-edit"' in response.content.decode()
    raised.refresh_from_db()
    assert raised.status == SignalStatus.OPEN


def test_thresholds_changed_in_the_admin_take_effect(
    client, raised, coordinator, study_coordinator
):
    trial = raised.participant.trial
    client.force_login(study_coordinator)
    url = reverse("admin:trials_trial_change", args=[trial.pk])
    assert client.get(url).status_code == 200
    # The admin saves the trial (ModelAdmin.save_model): the receiver recomputes.
    trial.signal_creatinine_ratio = Decimal("2.00")
    trial.dose_modification_text = "Stop the drug and call the medical monitor."
    trial.save()
    raised.refresh_from_db()
    assert raised.status == SignalStatus.WITHDRAWN
    trial.signal_creatinine_ratio = Decimal("1.20")
    trial.save()
    raised.refresh_from_db()
    assert raised.status == SignalStatus.OPEN
    assert "(threshold 1.20 x)" in raised.reasons


def test_the_demo_has_an_open_signal_at_site_01_with_the_instruction():
    signal = RenalSignal.objects.open().get(
        participant__trial__code="LSER-ALS-01", participant__site__number="01"
    )
    assert signal.instruction == signal.participant.trial.dose_modification_text
    assert signal.lab_result.creatinine_ratio >= Decimal("1.5")
    assert LabResult.objects.filter(analyte="ALT", flag="HIGH").exists()  # liver panel seeded


def test_blinded_users_see_no_arm_on_the_lab_pages(client, raised, monitor, coordinator):
    arms = list(Arm.objects.filter(trial=raised.participant.trial).values_list("name", flat=True))
    for user in (monitor, coordinator):
        client.force_login(user)
        for url in (
            _casebook(raised.participant),
            reverse("review:lab_listing", args=[raised.participant.trial.code]),
            _close_url(raised),
            reverse(
                "safety:lab_panel_edit",
                args=[
                    raised.participant.trial.code,
                    raised.participant_id,
                    raised.lab_result.panel_id,
                ],
            ),
        ):
            content = client.get(url).content.decode()
            assert not [arm for arm in arms if arm in content], url
