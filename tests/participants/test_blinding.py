"""Blinding is enforced on the server: no page about a participant shows a blinded user
the arm (DESIGN.md rule 4). The unblinded pharmacist's view is the positive control."""

import pytest
from django.urls import reverse

from participants.models import (
    Allocation,
    AlsfrsR,
    EmergencyUnblinding,
    Participant,
    RandomizationSlot,
    StudyDrugExposure,
    Visit,
)
from safety.models import AdverseEvent, EndOfStudy, LabResult
from tests.factories import ParticipantFactory
from trials.models import Arm, Site, Trial

pytestmark = pytest.mark.django_db

BLINDED_ROLES = [
    "coordinator",
    "investigator",
    "monitor",
    "data_manager",
    "study_coordinator",
    "other_site_coordinator",
]


def arm_markers():
    """Every string that would give an allocation away: arm codes and names."""
    markers = set()
    for arm in Arm.objects.all():
        markers.update({f">{arm.code}<", f"Arm {arm.code}", arm.name, arm.regimen_text})
    return markers


def casebook_body(client, participant) -> str:
    url = reverse("safety:participant_casebook", args=[participant.trial.code, participant.pk])
    return client.get(url).content.decode()


def participant_pages(user):
    """Every page that shows a participant to this user: site pages and admin pages."""
    participants = Participant.objects.for_user(user)
    urls = [reverse("trials:home")]
    urls += [
        reverse("participants:trial_participants", args=[code])
        for code in participants.values_list("trial__code", flat=True).distinct()
    ]
    for p in participants.select_related("trial"):
        urls.append(reverse("safety:participant_casebook", args=[p.trial.code, p.pk]))
        urls.append(reverse("safety:end_of_study", args=[p.trial.code, p.pk]))
    for record in StudyDrugExposure.objects.for_user(user).select_related("participant__trial"):
        p = record.participant
        urls.append(
            reverse("participants:crf_edit", args=[p.trial.code, p.pk, record.visit_id, "dosing"])
        )
    if user.is_staff:
        for model, objects in [
            ("participants_participant", participants),
            ("participants_visit", Visit.objects.for_user(user)),
            ("participants_studydrugexposure", StudyDrugExposure.objects.for_user(user)),
            ("safety_adverseevent", AdverseEvent.objects.for_user(user)),
            ("safety_labresult", LabResult.objects.for_user(user)),
            ("participants_alsfrsr", AlsfrsR.objects.for_user(user)),
            ("safety_endofstudy", EndOfStudy.objects.for_user(user)),
            ("participants_emergencyunblinding", EmergencyUnblinding.objects.for_user(user)),
        ]:
            urls.append(reverse(f"admin:{model}_changelist"))
            for obj in objects[:3]:
                urls.append(reverse(f"admin:{model}_change", args=[obj.pk]))
                urls.append(reverse(f"admin:{model}_history", args=[obj.pk]))
    return urls


@pytest.mark.parametrize("role", BLINDED_ROLES)
def test_a_blinded_user_never_sees_an_arm_on_a_participant_page(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    markers = arm_markers()
    pages = participant_pages(user)
    assert len(pages) > 3
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        leaked = [m for m in markers if m in body]
        assert leaked == [], f"{role} sees {leaked} at {url}"


def test_a_blinded_casebook_shows_randomized_with_number_and_date(client, coordinator):
    p = Participant.objects.for_user(coordinator).filter(allocation__isnull=False).first()
    client.force_login(coordinator)
    body = casebook_body(client, p)
    assert "Randomized" in body
    assert p.allocation.randomization_number in body
    assert f"{p.allocation.allocated_at:%Y-%m-%d}" in body


def test_the_unblinded_pharmacist_sees_the_arm(client, unblinded_pharmacist):
    allocation = Allocation.objects.select_related("participant__trial", "arm").first()
    client.force_login(unblinded_pharmacist)
    p = allocation.participant
    body = casebook_body(client, p)
    assert allocation.arm.name in body
    body = client.get(reverse("admin:participants_allocation_changelist")).content.decode()
    assert str(allocation.arm) in body


def test_an_open_label_trial_shows_the_arm_to_everyone_in_scope(client, coordinator):
    allocation = (
        Allocation.objects.filter(
            participant__site__number="01", participant__trial__code="LSER-ALS-01"
        )
        .select_related("participant__trial", "arm")
        .first()
    )
    trial = allocation.participant.trial
    trial.blinding = "open"
    trial.save()
    client.force_login(coordinator)
    p = allocation.participant
    body = casebook_body(client, p)
    assert allocation.arm.name in body


def test_the_allocation_queryset_is_empty_for_blinded_users(
    coordinator, monitor, study_coordinator
):
    for user in (coordinator, monitor, study_coordinator):
        assert not Allocation.objects.for_user(user).exists()


def test_an_allocation_never_names_its_arm_in_text(unblinded_pharmacist):
    allocation = Allocation.objects.select_related("arm").first()
    assert allocation.arm.code not in str(allocation)
    assert allocation.arm.name not in str(allocation)


@pytest.fixture
def randomized_through_the_page(client, coordinator):
    """A new participant at site 01, randomized by the coordinator on the randomize page."""
    p = ParticipantFactory(
        trial=Trial.objects.get(code="LSER-ALS-01"),
        site=Site.objects.get(number="01"),
        status="enrolled",
    )
    client.force_login(coordinator)
    url = reverse("participants:randomize", args=[p.trial.code, p.pk])
    response = client.post(url, {"factor_level": "C/T", "confirm": "on"}, follow=True)
    # the page after randomizing (the casebook, with the confirmation message)
    body = response.content.decode()
    assert "randomized: number R" in body
    assert [m for m in arm_markers() if m in body] == []
    client.logout()
    return p


@pytest.mark.parametrize("role", ["coordinator", "investigator", "monitor", "data_manager"])
def test_after_randomizing_on_the_page_blinded_casebooks_show_no_arm(
    client, request, role, randomized_through_the_page
):
    p = randomized_through_the_page
    client.force_login(request.getfixturevalue(role))
    body = casebook_body(client, p)
    assert "Randomized" in body and p.allocation.randomization_number in body
    assert [m for m in arm_markers() if m in body] == []


def test_after_randomizing_on_the_page_the_pharmacist_sees_the_arm(
    client, unblinded_pharmacist, randomized_through_the_page
):
    p = randomized_through_the_page
    client.force_login(unblinded_pharmacist)
    body = casebook_body(client, p)
    assert f"Arm {p.allocation.arm.code}: {p.allocation.arm.name}" in body


def test_the_randomize_page_shows_a_blinded_user_no_arm(client, coordinator, site01_participant):
    client.force_login(coordinator)
    url = reverse("participants:randomize", args=["LSER-ALS-01", site01_participant.pk])
    body = client.get(url).content.decode()
    assert "Already randomized" in body
    assert [m for m in arm_markers() if m in body] == []


def test_the_slot_queryset_is_empty_for_blinded_users_even_in_an_open_label_trial(
    coordinator, monitor, data_manager, study_coordinator, unblinded_pharmacist
):
    Trial.objects.filter(code="LSER-ALS-01").update(blinding="open")
    for user in (coordinator, monitor, data_manager, study_coordinator):
        assert not RandomizationSlot.objects.for_user(user).exists()
    assert RandomizationSlot.objects.for_user(unblinded_pharmacist).exists()
