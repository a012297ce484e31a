"""Randomizing a participant through the trial's list: service, page and casebook."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from participants.choices import ParticipantStatus
from participants.models import Allocation, RandomizationSlot
from participants.services import participant_randomize
from tests.factories import ParticipantFactory
from trials.audit import history_for
from trials.models import Site, Trial

pytestmark = pytest.mark.django_db


def enrolled(code="LSER-ALS-01", site="01", **extra):
    extra.setdefault("status", ParticipantStatus.ENROLLED)
    return ParticipantFactory(
        trial=Trial.objects.get(code=code), site=Site.objects.get(number=site), **extra
    )


def lowest_free(participant, level):
    return (
        RandomizationSlot.objects.free()
        .filter(trial=participant.trial, site=participant.site, factor_level=level)
        .order_by("sequence")
        .first()
    )


def test_it_takes_the_lowest_free_slot_of_the_stratum(coordinator):
    p = enrolled()
    expected = lowest_free(p, "C/T")
    assert expected.sequence > 1  # the demo took the first one
    allocation = participant_randomize(participant=p, factor_level="C/T", user=coordinator)
    expected.refresh_from_db()
    assert expected.participant == p and expected.taken_by == coordinator
    assert allocation.arm_id == expected.arm_id
    assert allocation.randomization_number == expected.randomization_number
    assert expected.taken_at == allocation.allocated_at


def test_the_next_participant_gets_the_next_slot(coordinator):
    first, second = enrolled(), enrolled()
    a1 = participant_randomize(participant=first, factor_level="T/T", user=coordinator)
    a2 = participant_randomize(participant=second, factor_level="T/T", user=coordinator)
    s1, s2 = (RandomizationSlot.objects.get(participant=p) for p in (first, second))
    assert s2.sequence == s1.sequence + 1
    assert a1.randomization_number != a2.randomization_number


def test_the_audit_trail_says_randomized(coordinator):
    p = enrolled()
    allocation = participant_randomize(participant=p, factor_level="C/C", user=coordinator)
    [row] = history_for(allocation)
    assert row["reason"] == "Randomized" and row["user"] == "coordinator01"
    slot_rows = history_for(RandomizationSlot.objects.get(participant=p))
    assert slot_rows[-1]["reason"] == "Randomized"


def test_a_list_without_factor_ignores_the_level(coordinator):
    p = enrolled(code="LSER-HSAN1-01")
    participant_randomize(participant=p, factor_level="", user=coordinator)
    assert RandomizationSlot.objects.get(participant=p).factor_level == ""


def test_it_asks_the_level_when_the_list_has_a_factor(coordinator):
    p = enrolled()
    with pytest.raises(ValidationError, match="rs1163251") as exc:
        participant_randomize(participant=p, factor_level="A/A", user=coordinator)
    assert "factor_level" in exc.value.message_dict
    assert not Allocation.objects.filter(participant=p).exists()


def test_it_refuses_a_participant_already_randomized(coordinator, site01_participant):
    with pytest.raises(ValidationError, match="already randomized"):
        participant_randomize(participant=site01_participant, factor_level="C/C", user=coordinator)


@pytest.mark.parametrize(
    "status", [ParticipantStatus.SCREENING, ParticipantStatus.WITHDRAWN, "screen_failure"]
)
def test_it_refuses_a_participant_who_is_not_enrolled(coordinator, status):
    p = enrolled(status=status)
    with pytest.raises(ValidationError, match="Only an enrolled participant"):
        participant_randomize(participant=p, factor_level="C/C", user=coordinator)


def test_it_says_when_the_stratum_is_exhausted(coordinator):
    p = enrolled(site="02")
    RandomizationSlot.objects.filter(
        trial=p.trial, site=p.site, factor_level="T/T", participant__isnull=True
    ).delete()
    with pytest.raises(ValidationError) as exc:
        participant_randomize(participant=p, factor_level="T/T", user=coordinator)
    assert exc.value.messages == [
        "The randomization list is exhausted for site 02 / rs1163251 T/T: ask the unblinded "
        "pharmacist."
    ]
    # other strata still randomize
    participant_randomize(participant=p, factor_level="C/C", user=coordinator)


def test_it_says_when_the_trial_has_no_list(coordinator):
    p = enrolled(code="LSER-HSAN1-01")
    RandomizationSlot.objects.filter(trial=p.trial).delete()
    p.trial.randomization.delete()
    with pytest.raises(ValidationError, match="no randomization list yet"):
        participant_randomize(participant=p, user=coordinator)


# --- the page -----------------------------------------------------------------------------


def _url(p):
    return reverse("participants:randomize", args=[p.trial.code, p.pk])


def _casebook(client, p):
    url = reverse("safety:participant_casebook", args=[p.trial.code, p.pk])
    return client.get(url).content.decode()


def test_the_casebook_offers_randomize_to_enrolled_participants_only(client, coordinator):
    p = enrolled()
    client.force_login(coordinator)
    assert 'id="randomize-button"' in _casebook(client, p)
    participant_randomize(participant=p, factor_level="C/C", user=coordinator)
    assert 'id="randomize-button"' not in _casebook(client, p)
    screening = enrolled(status=ParticipantStatus.SCREENING, subject_number="")
    assert 'id="randomize-button"' not in _casebook(client, screening)


def test_the_page_asks_the_factor_and_randomizes(client, coordinator):
    p = enrolled()
    client.force_login(coordinator)
    body = client.get(_url(p)).content.decode()
    assert "rs1163251" in body and "C/T" in body
    response = client.post(_url(p), {"factor_level": "C/T", "confirm": "on"})
    assert response.status_code == 302
    slot = RandomizationSlot.objects.get(participant=p)
    assert slot.factor_level == "C/T"
    body = client.get(response["Location"]).content.decode()
    assert "Randomized" in body and slot.randomization_number in body


def test_the_page_shows_the_refusal_beside_the_field(client, coordinator):
    p = enrolled()
    client.force_login(coordinator)
    response = client.post(_url(p), {"confirm": "on"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Allocation.objects.filter(participant=p).exists()


def test_the_page_says_the_list_is_exhausted(client, coordinator):
    p = enrolled(code="LSER-HSAN1-01")
    RandomizationSlot.objects.filter(trial=p.trial, participant__isnull=True).delete()
    client.force_login(coordinator)
    response = client.post(_url(p), {"confirm": "on"})
    assert "exhausted for site 01: ask the unblinded pharmacist" in response.content.decode()


def test_a_monitor_cannot_randomize(client, monitor):
    p = enrolled()
    client.force_login(monitor)
    assert client.post(_url(p), {"factor_level": "C/C", "confirm": "on"}).status_code == 403
    assert not Allocation.objects.filter(participant=p).exists()


def test_another_sites_coordinator_gets_a_404(client, other_site_coordinator):
    p = enrolled()
    client.force_login(other_site_coordinator)
    assert client.post(_url(p), {"factor_level": "C/C", "confirm": "on"}).status_code == 404
