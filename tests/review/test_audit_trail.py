"""The audit trail viewer: every change of a record field by field (old, new, who, when,
why), newest first, with the locks covering it; blinded fields never shown to the blind."""

import pytest
from django.urls import reverse

from participants.models import LockLevel, Participant, StudyDrugExposure, VitalSigns
from participants.services import crf_save
from review.records import record_key
from review.services.locks import lock_apply, lock_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return Participant.objects.select_related("trial").get(
        trial__code="LSER-ALS-01", subject_number="01-001"
    )


def _audit_url(p, record=None, **params):
    url = reverse("review:audit_trail", args=["LSER-ALS-01", p.pk])
    if record is not None:
        ct, object_id = record_key(record)
        params = {"ct": ct, "id": object_id}
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return url + (f"?{query}" if query else "")


def test_a_change_shows_old_and_new_value_who_when_and_why(client, coordinator, monitor, p):
    vitals = VitalSigns.objects.filter(participant=p, entered_in_error=False).first()
    old = vitals.heart_rate
    crf_save(
        record=vitals,
        values={"heart_rate": 91},
        user=coordinator,
        expected_version=vitals.version,
        reason="Transcription error from the source",
    )
    client.force_login(monitor)
    page = client.get(_audit_url(p, vitals)).content.decode()
    row = page[page.index("Heart rate") - 400 : page.index("Heart rate") + 400]
    assert f"<td>{old}</td><td>91</td>" in row
    assert "coordinator01" in row and "Transcription error from the source" in row
    assert page.index("Transcription error") < page.index("Vital signs entered")  # newest first


def test_the_form_page_links_to_its_audit_trail(client, monitor, p):
    vitals = VitalSigns.objects.filter(participant=p, entered_in_error=False).first()
    client.force_login(monitor)
    url = reverse("participants:crf_edit", args=["LSER-ALS-01", p.pk, vitals.visit_id, "vitals"])
    assert _audit_url(p, vitals).replace("&", "&amp;") in client.get(url).content.decode()


def test_blinded_fields_are_hidden_from_blinded_users(client, coordinator, unblinded_pharmacist, p):
    exposure = StudyDrugExposure.objects.filter(participant=p).first()
    assert exposure.prescribed_mg_per_administration is not None
    field = StudyDrugExposure._meta.get_field("prescribed_mg_per_administration")
    label = str(field.verbose_name).lower()
    client.force_login(coordinator)
    page = client.get(_audit_url(p, exposure)).content.decode().lower()
    assert "period reported" in page  # other fields are there
    assert label not in page.split('id="audit-trail"')[1]
    client.force_login(unblinded_pharmacist)
    page = client.get(_audit_url(p, exposure)).content.decode().lower()
    assert label in page.split('id="audit-trail"')[1]


def test_the_participant_and_a_visit_have_their_trail_with_the_locks(client, data_manager, p):
    lock = lock_apply(
        trial=p.trial, level=LockLevel.PARTICIPANT, participant=p, user=data_manager, reason="SDV"
    )
    lock_release(lock=lock, reason="Late lab to enter", user=data_manager)
    client.force_login(data_manager)
    page = client.get(_audit_url(p)).content.decode()
    assert "Consent form version" in page or "Date informed consent signed" in page
    assert "locked (participant)" in page and "unlocked (participant)" in page
    assert "Late lab to enter" in page
    visit = p.visits.get(definition__code="BL")
    page = client.get(_audit_url(p, visit=visit.pk)).content.decode()
    assert "Visit Baseline" in page or f"Visit {visit.name}" in page
    assert "unlocked (participant)" in page


def test_out_of_scope_is_not_found(client, other_site_coordinator, coordinator, p):
    vitals = VitalSigns.objects.filter(participant=p).first()
    client.force_login(other_site_coordinator)
    assert client.get(_audit_url(p, vitals)).status_code == 404
    client.force_login(coordinator)
    other = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-002")
    assert client.get(_audit_url(other, vitals)).status_code == 404  # not its record
