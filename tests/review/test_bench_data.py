"""The bench generator (generate_bench_data) at a tiny scale: the counts per participant,
the derived renal values, the monitor's scope, and refusing to run twice without --force."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from participants.models import Participant
from safety.models import AdverseEvent, LabResult, RenalSignal
from trials.models import Trial

pytestmark = pytest.mark.django_db


def _generate(*args):
    out = io.StringIO()
    call_command(
        "generate_bench_data", "--sites", "2", "--participants-per-site", "3", *args, stdout=out
    )
    return out.getvalue()


def _counts():
    trial = Trial.objects.get(code="BENCH-ALS")
    return (
        Participant.objects.filter(trial=trial).count(),
        AdverseEvent.objects.filter(participant__trial=trial).count(),
        LabResult.objects.filter(participant__trial=trial).count(),
    )


def test_it_makes_twenty_events_and_forty_lab_results_per_participant(client):
    output = _generate()
    assert "benchmonitor / " in output
    assert _counts() == (6, 6 * 20, 6 * 40)
    trial = Trial.objects.get(code="BENCH-ALS")
    creatinine = LabResult.objects.filter(participant__trial=trial, analyte="CREAT")
    assert creatinine.filter(is_baseline=True).count() == 6
    assert not creatinine.filter(egfr__isnull=True).exists()
    assert creatinine.filter(creatinine_ratio__isnull=False).count() == 6 * 18  # post-baseline
    events = AdverseEvent.objects.filter(participant__trial=trial)
    assert not events.filter(pt_code__isnull=True).exists()  # every event MedDRA-coded
    assert events.filter(ongoing=True).exists() and events.filter(ongoing=False).exists()
    monitor = get_user_model().objects.get(username="benchmonitor")
    assert list(Trial.objects.for_user(monitor)) == [trial]  # the bench trial only
    assert LabResult.objects.for_user(monitor).count() == 6 * 40
    assert RenalSignal.objects.for_user(monitor).count() == (
        RenalSignal.objects.filter(participant__trial=trial).count()
    )
    client.force_login(monitor)
    page = client.get(reverse("review:lab_listing", args=["BENCH-ALS"]))
    assert page.status_code == 200 and "240 results" in page.content.decode()


def test_it_refuses_to_run_twice_without_force_and_recreates_with_it():
    _generate()
    with pytest.raises(CommandError, match="--force"):
        _generate()
    first = Trial.objects.get(code="BENCH-ALS").pk
    output = _generate("--force")
    assert "Dropped the previous BENCH-ALS" in output
    assert Trial.objects.get(code="BENCH-ALS").pk != first
    assert _counts() == (6, 120, 240)


def test_the_load_skips_the_triggers_unless_asked_and_they_are_back_afterwards():
    from django.apps import apps

    event_model = apps.get_model("safety", "AdverseEventEvent")
    assert "Triggers off for the load" in _generate()
    trial = Trial.objects.get(code="BENCH-ALS")
    assert not event_model.objects.filter(pgh_obj__participant__trial=trial).exists()
    # SET LOCAL: the load's transaction only; a later write is audited again
    event = AdverseEvent.objects.filter(participant__trial=trial).first()
    event.verbatim_term = "Nausea after breakfast"
    event.save()
    assert event_model.objects.filter(pgh_obj=event, pgh_label="update").exists()
    assert "Triggers off" not in _generate("--force", "--with-triggers")
    trial = Trial.objects.get(code="BENCH-ALS")
    audited = event_model.objects.filter(pgh_obj__participant__trial=trial, pgh_label="insert")
    assert audited.count() == 6 * 20
