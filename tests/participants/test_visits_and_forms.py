"""The visit schedule, visit status, and what every case report form does (shown on vital
signs): validation beside the field, the confirming tick, a reason for every change,
optimistic locking and "entered in error"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.choices import FormState, VisitStatus
from participants.form_states import form_slots
from participants.models import Participant, Visit, VitalSigns
from participants.services import (
    StaleEdit,
    crf_save,
    participant_consent,
    participant_enrol,
    participant_screen,
    visit_schedule_create,
)
from trials.audit import history_for

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def enrolled(coordinator):
    """A fresh ALS participant at site 01, consented 40 days ago and enrolled."""
    trial = coordinator.memberships.get(trial__code="LSER-ALS-01").trial
    p = participant_screen(
        trial=trial,
        site=trial.sites.get(number="01"),
        sex="F",
        date_of_birth=datetime.date(1964, 2, 3),
        screening_date=TODAY - 40 * DAY,
        answers={"IN02": True, "IN03": 1, "IN04": 80, "IN05": 40},
        user=coordinator,
    )
    participant_consent(
        participant=p, consent_date=TODAY - 40 * DAY, consent_version="2.1", user=coordinator
    )
    return participant_enrol(participant=p, user=coordinator)


def _url(name, p, *args):
    return reverse(f"participants:{name}", args=[p.trial.code, p.pk, *args])


# --- Visit schedule ---------------------------------------------------------------------------


def test_setting_the_baseline_creates_the_visits_with_targets_and_windows(
    client, coordinator, enrolled
):
    client.force_login(coordinator)
    baseline = TODAY - 20 * DAY
    response = client.post(_url("baseline_set", enrolled), {"baseline_date": baseline.isoformat()})
    assert response.status_code == 302
    visits = {v.definition.code: v for v in enrolled.visits.select_related("definition")}
    assert list(visits) == ["SCR", "BL", "M1", "M2", "M3", "M4", "M5", "M6", "FU"]
    m1 = visits["M1"]
    assert (m1.target_date, m1.window_start, m1.window_end) == (
        baseline + 30 * DAY,
        baseline + 23 * DAY,
        baseline + 37 * DAY,
    )
    scr = visits["SCR"]
    assert (scr.window_start, scr.window_end) == (baseline - 28 * DAY, baseline - DAY)
    enrolled.refresh_from_db()
    assert (enrolled.baseline_date, enrolled.status) == (baseline, "on_treatment")


@pytest.mark.parametrize(
    ("offset", "message"),
    [(1, "This date is in the future."), (-41, "This date is before consent")],
)
def test_a_baseline_date_in_the_future_or_before_consent_is_refused(
    client, coordinator, enrolled, offset, message
):
    client.force_login(coordinator)
    response = client.post(
        _url("baseline_set", enrolled), {"baseline_date": (TODAY + offset * DAY).isoformat()}
    )
    assert message in " ".join(response.context["form"].errors["baseline_date"])
    assert not enrolled.visits.exists()


def test_visit_status_follows_the_window_and_what_was_recorded(coordinator, enrolled):
    visit_schedule_create(participant=enrolled, baseline_date=TODAY - 30 * DAY, user=coordinator)
    statuses = {
        v.definition.code: v.current_status
        for v in Visit.objects.filter(participant=enrolled)
        .select_related("definition")
        .with_current_status(TODAY)
    }
    # screening window closed 31 days ago; baseline (window 0 days) yesterday and before;
    # Month 1 window is open today; Month 2 opens later
    assert statuses["SCR"] == statuses["BL"] == VisitStatus.OVERDUE
    assert statuses["M1"] == VisitStatus.DUE
    assert statuses["M2"] == VisitStatus.UPCOMING
    m1 = enrolled.visits.get(definition__code="M1")
    assert m1.status_on(TODAY) == VisitStatus.DUE  # the same rule, for one row


def test_a_visit_done_outside_its_window_is_saved_and_flagged(client, coordinator, enrolled):
    visit_schedule_create(participant=enrolled, baseline_date=TODAY - 30 * DAY, user=coordinator)
    bl = enrolled.visits.get(definition__code="BL")
    client.force_login(coordinator)
    response = client.post(
        _url("visit_date", enrolled, bl.pk),
        {"actual_date": (TODAY - 28 * DAY).isoformat(), "version": bl.version},
        follow=True,
    )
    bl.refresh_from_db()
    assert (bl.status, bl.actual_date, bl.out_of_window) == (
        VisitStatus.COMPLETED,
        TODAY - 28 * DAY,
        True,
    )
    assert "outside its window" in response.content.decode()
    assert "out of window" in response.content.decode()


def test_a_missed_visit_needs_a_reason(client, coordinator, enrolled):
    visit_schedule_create(participant=enrolled, baseline_date=TODAY - 30 * DAY, user=coordinator)
    scr = enrolled.visits.get(definition__code="SCR")
    client.force_login(coordinator)
    response = client.post(_url("visit_missed", enrolled, scr.pk), {"version": scr.version})
    assert "This field is required." in response.context["missed_form"].errors["missed_reason"]
    client.post(
        _url("visit_missed", enrolled, scr.pk),
        {"version": scr.version, "missed_reason": "Participant in hospital"},
    )
    scr.refresh_from_db()
    assert (scr.status, scr.missed_reason) == (VisitStatus.MISSED, "Participant in hospital")
    assert history_for(scr)[-1]["reason"] == "Visit missed: Participant in hospital"


def test_an_unscheduled_visit_can_be_added_and_offers_every_form(client, coordinator, enrolled):
    visit_schedule_create(participant=enrolled, baseline_date=TODAY - 30 * DAY, user=coordinator)
    client.force_login(coordinator)
    client.post(
        _url("unscheduled_visit_add", enrolled),
        {"actual_date": (TODAY - 2 * DAY).isoformat(), "unscheduled_reason": "Nausea review"},
    )
    visit = enrolled.visits.get(definition__isnull=True)
    assert (visit.name, visit.unscheduled_reason, visit.actual_date) == (
        "Unscheduled",
        "Nausea review",
        TODAY - 2 * DAY,
    )
    page = client.get(_url("visit_detail", enrolled, visit.pk)).content.decode()
    assert "Vital signs and weight" in page


def test_visit_data_before_consent_is_refused(client, coordinator, enrolled):
    visit_schedule_create(participant=enrolled, baseline_date=TODAY - 30 * DAY, user=coordinator)
    client.force_login(coordinator)
    response = client.post(
        _url("unscheduled_visit_add", enrolled),
        {"actual_date": (TODAY - 45 * DAY).isoformat(), "unscheduled_reason": "x"},
    )
    assert "before consent" in " ".join(response.context["form"].errors["actual_date"])
    assert not enrolled.visits.filter(definition__isnull=True).exists()


# --- Every form (shown on vital signs) --------------------------------------------------------


@pytest.fixture
def baseline_visit(coordinator, enrolled):
    visit_schedule_create(participant=enrolled, baseline_date=TODAY - 30 * DAY, user=coordinator)
    return enrolled.visits.get(definition__code="BL")


def _vitals(**overrides):
    data = {
        "report_date": (TODAY - 30 * DAY).isoformat(),
        "weight_kg": "71.5",
        "height_cm": "172",
        "systolic_bp": "124",
        "diastolic_bp": "78",
        "heart_rate": "66",
        "temperature_c": "36.6",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _post_vitals(client, visit, **overrides):
    return client.post(
        _url("crf_edit", visit.participant, visit.pk, "vitals"), _vitals(**overrides)
    )


def test_the_form_is_rendered_with_crispy_and_saved_complete(client, coordinator, baseline_visit):
    client.force_login(coordinator)
    page = client.get(_url("crf_edit", baseline_visit.participant, baseline_visit.pk, "vitals"))
    body = page.content.decode()
    assert 'id="div_id_weight_kg"' in body  # crispy-forms' bootstrap5 field wrapper
    assert "reason_for_change" not in body  # no reason asked on the first save
    assert _post_vitals(client, baseline_visit).status_code == 302
    vitals = VitalSigns.objects.get(visit=baseline_visit)
    assert (vitals.weight_kg, vitals.version, vitals.complete) == (71.5, 1, True)
    assert history_for(vitals)[0]["reason"] == "Vital signs entered"


def test_a_form_saved_with_fields_missing_is_incomplete(client, coordinator, baseline_visit):
    client.force_login(coordinator)
    _post_vitals(client, baseline_visit, heart_rate=None, systolic_bp=None)
    vitals = VitalSigns.objects.get(visit=baseline_visit)
    assert vitals.complete is False
    slots = form_slots([baseline_visit], TODAY)[baseline_visit.pk]
    assert [(s.code, s.state) for s in slots if s.code == "vitals"] == [
        ("vitals", FormState.OVERDUE)  # the baseline visit's window closed 30 days ago
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight_kg", "-3", "Ensure this value is greater than or equal to 1."),
        ("weight_kg", "700", "Ensure this value is less than or equal to 400."),
        ("heart_rate", "0", "Ensure this value is greater than or equal to 20."),
        ("diastolic_bp", "130", "Diastolic pressure must be below systolic."),
        ("report_date", (TODAY + DAY).isoformat(), "This date is in the future."),
        ("report_date", (TODAY - 50 * DAY).isoformat(), "This date is before consent"),
        ("weight_kg", "seventy", "Enter a number."),
    ],
)
def test_impossible_values_are_refused_beside_the_field_and_nothing_is_saved(
    client, coordinator, baseline_visit, field, value, message
):
    client.force_login(coordinator)
    response = _post_vitals(client, baseline_visit, **{field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not VitalSigns.objects.filter(visit=baseline_visit).exists()


def test_an_implausible_value_needs_the_confirming_tick(client, coordinator, baseline_visit):
    client.force_login(coordinator)
    response = _post_vitals(client, baseline_visit, weight_kg="240")
    assert "outside the usual range (30–200)" in " ".join(
        response.context["form"].errors["weight_kg"]
    )
    assert not VitalSigns.objects.filter(visit=baseline_visit).exists()
    _post_vitals(client, baseline_visit, weight_kg="240", confirm_implausible="on")
    assert VitalSigns.objects.get(visit=baseline_visit).weight_kg == 240


def test_a_change_needs_a_reason_which_the_audit_trail_keeps(client, coordinator, baseline_visit):
    client.force_login(coordinator)
    _post_vitals(client, baseline_visit)
    vitals = VitalSigns.objects.get(visit=baseline_visit)
    response = _post_vitals(client, baseline_visit, weight_kg="72.5", version=vitals.version)
    assert (
        "Give the reason for this change." in response.context["form"].errors["reason_for_change"]
    )
    vitals.refresh_from_db()
    assert vitals.weight_kg == 71.5

    _post_vitals(
        client,
        baseline_visit,
        weight_kg="72.5",
        version=vitals.version,
        reason_for_change="Transcription error: source says 72.5",
    )
    vitals.refresh_from_db()
    assert (vitals.weight_kg, vitals.version) == (72.5, 2)
    last = history_for(vitals)[-1]
    assert last["reason"] == "Transcription error: source says 72.5"
    assert last["user"] == "coordinator01"
    assert ("weight_kg", 71.5, 72.5) in last["changes"]


def test_a_stale_save_is_refused_and_shows_what_changed_meanwhile(
    client, coordinator, investigator, baseline_visit
):
    client.force_login(coordinator)
    _post_vitals(client, baseline_visit)
    vitals = VitalSigns.objects.get(visit=baseline_visit)
    opened_version = vitals.version
    # the investigator saves a change while the coordinator has the form open
    crf_save(
        record=vitals,
        values={"heart_rate": 70},
        user=investigator,
        expected_version=opened_version,
        reason="Pulse re-measured",
    )
    response = _post_vitals(
        client,
        baseline_visit,
        weight_kg="80",
        version=opened_version,
        reason_for_change="My correction",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Not saved" in body
    assert "investigator01" in body and "Pulse re-measured" in body
    assert "<code>heart_rate</code> 66 → 70" in body
    vitals.refresh_from_db()
    assert (vitals.weight_kg, vitals.heart_rate, vitals.version) == (71.5, 70, 2)

    with pytest.raises(StaleEdit) as stale:
        crf_save(
            record=vitals,
            values={"weight_kg": 90},
            user=coordinator,
            expected_version=opened_version,
            reason="x",
        )
    assert stale.value.changes[0]["user"] == "investigator01"


def test_entered_in_error_hides_the_form_but_keeps_it_and_its_history(
    client, coordinator, baseline_visit
):
    client.force_login(coordinator)
    _post_vitals(client, baseline_visit)
    vitals = VitalSigns.objects.get(visit=baseline_visit)
    url = _url("crf_entered_in_error", baseline_visit.participant, baseline_visit.pk, "vitals")
    client.post(url, {"version": vitals.version})  # no reason: refused
    vitals.refresh_from_db()
    assert vitals.entered_in_error is False

    client.post(url, {"version": vitals.version, "entered_in_error_reason": "Wrong participant"})
    vitals.refresh_from_db()
    assert (vitals.entered_in_error, vitals.entered_in_error_reason) == (True, "Wrong participant")
    assert history_for(vitals)[-1]["reason"] == "Entered in error: Wrong participant"
    slots = form_slots([baseline_visit], TODAY)[baseline_visit.pk]
    assert next(s for s in slots if s.code == "vitals").record is None
    # a fresh form can now be entered for the visit
    assert _post_vitals(client, baseline_visit, weight_kg="70").status_code == 302
    assert VitalSigns.objects.filter(visit=baseline_visit).count() == 2


def test_read_only_roles_see_the_form_but_can_not_save_it(client, monitor, baseline_visit):
    client.force_login(monitor)
    url = _url("crf_edit", baseline_visit.participant, baseline_visit.pk, "vitals")
    page = client.get(url)
    assert page.status_code == 200
    assert "<fieldset disabled>" in page.content.decode()
    assert client.post(url, _vitals()).status_code == 403
    assert not VitalSigns.objects.filter(visit=baseline_visit).exists()


def test_a_form_not_due_at_a_visit_is_not_found(client, coordinator, enrolled, baseline_visit):
    client.force_login(coordinator)
    fu = enrolled.visits.get(definition__code="FU")
    assert client.get(_url("crf_edit", enrolled, fu.pk, "fvc")).status_code == 404
    assert client.get(_url("crf_edit", enrolled, fu.pk, "nonsense")).status_code == 404


def test_the_casebook_shows_each_forms_state_on_the_timeline(client, coordinator, baseline_visit):
    client.force_login(coordinator)
    _post_vitals(client, baseline_visit)
    page = client.get(
        reverse(
            "safety:participant_casebook",
            args=["LSER-ALS-01", baseline_visit.participant_id],
        )
    ).content.decode()
    assert "Vital signs and weight: complete" in page
    assert Participant.objects.get(pk=baseline_visit.participant_id).subject_number in page
