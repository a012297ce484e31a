"""Emergency unblinding: an investigator at the participant's site, with a reason, sees the
arm once; the audit trail keeps it; the data manager and unblinded staff are told, without
the arm."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from participants.models import EmergencyUnblinding
from participants.services import participant_emergency_unblind
from tests.factories import ParticipantFactory
from tests.participants.test_blinding import arm_markers, casebook_body
from trials.audit import history_for

pytestmark = pytest.mark.django_db

REASON = "Grade 3 hepatic enzyme rise; treating physician needs to know"


def _url(p):
    return reverse("participants:emergency_unblind", args=[p.trial.code, p.pk])


def test_the_investigator_sees_the_arm_after_giving_a_reason(
    client, investigator, site01_participant
):
    client.force_login(investigator)
    arm = site01_participant.allocation.arm
    form = client.get(_url(site01_participant)).content.decode()
    assert arm.name not in form
    response = client.post(_url(site01_participant), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Arm {arm.code}: {arm.name}" in body
    record = EmergencyUnblinding.objects.get(participant=site01_participant)
    assert (record.unblinded_by, record.reason) == (investigator, REASON)


def test_the_audit_trail_records_the_unblinding_and_its_reason(investigator, site01_participant):
    participant_emergency_unblind(participant=site01_participant, reason=REASON, user=investigator)
    [row] = history_for(EmergencyUnblinding.objects.get(participant=site01_participant))
    assert row["reason"] == f"Emergency unblinding: {REASON}"
    assert row["user"] == "investigator01" and row["action"] == "insert"


def test_the_investigators_casebook_offers_unblinding(client, investigator, site01_participant):
    client.force_login(investigator)
    assert 'id="unblind-button"' in casebook_body(client, site01_participant)


def test_a_reason_is_required(client, investigator, site01_participant):
    client.force_login(investigator)
    response = client.post(_url(site01_participant), {"reason": "  ", "confirm": "on"})
    body = response.content.decode()
    assert "This field is required" in body
    assert site01_participant.allocation.arm.name not in body
    assert not EmergencyUnblinding.objects.exists()
    with pytest.raises(ValidationError, match="medical reason"):
        participant_emergency_unblind(participant=site01_participant, reason="", user=investigator)


@pytest.mark.parametrize(
    "role", ["coordinator", "monitor", "data_manager", "unblinded_pharmacist", "study_coordinator"]
)
def test_only_an_investigator_can_unblind(client, request, role, site01_participant):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.post(_url(site01_participant), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 403
    assert site01_participant.allocation.arm.name not in response.content.decode()
    assert 'id="unblind-button"' not in casebook_body(client, site01_participant)
    with pytest.raises(PermissionDenied):
        participant_emergency_unblind(participant=site01_participant, reason=REASON, user=user)
    assert not EmergencyUnblinding.objects.exists()


def test_an_investigator_of_another_site_gets_a_404(client, investigator, site02_participant):
    client.force_login(investigator)
    response = client.post(_url(site02_participant), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 404
    assert not EmergencyUnblinding.objects.exists()


def test_a_participant_not_randomized_cannot_be_unblinded(client, investigator, site01_participant):
    p = ParticipantFactory(trial=site01_participant.trial, site=site01_participant.site)
    client.force_login(investigator)
    response = client.post(_url(p), {"reason": REASON, "confirm": "on"})
    assert "is not randomized" in response.content.decode()
    assert not EmergencyUnblinding.objects.exists()


@pytest.fixture
def unblinded(investigator, site01_participant):
    participant_emergency_unblind(participant=site01_participant, reason=REASON, user=investigator)
    return site01_participant


@pytest.mark.parametrize("role", ["data_manager", "unblinded_pharmacist"])
def test_the_data_manager_and_unblinded_staff_see_the_notice(client, request, role, unblinded):
    client.force_login(request.getfixturevalue(role))
    body = casebook_body(client, unblinded)
    assert "Emergency unblinding on " in body and "by Ana Reyes: " + REASON in body


def test_the_notice_to_the_data_manager_names_no_arm(client, data_manager, unblinded):
    client.force_login(data_manager)
    body = casebook_body(client, unblinded)
    assert "Emergency unblinding on" in body
    assert [m for m in arm_markers() if m in body] == []


@pytest.mark.parametrize("role", ["coordinator", "investigator", "monitor"])
def test_other_blinded_users_are_not_shown_the_notice(client, request, role, unblinded):
    client.force_login(request.getfixturevalue(role))
    body = casebook_body(client, unblinded)
    assert "Emergency unblinding on" not in body
    assert [m for m in arm_markers() if m in body] == []
