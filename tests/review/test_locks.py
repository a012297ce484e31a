"""Locks: a data manager locks a form, a visit, a participant or the trial; locked data is
read-only for everyone (pages, services, admin, and the database itself); unlocking needs
a reason; both are in the audit trail."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from participants.models import CRF_MODELS, Lock, LockLevel, Participant, VitalSigns
from participants.services import crf_save, record_mark_entered_in_error, visit_record
from review.records import record_key, reviewable_models
from review.services.locks import lock_apply, lock_release
from safety.models import (
    AdverseEvent,
    AdverseEventCourse,
    EndOfStudy,
    LabPanel,
    LabResult,
    RenalSignal,
)
from safety.services import adverse_event_save, end_of_study_record, lab_panel_save
from trials.audit import history_for
from trials.models import Arm, Trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return Participant.objects.select_related("trial").get(
        trial__code="LSER-ALS-01", subject_number="01-001"
    )


@pytest.fixture
def vitals(p):
    return VitalSigns.objects.filter(participant=p, entered_in_error=False).first()


def _crf_url(record):
    return reverse(
        "participants:crf_edit",
        args=["LSER-ALS-01", record.participant_id, record.visit_id, record.form_code],
    )


def _lock_form(client, record, reason="Database lock for interim analysis"):
    ct, object_id = record_key(record)
    return client.post(
        reverse("review:lock_add", args=["LSER-ALS-01"]),
        {
            "level": "FORM",
            "participant": record.participant_id,
            "ct": ct,
            "id": object_id,
            "reason": reason,
            "next": _crf_url(record),
        },
    )


def _vitals_post(record, **overrides):
    data = {
        "report_date": f"{record.report_date:%Y-%m-%d}",
        "weight_kg": "80.0",
        "height_cm": str(record.height_cm or 170),
        "systolic_bp": str(record.systolic_bp or 120),
        "diastolic_bp": str(record.diastolic_bp or 80),
        "heart_rate": str(record.heart_rate or 70),
        "temperature_c": str(record.temperature_c or "36.6"),
        "version": str(record.version),
        "reason_for_change": "Transcription error",
    }
    data.update(overrides)
    return data


def test_a_data_manager_locks_a_form_and_its_page_refuses_an_edit(
    client, data_manager, coordinator, vitals
):
    client.force_login(data_manager)
    response = _lock_form(client, vitals)
    assert response.status_code == 302 and response["Location"] == _crf_url(vitals)
    lock = Lock.objects.active().get(object_id=vitals.pk)
    assert lock.level == LockLevel.FORM and lock.visit_id == vitals.visit_id

    client.force_login(coordinator)
    page = client.get(_crf_url(vitals)).content.decode()
    assert "lock-notice" in page and "Database lock for interim analysis" in page
    assert "<fieldset disabled>" in page  # no editable form
    assert "Mark entered in error" not in page
    response = client.post(_crf_url(vitals), _vitals_post(vitals))
    assert response.status_code == 200
    assert "Locked: " in response.content.decode()  # the refusal, above the form
    vitals.refresh_from_db()
    assert vitals.weight_kg != 80 and vitals.version == 1


def test_every_write_service_refuses_a_locked_participant(data_manager, coordinator, p, vitals):
    lock_apply(trial=p.trial, level=LockLevel.PARTICIPANT, participant=p, user=data_manager)
    today = timezone.localdate()
    visit = p.visits.get(definition__code="BL")
    attempts = [
        lambda: crf_save(
            record=vitals,
            values={"weight_kg": 81},
            user=coordinator,
            expected_version=vitals.version,
            reason="x",
        ),
        lambda: record_mark_entered_in_error(
            record=vitals, reason="dup", user=coordinator, expected_version=vitals.version
        ),
        lambda: visit_record(
            visit=visit,
            actual_date=visit.actual_date or today,
            user=coordinator,
            expected_version=visit.version,
            reason="x",
        ),
        lambda: adverse_event_save(
            participant=p,
            values={"verbatim_term": "Headache", "onset_date": today},
            user=coordinator,
        ),
        lambda: lab_panel_save(
            panel_record=LabPanel(
                participant=p, panel="RENAL", report_date=today, collection_time=datetime.time(8)
            ),
            values={"CREAT": ("1.0", "mg/dL")},
            user=coordinator,
        ),
        lambda: end_of_study_record(participant=p, values={"end_date": today}, user=coordinator),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="Locked: Participant 01-001 was locked by"):
            attempt()


def test_a_visit_lock_refuses_the_visit_and_its_forms(data_manager, coordinator, p, vitals):
    visit = vitals.visit
    lock_apply(trial=p.trial, level=LockLevel.VISIT, participant=p, visit=visit, user=data_manager)
    with pytest.raises(ValidationError, match="Locked: 01-001"):
        visit_record(
            visit=visit,
            actual_date=visit.actual_date or timezone.localdate(),
            user=coordinator,
            expected_version=visit.version,
            reason="x",
        )
    with pytest.raises(ValidationError, match="Locked: 01-001"):
        crf_save(
            record=vitals,
            values={"heart_rate": 80},
            user=coordinator,
            expected_version=vitals.version,
            reason="x",
        )
    with pytest.raises(DatabaseError, match="Locked data"), transaction.atomic():
        type(visit).objects.filter(pk=visit.pk).update(missed_reason="x")


def test_the_database_refuses_a_raw_write_to_a_locked_form(data_manager, vitals, p):
    lock_apply(trial=p.trial, level=LockLevel.FORM, participant=p, record=vitals, user=data_manager)
    with pytest.raises(DatabaseError, match="Locked data"), transaction.atomic():
        VitalSigns.objects.filter(pk=vitals.pk).update(weight_kg=99)
    vitals.weight_kg = 99
    with pytest.raises(DatabaseError, match="Locked data"), transaction.atomic():
        vitals.save()
    with pytest.raises(DatabaseError, match="Locked data"), transaction.atomic():
        VitalSigns.objects.filter(pk=vitals.pk).delete()
    other = VitalSigns.objects.exclude(pk=vitals.pk).first()
    VitalSigns.objects.filter(pk=other.pk).update(heart_rate=71)  # not locked: allowed


def test_the_database_refuses_the_children_of_a_locked_form(data_manager, p):
    panel = LabPanel.objects.filter(participant=p, entered_in_error=False).first()
    lock_apply(trial=p.trial, level=LockLevel.FORM, participant=p, record=panel, user=data_manager)
    with pytest.raises(DatabaseError, match="Locked data"), transaction.atomic():
        LabResult.objects.filter(panel=panel).update(value=5)
    event = AdverseEvent.objects.filter(participant=p).first()
    lock_apply(trial=p.trial, level=LockLevel.FORM, participant=p, record=event, user=data_manager)
    with pytest.raises(DatabaseError, match="Locked data"), transaction.atomic():
        AdverseEventCourse.objects.filter(adverse_event=event).update(note="changed")


def test_the_database_refuses_new_rows_under_a_trial_lock(data_manager, p):
    lock_apply(trial=p.trial, level=LockLevel.TRIAL, user=data_manager)
    with pytest.raises(DatabaseError, match="Locked data"), transaction.atomic():
        Participant.objects.filter(pk=p.pk).update(status_reason="x")
    visit = p.visits.first()
    with pytest.raises(DatabaseError, match="Locked data"), transaction.atomic():
        VitalSigns.objects.create(
            participant=p, visit=visit, report_date=timezone.localdate(), weight_kg=70
        )


def _clinical_tables() -> set[str]:
    from participants.models import ClinicalRecord

    models = set(reviewable_models()) | {AdverseEventCourse, LabResult, RenalSignal, EndOfStudy}
    from django.apps import apps

    models |= {
        m for m in apps.get_models() if issubclass(m, ClinicalRecord) and not m._meta.abstract
    }
    models |= set(CRF_MODELS.values())
    return {m._meta.db_table for m in models}


def test_every_clinical_table_has_the_lock_trigger():
    """A new CRF (or any clinical) table without the trigger fails here: add
    `form_guard_sql(...)` to its migration (participants/lock_triggers.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'edc_lock_guard' AND NOT t.tgisinternal"
        )
        guarded = {row[0] for row in cursor.fetchall()}
    tables = _clinical_tables()
    assert {"participants_participant", "participants_visit", "safety_labresult"} <= tables
    assert tables - guarded == set()


def test_unlocking_needs_a_reason_given_beside_the_field(client, data_manager, p):
    lock = lock_apply(
        trial=p.trial, level=LockLevel.PARTICIPANT, participant=p, user=data_manager, reason="SDV"
    )
    client.force_login(data_manager)
    url = reverse("review:lock_release", args=["LSER-ALS-01", lock.pk])
    response = client.post(url, {"unlock_reason": "  "})
    assert response.status_code == 200
    assert "Give the reason for unlocking." in response.content.decode()
    assert Lock.objects.get(pk=lock.pk).active
    assert client.post(url, {"unlock_reason": "Query answered late"}).status_code == 302
    lock.refresh_from_db()
    assert not lock.active and lock.unlocked_by == data_manager
    reasons = [row["reason"] for row in history_for(lock)]
    assert reasons == [
        "Locked: Participant 01-001 (SDV)",
        "Unlocked: Participant 01-001 (Query answered late)",
    ]
    assert all(row["user"] == "datamanager" for row in history_for(lock))


def test_only_a_data_manager_locks_or_unlocks(client, coordinator, monitor, data_manager, p):
    lock = lock_apply(trial=p.trial, level=LockLevel.TRIAL, user=data_manager)
    for user in (coordinator, monitor):
        client.force_login(user)
        add = client.post(reverse("review:lock_add", args=["LSER-ALS-01"]), {"level": "TRIAL"})
        assert add.status_code == 403
        url = reverse("review:lock_release", args=["LSER-ALS-01", lock.pk])
        assert client.post(url, {"unlock_reason": "x"}).status_code == 403
    with pytest.raises(Exception, match="data managers"):
        lock_release(lock=lock, reason="x", user=coordinator)


def test_the_lock_list_shows_active_and_released_locks_in_scope(
    client, data_manager, other_site_coordinator, p
):
    lock = lock_apply(trial=p.trial, level=LockLevel.PARTICIPANT, participant=p, user=data_manager)
    lock_release(lock=lock, reason="Reopened for a late lab", user=data_manager)
    lock_apply(trial=p.trial, level=LockLevel.PARTICIPANT, participant=p, user=data_manager)
    client.force_login(data_manager)
    page = client.get(reverse("review:lock_list", args=["LSER-ALS-01"])).content.decode()
    assert page.count("Participant 01-001") == 2 and "Reopened for a late lab" in page
    assert "Lock the whole trial" in page
    client.force_login(other_site_coordinator)
    page = client.get(reverse("review:lock_list", args=["LSER-ALS-01"])).content.decode()
    assert "01-001" not in page and "Lock the whole trial" not in page


def test_the_casebook_shows_the_lock_and_hides_the_edit_buttons(
    client, data_manager, coordinator, p
):
    casebook = reverse("safety:participant_casebook", args=["LSER-ALS-01", p.pk])
    client.force_login(coordinator)
    assert "casebook-actions" in client.get(casebook).content.decode()
    client.force_login(data_manager)
    assert "Lock this participant" in client.get(casebook).content.decode()
    client.post(
        reverse("review:lock_add", args=["LSER-ALS-01"]),
        {"level": "PARTICIPANT", "participant": p.pk},
    )
    client.force_login(coordinator)
    page = client.get(casebook).content.decode()
    assert "lock-notice" in page and "casebook-actions" not in page
    assert "Report an adverse event" not in page


def test_a_visit_is_locked_from_its_page(client, data_manager, coordinator, p):
    visit = p.visits.get(definition__code="BL")
    url = reverse("participants:visit_detail", args=["LSER-ALS-01", p.pk, visit.pk])
    client.force_login(data_manager)
    assert "Lock this visit" in client.get(url).content.decode()
    client.post(
        reverse("review:lock_add", args=["LSER-ALS-01"]),
        {"level": "VISIT", "participant": p.pk, "visit": visit.pk},
    )
    assert Lock.objects.active().get(level=LockLevel.VISIT).visit == visit
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert "lock-notice" in page and "Visit date" not in page


def test_a_locked_trial_is_read_only_in_the_admin_even_for_a_superuser(
    client, data_manager, study_coordinator
):
    trial = Trial.objects.get(code="LSER-ALS-01")
    lock_apply(trial=trial, level=LockLevel.TRIAL, user=data_manager)
    study_coordinator.is_superuser = True
    study_coordinator.save()
    client.force_login(study_coordinator)
    url = reverse("admin:trials_trial_change", args=[trial.pk])
    assert client.get(url).status_code == 200  # still readable
    assert client.post(url, {"title": "Changed"}).status_code == 403
    arm = Arm.objects.filter(trial=trial).first()
    arm_url = reverse("admin:trials_arm_change", args=[arm.pk])
    assert client.post(arm_url, {"name": "Changed"}).status_code == 403
    trial.refresh_from_db()
    arm.refresh_from_db()
    assert trial.title != "Changed" and arm.name != "Changed"
    other = Trial.objects.exclude(pk=trial.pk).first()
    assert client.get(reverse("admin:trials_trial_change", args=[other.pk])).status_code == 200


def test_a_locked_form_refuses_an_edit_through_the_admin(
    client, data_manager, study_coordinator, vitals, p
):
    lock_apply(trial=p.trial, level=LockLevel.FORM, participant=p, record=vitals, user=data_manager)
    client.force_login(study_coordinator)
    url = reverse("admin:participants_vitalsigns_change", args=[vitals.pk])
    assert client.post(url, {"weight_kg": "99"}).status_code == 403
    vitals.refresh_from_db()
    assert vitals.weight_kg != 99


def test_a_trial_save_recomputes_renal_values_but_skips_locked_participants(data_manager, p):
    lock_apply(trial=p.trial, level=LockLevel.PARTICIPANT, participant=p, user=data_manager)
    trial = Trial.objects.get(pk=p.trial_id)
    trial.signal_egfr_below = 10
    trial.save()  # no error: 01-001's locked results are left as they were
    assert RenalSignal.objects.filter(participant=p).exists()


def test_adverse_event_and_lab_panel_pages_get_the_lock_button_and_notice(
    client, data_manager, coordinator, p
):
    event = AdverseEvent.objects.filter(participant=p, entered_in_error=False).first()
    panel = LabPanel.objects.filter(participant=p, entered_in_error=False).first()
    pages = [
        (event, reverse("safety:adverse_event", args=["LSER-ALS-01", p.pk, event.pk])),
        (panel, reverse("safety:lab_panel_edit", args=["LSER-ALS-01", p.pk, panel.pk])),
    ]
    for record, url in pages:
        client.force_login(data_manager)
        assert "Lock this form" in client.get(url).content.decode()
        lock_apply(
            trial=p.trial, level=LockLevel.FORM, participant=p, record=record, user=data_manager
        )
        client.force_login(coordinator)
        page = client.get(url).content.decode()
        assert "lock-notice" in page and "Audit trail" in page
        assert "Mark entered in error" not in page
    assert 'id="adverse-event-actions"' not in client.get(pages[0][1]).content.decode()


def test_a_data_manager_of_one_site_locks_its_participants_but_not_the_trial(
    client, data_manager, p
):
    from trials.models import Membership

    Membership.objects.filter(user=data_manager, role="data_manager").update(site=p.site)
    client.force_login(data_manager)
    page = client.get(reverse("review:lock_list", args=["LSER-ALS-01"])).content.decode()
    assert "Lock the whole trial" not in page
    add = client.post(reverse("review:lock_add", args=["LSER-ALS-01"]), {"level": "TRIAL"})
    assert add.status_code == 403
    assert not Lock.objects.filter(level=LockLevel.TRIAL).exists()
    lock_apply(trial=p.trial, level=LockLevel.PARTICIPANT, participant=p, user=data_manager)
    assert Lock.objects.filter(level=LockLevel.PARTICIPANT, participant=p).exists()
