"""Taking a randomization slot is atomic: participants randomized at the same moment, each in
a transaction of its own on a connection of its own, never share a slot.

These tests commit for real (transactional_db), so they build their own trial; the database
is emptied after each one (pytest-django runs them after the tests that use the seed).
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from participants.choices import ParticipantStatus
from participants.models import Allocation, RandomizationSlot
from participants.services import participant_randomize, randomization_list_generate
from tests.factories import (
    ArmFactory,
    ParticipantFactory,
    SiteFactory,
    TrialFactory,
    TrialSiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trial():
    trial = TrialFactory()
    TrialSiteFactory(trial=trial, site=SiteFactory(number="41"))
    ArmFactory(trial=trial, code="A")
    ArmFactory(trial=trial, code="B")
    randomization_list_generate(trial=trial, seed=7, block_sizes=[4], per_stratum=8)
    return trial


def _enrolled(trial, n):
    site = trial.sites.get()
    return [
        ParticipantFactory(trial=trial, site=site, status=ParticipantStatus.ENROLLED)
        for _ in range(n)
    ]


def _in_threads(target, args_list):
    """Run `target(*args)` in one thread per args, all released at once by a barrier; each
    thread closes its own database connection."""
    barrier = threading.Barrier(len(args_list))
    results, errors = [None] * len(args_list), []

    def run(i, args):
        try:
            barrier.wait(timeout=10)
            results[i] = target(*args)
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results, errors


def test_two_participants_at_the_same_moment_get_different_slots(trial):
    user = UserFactory()
    people = _enrolled(trial, 2)
    results, errors = _in_threads(
        lambda p: participant_randomize(participant=p, user=user), [(p,) for p in people]
    )
    assert errors == []
    assert results[0].randomization_number != results[1].randomization_number
    taken = RandomizationSlot.objects.filter(trial=trial, participant__isnull=False)
    assert sorted(taken.values_list("sequence", flat=True)) == [1, 2]


def test_eight_participants_at_the_same_moment_take_the_first_eight_slots(trial):
    user = UserFactory()
    people = _enrolled(trial, 8)
    results, errors = _in_threads(
        lambda p: participant_randomize(participant=p, user=user), [(p,) for p in people]
    )
    assert errors == []
    assert len({a.randomization_number for a in results}) == 8
    slots = RandomizationSlot.objects.filter(trial=trial, participant__isnull=False)
    assert sorted(slots.values_list("sequence", flat=True)) == list(range(1, 9))
    assert set(slots.values_list("participant", flat=True)) == {p.pk for p in people}
    # every allocation carries its own slot's number and arm
    for slot in slots:
        allocation = Allocation.objects.get(participant=slot.participant_id)
        assert (allocation.randomization_number, allocation.arm_id) == (
            slot.randomization_number,
            slot.arm_id,
        )


def test_more_participants_than_slots_the_rest_are_told_the_list_is_exhausted(trial):
    RandomizationSlot.objects.filter(trial=trial, sequence__gt=3).delete()
    user = UserFactory()
    people = _enrolled(trial, 6)
    results, errors = _in_threads(
        lambda p: participant_randomize(participant=p, user=user), [(p,) for p in people]
    )
    assert len([r for r in results if r is not None]) == 3
    assert len(errors) == 3
    assert all(isinstance(e, ValidationError) and "exhausted" in str(e) for e in errors)


def test_the_same_participant_twice_at_the_same_moment_is_randomized_once(trial):
    user = UserFactory()
    [p] = _enrolled(trial, 1)
    results, errors = _in_threads(
        lambda p: participant_randomize(participant=p, user=user), [(p,), (p,)]
    )
    assert len([r for r in results if r is not None]) == 1
    assert [e.messages for e in errors] == [[f"{p.number} is already randomized."]]
    assert RandomizationSlot.objects.filter(trial=trial, participant=p).count() == 1


def test_a_randomization_waits_for_one_in_progress_then_takes_the_next_slot(trial):
    """Deterministic interleaving: the first transaction holds its slot uncommitted while the
    second starts; the second waits, then gets the next slot (not none, not the same)."""
    user = UserFactory()
    first, second = _enrolled(trial, 2)
    took, release = threading.Event(), threading.Event()
    out = {}

    def slow_first():
        try:
            with transaction.atomic():
                out["first"] = participant_randomize(participant=first, user=user)
                took.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    def then_second():
        try:
            took.wait(timeout=10)
            out["second"] = participant_randomize(participant=second, user=user)
        except Exception as exc:
            out["error"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=slow_first), threading.Thread(target=then_second)]
    for t in threads:
        t.start()
    took.wait(timeout=10)
    time.sleep(0.5)
    assert "second" not in out and "error" not in out  # waiting on the first's lock
    release.set()
    for t in threads:
        t.join(timeout=30)
    assert "error" not in out, out.get("error")
    sequences = {
        name: RandomizationSlot.objects.get(participant=p).sequence
        for name, p in (("first", first), ("second", second))
    }
    assert sequences == {"first": 1, "second": 2}
