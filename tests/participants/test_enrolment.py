"""Screening, eligibility, consent and enrolment: through the pages, and under concurrency."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from participants.choices import ParticipantStatus
from participants.models import Participant
from participants.services import participant_consent, participant_enrol, participant_screen
from tests.conftest import in_own_connection
from trials.audit import history_for
from trials.choices import AnswerType
from trials.eligibility import criterion_met, eligibility
from trials.models import EligibilityCriterion, Trial, TrialSite

TODAY = timezone.localdate()


def _screening_post(**overrides):
    data = {
        "site": "",
        "sex": "M",
        "date_of_birth": "1966-05-14",
        "screening_date": TODAY.isoformat(),
        "IN02": "yes",
        "IN03": "1.5",
        "IN04": "75",
        "IN05": "38",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _screen(client, **overrides):
    return client.post(
        reverse("participants:screening_create", args=["LSER-ALS-01"]), _screening_post(**overrides)
    )


# --- Eligibility rules (pure) --------------------------------------------------------------


def _criteria():
    return list(Trial.objects.get(code="LSER-ALS-01").criteria.all())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "answer", "met"),
    [
        ("IN01", 18, True),  # age 18-85, both ends included
        ("IN01", 17, False),
        ("IN01", 85, True),
        ("IN01", 86, False),
        ("IN02", True, True),  # probable or definite ALS
        ("IN02", False, False),
        ("IN03", Decimal("2.99"), True),  # disease duration under 3 years
        ("IN03", 3, False),
        ("IN04", 60, True),  # FVC at least 60 % predicted
        ("IN04", Decimal("59.9"), False),
        ("IN05", 26, True),  # ALSFRS-R total above 25
        ("IN05", 25, False),
        ("IN05", None, False),  # no answer never meets a criterion
    ],
)
def test_it_applies_each_als_criterion_at_its_bounds(code, answer, met):
    criterion = next(c for c in _criteria() if c.code == code)
    assert criterion_met(criterion, answer) is met


@pytest.mark.django_db
def test_it_names_every_unmet_criterion_in_the_reason():
    result = eligibility(_criteria(), {"IN01": 50, "IN02": True, "IN03": 4, "IN04": 50, "IN05": 40})
    assert not result.eligible
    assert result.reason == (
        "IN03 Disease duration since symptom onset: 4 (needs below 3 years); "
        "IN04 FVC: 50 (needs at least 60 % predicted)"
    )


# --- The screening page ----------------------------------------------------------------------


def test_a_coordinator_screens_an_eligible_person_who_then_consents_and_is_enrolled(
    client, coordinator
):
    client.force_login(coordinator)
    page = client.get(reverse("participants:screening_create", args=["LSER-ALS-01"]))
    body = page.content.decode()
    for text in ["IN02 Probable or definite ALS", "FVC (% predicted)", "ALSFRS-R total"]:
        assert text in body
    assert 'name="IN01"' not in body  # age is computed from the date of birth, never typed

    # a day short of 60: the computed age is 59
    born = TODAY.replace(year=TODAY.year - 60) + datetime.timedelta(days=1)
    response = _screen(client, date_of_birth=born.isoformat())
    participant = Participant.objects.get(trial__code="LSER-ALS-01", screening_number="S01-005")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "safety:participant_casebook", args=["LSER-ALS-01", participant.pk]
    )
    assert (participant.status, participant.eligible, participant.subject_number) == (
        ParticipantStatus.SCREENING,
        True,
        "",
    )
    age = participant.eligibility_answers.get(criterion__code="IN01")
    assert age.answer_number == 59

    # enrolment before consent is refused
    client.post(reverse("participants:enrol", args=["LSER-ALS-01", participant.pk]))
    participant.refresh_from_db()
    assert participant.subject_number == ""

    response = client.post(
        reverse("participants:consent_record", args=["LSER-ALS-01", participant.pk]),
        {"consent_date": TODAY.isoformat(), "consent_version": "2.1"},
    )
    assert response.status_code == 302
    response = client.post(reverse("participants:enrol", args=["LSER-ALS-01", participant.pk]))
    participant.refresh_from_db()
    assert (participant.subject_number, participant.status) == ("01-004", "enrolled")
    assert [row["reason"] for row in history_for(participant)] == [
        "Screened: eligible",
        "Informed consent recorded",
        "Enrolled",
    ]


def test_an_ineligible_person_becomes_a_screen_failure_with_the_reason(client, coordinator):
    client.force_login(coordinator)
    _screen(client, IN04="55", IN02="no")
    participant = Participant.objects.get(trial__code="LSER-ALS-01", screening_number="S01-005")
    assert participant.status == ParticipantStatus.SCREEN_FAILURE
    assert participant.status_reason == (
        "Not eligible: IN02 Probable or definite ALS (revised El Escorial criteria): No "
        "(needs Yes); IN04 FVC: 55 (needs at least 60 % predicted)"
    )
    unmet = set(participant.eligibility_answers.filter(met=False).values_list("criterion__code"))
    assert unmet == {("IN02",), ("IN04",)}
    casebook = client.get(
        reverse("safety:participant_casebook", args=["LSER-ALS-01", participant.pk])
    )
    assert "Screen failure" in casebook.content.decode()
    assert "IN04 FVC: 55" in casebook.content.decode()
    # a screen failure can't be consented or enrolled
    client.post(
        reverse("participants:consent_record", args=["LSER-ALS-01", participant.pk]),
        {"consent_date": TODAY.isoformat(), "consent_version": "2.1"},
    )
    client.post(reverse("participants:enrol", args=["LSER-ALS-01", participant.pk]))
    participant.refresh_from_db()
    assert (participant.consent_date, participant.subject_number) == (None, "")


def test_an_age_outside_the_range_fails_screening(client, coordinator):
    client.force_login(coordinator)
    _screen(client, date_of_birth=(TODAY - datetime.timedelta(days=365 * 17)).isoformat())
    participant = Participant.objects.get(screening_number="S01-005", trial__code="LSER-ALS-01")
    assert participant.status == ParticipantStatus.SCREEN_FAILURE
    assert participant.status_reason.startswith("Not eligible: IN01 Age: 1")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"screening_date": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "screening_date",
            "This date is in the future.",
        ),
        (
            {"date_of_birth": TODAY.isoformat()},
            "date_of_birth",
            "The date of birth must be in the past.",
        ),
        ({"IN04": "-5"}, "IN04", "Ensure this value is greater than or equal to 0."),
        ({"IN02": None}, "IN02", "This field is required."),
        ({"IN05": "many"}, "IN05", "Enter a number."),
    ],
)
def test_bad_screening_input_is_refused_beside_the_field_and_nothing_is_saved(
    client, coordinator, overrides, field, message
):
    client.force_login(coordinator)
    before = Participant.objects.count()
    response = _screen(client, **overrides)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert Participant.objects.count() == before
    assert (
        TrialSite.objects.get(trial__code="LSER-ALS-01", site__number="01").last_screening_seq == 4
    )


@pytest.mark.parametrize(
    ("consent_date", "message"),
    [
        ((TODAY + datetime.timedelta(days=1)).isoformat(), "This date is in the future."),
        ("1950-01-01", "This date is before the date of birth."),
    ],
)
def test_consent_dates_are_checked(client, coordinator, consent_date, message):
    client.force_login(coordinator)
    _screen(client)
    participant = Participant.objects.get(screening_number="S01-005", trial__code="LSER-ALS-01")
    response = client.post(
        reverse("participants:consent_record", args=["LSER-ALS-01", participant.pk]),
        {"consent_date": consent_date, "consent_version": "2.1"},
    )
    assert message in response.context["form"].errors["consent_date"]
    participant.refresh_from_db()
    assert participant.consent_date is None


def test_a_monitor_can_not_screen(client, monitor):
    client.force_login(monitor)
    assert _screen(client).status_code == 403
    assert not Participant.objects.filter(screening_number="S01-005").exists()


# --- Concurrency: two coordinators enrolling at the same moment ------------------------------


def _screened_and_consented(trial, site, user, n):
    people = []
    for i in range(n):
        p = participant_screen(
            trial=trial,
            site=site,
            sex="F",
            date_of_birth=datetime.date(1970, 1, 1 + i),
            screening_date=TODAY,
            answers={},
            user=user,
        )
        people.append(
            participant_consent(participant=p, consent_date=TODAY, consent_version="1.0", user=user)
        )
    return people


def _in_threads(targets):
    errors = []

    def run(target):
        try:
            target()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _coordinator():
    return get_user_model().objects.get(username="coordinator01")


def test_two_coordinators_enrolling_while_one_transaction_is_open_get_different_numbers(
    concurrent_trial,
):
    """The second enrolment starts while the first holds its transaction open: without the
    lock on the site's counter both would read the same last number."""
    trial, site = concurrent_trial
    coordinator = _coordinator()
    first, second = in_own_connection(_screened_and_consented, trial, site, coordinator, 2)
    first_enrolled = threading.Event()

    def slow_first():
        with transaction.atomic():
            participant_enrol(participant=first, user=coordinator)
            first_enrolled.set()
            time.sleep(0.5)  # keep the transaction (and its lock) open a while

    def second_one():
        first_enrolled.wait(timeout=10)
        participant_enrol(participant=second, user=coordinator)

    assert _in_threads([slow_first, second_one]) == []
    numbers = sorted(
        Participant.objects.filter(trial=trial).values_list("subject_number", flat=True)
    )
    assert numbers == ["77-001", "77-002"]
    assert TrialSite.objects.get(trial=trial, site=site).last_subject_seq == 2


def test_many_coordinators_enrolling_at_once_get_distinct_numbers_in_sequence(
    concurrent_trial,
):
    trial, site = concurrent_trial
    coordinator = _coordinator()
    people = in_own_connection(_screened_and_consented, trial, site, coordinator, 8)
    barrier = threading.Barrier(len(people))

    def enrol(p):
        def target():
            barrier.wait(timeout=10)
            participant_enrol(participant=p, user=coordinator)

        return target

    assert _in_threads([enrol(p) for p in people]) == []
    numbers = sorted(
        Participant.objects.filter(trial=trial).values_list("subject_number", flat=True)
    )
    assert numbers == [f"77-{n:03d}" for n in range(1, 9)]


@pytest.mark.django_db
def test_an_age_criterion_is_computed_and_a_yes_no_criterion_needs_its_answer():
    trial = Trial.objects.get(code="LSER-HSAN1-01")
    ex01 = trial.criteria.get(code="EX01")
    assert (ex01.answer_type, ex01.required_answer) == (AnswerType.YES_NO, False)
    assert criterion_met(ex01, False) and not criterion_met(ex01, True)
    with pytest.raises(Exception, match="criterion_yes_no_has_required_answer"):
        EligibilityCriterion.objects.create(
            trial=trial, kind="INCLUSION", order=9, code="IN09", text="x", answer_type="yes_no"
        )
