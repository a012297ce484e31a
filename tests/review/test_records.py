"""Any reviewable record is found again from its (content type, id) pair, with its label
and page, and nothing else is."""

import pytest
from django.http import Http404

from participants.models import Participant, VitalSigns
from review.records import record_for, record_key, record_label, record_url, reviewable_models
from safety.models import AdverseEvent, AdverseEventReview, LabPanel

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")


def test_every_kind_of_form_is_reviewable():
    models = reviewable_models()
    assert {VitalSigns, AdverseEventReview, LabPanel, AdverseEvent} <= set(models)
    assert Participant not in models


@pytest.mark.parametrize("model", [VitalSigns, AdverseEvent, LabPanel])
def test_a_record_is_found_again_from_its_key_with_its_page(client, coordinator, p, model):
    record = model.objects.filter(participant=p).order_by("pk").first()
    found = record_for(*record_key(record), participant=p)
    assert found == record
    client.force_login(coordinator)
    page = client.get(record_url(found, "LSER-ALS-01"))
    assert page.status_code == 200
    assert record_label(found)


def test_a_record_of_another_participant_or_a_non_form_is_not_found(p):
    other = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-002")
    record = VitalSigns.objects.filter(participant=p).first()
    with pytest.raises(Http404):
        record_for(*record_key(record), participant=other)
    with pytest.raises(Http404):
        record_for(*record_key(p), participant=p)


def test_labels_name_the_form_and_its_visit(p):
    vitals = VitalSigns.objects.filter(participant=p, visit__definition__code="BL").first()
    assert record_label(vitals) == f"Vital signs · {vitals.visit.name}"
    event = AdverseEvent.objects.filter(participant=p).first()
    assert record_label(event) == f"Adverse event: {event.verbatim_term}"
