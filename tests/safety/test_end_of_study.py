"""End of study: completed or withdrawn, with the reason, and the adverse event when that
is the reason; saving it sets the participant's status (site 01 coordinator, demo data)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from participants.services import StaleEdit
from safety.models import AdverseEvent, EndOfStudy
from safety.services import end_of_study_record
from tests.factories import AdverseEventFactory, ParticipantFactory
from trials.audit import history_for

pytestmark = pytest.mark.django_db


def _url(p):
    return reverse("safety:end_of_study", args=[p.trial.code, p.pk])


def _casebook(p):
    return reverse("safety:participant_casebook", args=[p.trial.code, p.pk])


def _ae(p):
    return AdverseEvent.objects.filter(participant=p).order_by("pk").first()


def _withdrawal(p, **changes):
    return {
        "status": "WITHDRAWN",
        "end_date": (p.baseline_date + datetime.timedelta(days=30)).isoformat(),
        "withdrawal_reason": "ADVERSE EVENT",
        "adverse_event": _ae(p).pk,
        "reason_detail": "GI intolerance despite dose split",
        "last_dose_date": (p.baseline_date + datetime.timedelta(days=28)).isoformat(),
        **changes,
    }


@pytest.fixture
def entry(client, coordinator, site01_participant):
    client.force_login(coordinator)
    return client, site01_participant


def _errors(response):
    return response.context["form"].errors


def test_a_withdrawal_for_an_adverse_event_needs_the_event(entry):
    client, p = entry
    response = client.post(_url(p), _withdrawal(p, adverse_event=""))
    assert response.status_code == 200
    assert "Choose the adverse event" in _errors(response)["adverse_event"][0]
    assert not EndOfStudy.objects.filter(participant=p).exists()
    p.refresh_from_db()
    assert p.status == "on_treatment"


def test_a_withdrawal_for_the_participants_adverse_event_withdraws_them(entry):
    client, p = entry
    response = client.post(_url(p), _withdrawal(p))
    assert response.status_code == 302, _errors(response)
    record = EndOfStudy.objects.get(participant=p)
    assert record.adverse_event == _ae(p)
    p.refresh_from_db()
    assert p.status == "withdrawn"
    assert "Adverse event" in p.status_reason and _ae(p).verbatim_term in p.status_reason
    body = client.get(_casebook(p)).content.decode()
    assert (
        '<span class="badge text-bg-primary fs-6 align-middle participant-status">Withdrawn<'
        in (body)
    )
    assert 'id="end-of-study"' in body and _ae(p).verbatim_term in body
    assert history_for(record)[0]["reason"].startswith("End of study recorded: Withdrawn")


def test_a_completion_completes_the_participant_and_takes_no_reason(entry):
    client, p = entry
    data = _withdrawal(p, status="COMPLETED", adverse_event="", reason_detail="")
    response = client.post(_url(p), data)
    assert "no withdrawal reason" in _errors(response)["withdrawal_reason"][0]
    response = client.post(_url(p), {**data, "withdrawal_reason": ""})
    assert response.status_code == 302, _errors(response)
    p.refresh_from_db()
    assert (p.status, p.status_reason) == ("completed", "")


def test_an_adverse_event_of_another_participant_is_refused(entry):
    client, p = entry
    other = Participant.objects.get(trial=p.trial, subject_number="01-002")
    response = client.post(_url(p), _withdrawal(p, adverse_event=_ae(other).pk))
    assert "valid choice" in _errors(response)["adverse_event"][0]
    assert not EndOfStudy.objects.filter(participant=p).exists()


def test_the_service_refuses_another_participants_adverse_event(coordinator, site01_participant):
    p = site01_participant
    other = Participant.objects.get(trial=p.trial, subject_number="01-002")
    with pytest.raises(ValidationError) as exc:
        end_of_study_record(
            participant=p,
            values={
                "status": "WITHDRAWN",
                "end_date": p.baseline_date + datetime.timedelta(days=30),
                "withdrawal_reason": "ADVERSE EVENT",
                "adverse_event": _ae(other),
            },
            user=coordinator,
        )
    assert "this participant's adverse events" in exc.value.message_dict["adverse_event"][0]


def test_an_end_date_before_consent_is_refused(entry):
    client, p = entry
    before = (p.consent_date - datetime.timedelta(days=1)).isoformat()
    response = client.post(_url(p), _withdrawal(p, end_date=before, last_dose_date=""))
    assert "before consent" in _errors(response)["end_date"][0]
    assert not EndOfStudy.objects.filter(participant=p).exists()


def test_an_end_date_before_baseline_or_in_the_future_is_refused(entry):
    client, p = entry
    before = (p.baseline_date - datetime.timedelta(days=1)).isoformat()
    response = client.post(_url(p), _withdrawal(p, end_date=before, last_dose_date=""))
    assert "before baseline" in _errors(response)["end_date"][0]
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(_url(p), _withdrawal(p, end_date=future))
    assert "future" in _errors(response)["end_date"][0]


def test_a_last_dose_after_the_end_is_refused(entry):
    client, p = entry
    after_end = (p.baseline_date + datetime.timedelta(days=31)).isoformat()
    response = client.post(_url(p), _withdrawal(p, last_dose_date=after_end))
    assert "cannot be after the end" in _errors(response)["last_dose_date"][0]


def test_a_change_needs_a_reason(entry):
    client, p = entry
    client.post(_url(p), _withdrawal(p))
    record = EndOfStudy.objects.get(participant=p)
    change = _withdrawal(
        p, withdrawal_reason="WITHDRAWAL BY SUBJECT", adverse_event="", version=record.version
    )
    response = client.post(_url(p), change)
    assert "reason for this change" in _errors(response)["reason_for_change"][0]
    record.refresh_from_db()
    assert record.withdrawal_reason == "ADVERSE EVENT"
    response = client.post(_url(p), {**change, "reason_for_change": "Source re-read"})
    assert response.status_code == 302, _errors(response)
    record.refresh_from_db()
    assert (record.withdrawal_reason, record.adverse_event, record.version) == (
        "WITHDRAWAL BY SUBJECT",
        None,
        2,
    )
    assert history_for(record)[-1]["reason"] == "Source re-read"
    p.refresh_from_db()
    assert "Withdrawal by subject" in p.status_reason


def test_a_change_from_a_stale_page_is_refused(entry, coordinator):
    client, p = entry
    client.post(_url(p), _withdrawal(p))
    record = EndOfStudy.objects.get(participant=p)
    end_of_study_record(
        participant=p,
        values={"reason_detail": "Updated by a colleague"},
        user=coordinator,
        expected_version=record.version,
        reason="Colleague's correction",
    )
    stale = {**_withdrawal(p), "version": record.version, "reason_for_change": "Mine"}
    response = client.post(_url(p), stale)
    assert response.status_code == 200
    assert 'id="stale-edit"' in response.content.decode()
    record.refresh_from_db()
    assert record.reason_detail == "Updated by a colleague"


def test_a_second_first_save_is_stale_not_a_duplicate(coordinator, site01_participant):
    p = site01_participant
    values = {"status": "COMPLETED", "end_date": p.baseline_date + datetime.timedelta(days=60)}
    end_of_study_record(participant=p, values=values, user=coordinator)
    with pytest.raises(StaleEdit):
        end_of_study_record(participant=p, values=values, user=coordinator)
    assert EndOfStudy.objects.filter(participant=p).count() == 1


def test_the_database_requires_the_adverse_event_exactly_for_that_reason(site01_participant):
    p = site01_participant
    base = {"participant": p, "status": "WITHDRAWN", "end_date": p.baseline_date}
    with pytest.raises(IntegrityError), transaction.atomic():
        EndOfStudy.objects.create(**base, withdrawal_reason="ADVERSE EVENT")
    with pytest.raises(IntegrityError), transaction.atomic():
        EndOfStudy.objects.create(**base, withdrawal_reason="DEATH", adverse_event=_ae(p))
    EndOfStudy.objects.create(**base, withdrawal_reason="ADVERSE EVENT", adverse_event=_ae(p))


def test_a_monitor_reads_the_end_of_study_but_cannot_save_it(client, monitor, site01_participant):
    p = site01_participant
    client.force_login(monitor)
    response = client.get(_url(p))
    assert response.status_code == 200
    assert "<fieldset disabled>" in response.content.decode()
    assert client.post(_url(p), _withdrawal(p)).status_code == 403
    assert 'id="end-of-study-action"' not in client.get(_casebook(p)).content.decode()


def test_the_adverse_event_list_holds_only_the_participants_live_events(entry):
    client, p = entry
    hidden = AdverseEventFactory(participant=p, verbatim_term="Typed twice")
    hidden.entered_in_error = True
    hidden.save()
    form = client.get(_url(p)).context["form"]
    shown = set(form.fields["adverse_event"].queryset)
    assert shown == set(AdverseEvent.objects.filter(participant=p, entered_in_error=False))
    assert hidden not in shown


def test_the_casebook_offers_end_of_study_once_there_is_a_baseline(entry):
    client, p = entry
    assert 'id="end-of-study-action"' in client.get(_casebook(p)).content.decode()
    screening = Participant.objects.filter(trial=p.trial, site=p.site, baseline_date=None).first()
    assert 'id="end-of-study-action"' not in client.get(_casebook(screening)).content.decode()


# Query counts (DESIGN.md rule 7)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(p, start):
    for n in range(10):
        AdverseEventFactory(participant=p, verbatim_term=f"Event {start + n}")
        other = ParticipantFactory(trial=p.trial, site=p.site, subject_number=f"01-{start + n}")
        event = AdverseEventFactory(participant=other)
        EndOfStudy.objects.create(
            participant=other,
            status="WITHDRAWN",
            end_date=datetime.date(2026, 3, 1),
            withdrawal_reason="ADVERSE EVENT",
            adverse_event=event,
        )


@pytest.mark.parametrize("page", ["form", "casebook"])
def test_the_page_does_the_same_number_of_queries_with_more_data(entry, page):
    client, p = entry
    client.post(_url(p), _withdrawal(p))
    url = _url(p) if page == "form" else _casebook(p)
    _count(client, url)
    before = _count(client, url)
    _grow(p, 600)
    assert _count(client, url) == before


def test_the_admin_changelist_does_the_same_number_of_queries_with_more_data(
    client, study_coordinator, site01_participant
):
    client.force_login(study_coordinator)
    url = reverse("admin:safety_endofstudy_changelist")
    _grow(site01_participant, 600)
    _count(client, url)
    before = _count(client, url)
    _grow(site01_participant, 700)
    assert _count(client, url) == before
