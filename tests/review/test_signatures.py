"""Investigator signatures (21 CFR 11.50, 11.70, 11.200(a)(1)): signed with the password
re-entered, shown with printed name, time and meaning, invalidated by a later change."""

import pytest
from axes.models import AccessAttempt
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from participants.models import Participant, VitalSigns
from participants.services import crf_save
from review.models import Signature, SignatureMeaning
from review.signatures import casebook_records, fingerprint
from safety.models import AdverseEvent
from tests.factories import AdverseEventFactory, VisitFactory

pytestmark = pytest.mark.django_db

PASSWORD = "lserine-demo-2026"


@pytest.fixture
def p():
    return Participant.objects.select_related("trial").get(
        trial__code="LSER-ALS-01", subject_number="01-001"
    )


def _sign_url(p, visit=None):
    url = reverse("review:signature_sign", args=["LSER-ALS-01", p.pk])
    return url + (f"?visit={visit.pk}" if visit else "")


def _casebook(p):
    return reverse("safety:participant_casebook", args=["LSER-ALS-01", p.pk])


def _sign(client, p, password=PASSWORD, visit=None):
    return client.post(
        _sign_url(p, visit), {"meaning": SignatureMeaning.REVIEWED_ACCURATE, "password": password}
    )


def test_an_investigator_signs_the_casebook_and_it_shows_valid(client, investigator, p):
    client.force_login(investigator)
    assert "Sign casebook" in client.get(_casebook(p)).content.decode()
    response = _sign(client, p)
    assert response.status_code == 302
    signature = Signature.objects.get(participant=p)
    assert signature.signer == investigator and signature.visit is None
    assert signature.printed_name == investigator.get_full_name()
    assert f"participants.participant:{p.pk}" in signature.fingerprint
    vitals = VitalSigns.objects.filter(participant=p).first()
    assert signature.fingerprint[f"participants.vitalsigns:{vitals.pk}"] == vitals.version
    page = client.get(_casebook(p)).content.decode()
    assert signature.printed_name in page
    assert "I have reviewed the data and confirm it is accurate" in page
    assert "signature-valid" in page
    shown = dateformat.format(timezone.localtime(signature.signed_at), "Y-m-d H:i:s T")
    assert shown in page and shown.split()[-1].isalpha()  # date, time and time zone


def test_a_wrong_password_is_refused_beside_the_field_and_counted_by_axes(client, investigator, p):
    client.force_login(investigator)
    response = _sign(client, p, password="not-my-password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "This is not your password" in body and 'id="div_id_password"' in body
    assert not Signature.objects.filter(participant=p).exists()
    attempt = AccessAttempt.objects.get(username=investigator.username)
    assert attempt.failures_since_start == 1


@pytest.mark.parametrize("role", ["coordinator", "monitor", "data_manager"])
def test_only_an_investigator_of_the_site_signs(client, request, role, p):
    client.force_login(request.getfixturevalue(role))
    assert client.get(_sign_url(p)).status_code == 403
    assert _sign(client, p).status_code == 403
    assert "Sign casebook" not in client.get(_casebook(p)).content.decode()


def test_a_later_change_invalidates_the_signature_and_signing_again_is_valid(
    client, investigator, coordinator, p
):
    client.force_login(investigator)
    _sign(client, p)
    vitals = VitalSigns.objects.filter(participant=p, entered_in_error=False).first()
    crf_save(
        record=vitals,
        values={"heart_rate": 77},
        user=coordinator,
        expected_version=vitals.version,
        reason="Transcription error",
    )
    page = client.get(_casebook(p)).content.decode()
    assert "signature-invalid" in page
    assert f"Signature invalidated: Vital signs · {vitals.visit.name} changed on" in page
    _sign(client, p)
    page = client.get(_casebook(p)).content.decode()
    assert page.count("signature-valid") == 1 and page.count("signature-invalid") == 1


def test_a_new_adverse_event_invalidates_a_casebook_signature(client, investigator, p):
    client.force_login(investigator)
    _sign(client, p)
    AdverseEventFactory(participant=p, verbatim_term="Late rash")
    page = client.get(_casebook(p)).content.decode()
    assert "Signature invalidated: Adverse event: Late rash added on" in page


def test_a_visit_signature_covers_that_visit_only(client, investigator, p):
    visit = p.visits.get(definition__code="BL")
    client.force_login(investigator)
    assert _sign(client, p, visit=visit).status_code == 302
    signature = Signature.objects.get(participant=p)
    assert signature.visit == visit
    assert f"participants.visit:{visit.pk}" in signature.fingerprint
    assert f"participants.participant:{p.pk}" not in signature.fingerprint
    AdverseEventFactory(participant=p, visit=None, verbatim_term="Elsewhere")
    assert "signature-valid" in client.get(_casebook(p)).content.decode()


def test_a_signature_is_never_changed_nor_deleted(client, investigator, p):
    client.force_login(investigator)
    _sign(client, p)
    signature = Signature.objects.get(participant=p)
    with pytest.raises(DatabaseError), transaction.atomic():
        signature.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(printed_name="Someone else")


def test_the_fingerprint_is_computed_in_a_constant_number_of_queries(p):
    def measure():
        with CaptureQueriesContext(connection) as queries:
            fingerprint(casebook_records(p))
        return len(queries)

    before = measure()
    for n in range(5):
        VisitFactory(participant=p)
        AdverseEventFactory(participant=p, verbatim_term=f"Event {n}")
    assert AdverseEvent.objects.filter(participant=p).count() >= 5
    assert measure() == before
