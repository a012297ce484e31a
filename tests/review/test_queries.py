"""Data clarification queries: a monitor asks about a form, the site answers (changing the
data through the form, with its reason, when it must), the monitor closes or reopens; the
thread, the status and the age are kept, and everyone sees only their sites' queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant, VitalSigns
from participants.services import crf_save
from review.choices import QueryMessageKind, QueryStatus
from review.models import Query
from review.records import record_key, record_url
from review.selectors import open_query_counts
from review.services import query_answer, query_close, query_raise, query_reopen
from review.services.queries import DATA_NOT_CHANGED
from safety.models import AdverseEvent
from trials.models import Membership, Trial

pytestmark = pytest.mark.django_db

CODE = "LSER-ALS-01"


@pytest.fixture
def p():
    return Participant.objects.get(trial__code=CODE, subject_number="01-001")


@pytest.fixture
def p02():
    return Participant.objects.get(trial__code=CODE, subject_number="02-001")


@pytest.fixture
def vitals(p):
    return VitalSigns.objects.get(participant=p, entered_in_error=False)


def _raise(record, user, *, field="weight_kg", text="Source note says 47 kg; please check."):
    return query_raise(
        participant=record.participant, record=record, field_name=field, text=text, user=user
    )


def _raise_url(record, field=""):
    ct, pk = record_key(record)
    url = reverse("review:query_raise", args=[CODE, record.participant_id])
    return f"{url}?ct={ct}&id={pk}&field={field}"


def _detail(query):
    return reverse("review:query_detail", args=[CODE, query.participant_id, query.pk])


def _change_weight(vitals, user, reason="Transcription error: source says 47.0 kg"):
    return crf_save(
        record=vitals,
        values={"weight_kg": Decimal("47.0")},
        user=user,
        expected_version=vitals.version,
        reason=reason,
    )


# Raising


def test_a_monitor_raises_a_query_on_a_field_from_the_form_page(client, monitor, vitals):
    client.force_login(monitor)
    page = client.get(_raise_url(vitals, "weight_kg"))
    assert page.status_code == 200
    assert b'<option value="weight_kg" selected>' in page.content
    response = client.post(
        _raise_url(vitals, "weight_kg"), {"field_name": "weight_kg", "text": "Weight 74 kg?"}
    )
    query = Query.objects.get(participant=vitals.participant)
    assert response.status_code == 302 and response["Location"] == _detail(query)
    assert query.status == QueryStatus.OPEN and query.field_name == "weight_kg"
    assert query.record_version == vitals.version and query.raised_by == monitor
    assert [(m.kind, m.text) for m in query.messages.all()] == [
        (QueryMessageKind.RAISED, "Weight 74 kg?")
    ]


def test_a_data_manager_raises_a_query_on_the_whole_form(data_manager, vitals):
    query = _raise(vitals, data_manager, field="")
    assert query.field_name == "" and query.form_label == "Vital signs · Baseline"


def test_a_site_coordinator_cannot_raise_a_query(client, coordinator, vitals):
    client.force_login(coordinator)
    assert client.get(_raise_url(vitals)).status_code == 403
    response = client.post(_raise_url(vitals), {"field_name": "", "text": "Why?"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        _raise(vitals, coordinator)
    assert not Query.objects.exists()


def test_raising_a_query_out_of_scope_is_not_found(client, monitor, other_site_coordinator, p02):
    record = VitalSigns.objects.filter(participant__site__number="01").first()
    client.force_login(other_site_coordinator)
    assert client.get(_raise_url(record)).status_code == 404
    # A record of another participant named in the URL of this one: not found either.
    client.force_login(monitor)
    ct, pk = record_key(record)
    url = reverse("review:query_raise", args=[CODE, p02.pk]) + f"?ct={ct}&id={pk}"
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("review:query_raise", args=[CODE, p02.pk]) + "?ct=x").status_code == 404
    )


def test_a_field_the_form_has_not_is_refused_beside_the_field(client, monitor, vitals):
    client.force_login(monitor)
    response = client.post(_raise_url(vitals), {"field_name": "arm", "text": "Which arm?"})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert b'id="error_1_id_field_name"' in response.content
    with pytest.raises(ValidationError) as refused:
        _raise(vitals, monitor, field="arm")
    assert refused.value.message_dict == {"field_name": ["This form has no such field."]}
    assert not Query.objects.exists()


def test_an_empty_question_is_refused(client, monitor, vitals):
    client.force_login(monitor)
    response = client.post(_raise_url(vitals), {"field_name": "weight_kg", "text": "  "})
    assert response.status_code == 200
    assert b"Write the question." in response.content
    assert not Query.objects.exists()


# Answering


def test_the_site_answers_after_changing_the_data_and_the_reason_is_in_the_thread(
    client, monitor, coordinator, vitals
):
    query = _raise(vitals, monitor)
    _change_weight(vitals, coordinator)
    client.force_login(coordinator)
    response = client.post(
        _detail(query),
        {
            "action": "answer",
            "answer-text": "Corrected from the source.",
            "answer-data_changed": "on",
            "answer-version": query.version,
        },
    )
    assert response.status_code == 302
    query.refresh_from_db()
    assert query.status == QueryStatus.ANSWERED
    answer = query.messages.get(kind=QueryMessageKind.ANSWERED)
    assert answer.data_changed and answer.change_from_version == 1 and answer.change_to_version == 2
    assert answer.change_reason == "Transcription error: source says 47.0 kg"
    page = client.get(_detail(query))
    assert b"Transcription error: source says 47.0 kg" in page.content
    assert "version 1 → 2".encode() in page.content


def test_the_site_answers_without_changing_the_data(client, monitor, investigator, vitals):
    query = _raise(vitals, monitor)
    client.force_login(investigator)
    client.post(
        _detail(query),
        {"action": "answer", "answer-text": "74 kg is right.", "answer-version": query.version},
    )
    query.refresh_from_db()
    answer = query.messages.get(kind=QueryMessageKind.ANSWERED)
    assert query.status == QueryStatus.ANSWERED
    assert not answer.data_changed and answer.change_reason == ""


def test_saying_the_data_changed_when_it_did_not_is_refused_beside_the_field(
    client, monitor, coordinator, vitals
):
    query = _raise(vitals, monitor)
    client.force_login(coordinator)
    response = client.post(
        _detail(query),
        {
            "action": "answer",
            "answer-text": "Fixed.",
            "answer-data_changed": "on",
            "answer-version": query.version,
        },
    )
    assert response.status_code == 200
    assert DATA_NOT_CHANGED.encode() in response.content
    assert b'id="error_1_id_answer-data_changed"' in response.content
    query.refresh_from_db()
    assert query.status == QueryStatus.OPEN and query.messages.count() == 1


def test_a_change_made_before_the_query_was_raised_does_not_count(monitor, coordinator, vitals):
    vitals = _change_weight(vitals, coordinator)
    query = _raise(vitals, monitor)
    with pytest.raises(ValidationError) as refused:
        query_answer(
            query=query, text="Fixed", data_changed=True, user=coordinator, expected_version=1
        )
    assert refused.value.message_dict == {"data_changed": [DATA_NOT_CHANGED]}


def test_a_monitor_cannot_answer_and_a_site_cannot_close(client, monitor, coordinator, vitals):
    query = _raise(vitals, monitor)
    client.force_login(monitor)
    answer = {"action": "answer", "answer-text": "x", "answer-version": 1}
    assert client.post(_detail(query), answer).status_code == 403
    client.force_login(coordinator)
    close = {"action": "close", "close-text": "", "close-version": 1}
    assert client.post(_detail(query), close).status_code == 403
    with pytest.raises(PermissionDenied):
        query_close(query=query, text="", user=coordinator, expected_version=1)
    assert Query.objects.get().status == QueryStatus.OPEN


# Closing, reopening, the thread


def test_close_and_reopen_keep_the_whole_thread_and_status(client, monitor, coordinator, vitals):
    query = _raise(vitals, monitor)
    query = query_answer(
        query=query, text="Checked", data_changed=False, user=coordinator, expected_version=1
    )
    # An answer that doesn't satisfy the monitor: reopened, back to the site.
    query = query_reopen(
        query=query, text="Please attach the scale reading.", user=monitor, expected_version=2
    )
    assert query.status == QueryStatus.OPEN
    query = query_answer(
        query=query, text="Scale 74.2", data_changed=False, user=coordinator, expected_version=3
    )
    query = query_close(query=query, text="", user=monitor, expected_version=4)
    assert query.status == QueryStatus.CLOSED and query.closed_by == monitor
    with pytest.raises(ValidationError) as refused:
        query_reopen(query=query, text=" ", user=monitor, expected_version=5)
    assert refused.value.message_dict == {"text": ["Say why the query is reopened."]}
    client.force_login(monitor)
    client.post(
        _detail(query),
        {"action": "reopen", "reopen-text": "Weight differs again.", "reopen-version": 5},
    )
    query.refresh_from_db()
    assert query.status == QueryStatus.OPEN and query.closed_by is None
    assert [m.kind for m in query.messages.all()] == [
        "RAISED",
        "ANSWERED",
        "REOPENED",
        "ANSWERED",
        "CLOSED",
        "REOPENED",
    ]
    page = client.get(_detail(query)).content.decode()
    assert page.count('class="list-group-item message-') == 6
    assert "Please attach the scale reading." in page and "Weight differs again." in page


def test_a_stale_version_is_refused_with_a_clear_message(client, monitor, coordinator, vitals):
    query = _raise(vitals, monitor)
    query_close(query=query, text="Raised in error", user=monitor, expected_version=1)
    client.force_login(coordinator)
    response = client.post(
        _detail(query), {"action": "answer", "answer-text": "Late answer", "answer-version": 1}
    )
    # The answer form is no longer offered; a POST of the old page is refused, not saved.
    assert response.status_code == 200
    assert b"this query changed after you opened it" in response.content
    assert Query.objects.get().status == QueryStatus.CLOSED
    with pytest.raises(ValidationError, match="changed after you opened it"):
        query_reopen(query=query, text="again", user=monitor, expected_version=1)


# Counts, listing, scope


def _age(query, days):
    Query.objects.filter(pk=query.pk).update(
        raised_at=timezone.now() - datetime.timedelta(days=days, hours=1)
    )


def test_open_query_counts_are_by_site_and_age_in_one_query(monitor, coordinator, vitals, p02):
    for days in (0, 3, 10, 40, 45):
        _age(_raise(vitals, monitor), days)
    answered = _raise(vitals, monitor)
    query_answer(
        query=answered, text="ok", data_changed=False, user=coordinator, expected_version=1
    )
    closed = _raise(vitals, monitor)
    query_close(query=closed, text="", user=monitor, expected_version=1)
    site02 = (
        VitalSigns.objects.filter(participant=p02).first()
        or AdverseEvent.objects.filter(participant=p02).first()
    )
    _age(_raise(site02, monitor, field=""), 8)
    trial = Trial.objects.get(code=CODE)
    with CaptureQueriesContext(connection) as queries:
        counts = open_query_counts(monitor, trial)
    # the user's sites of the trial (sites_in_scope_read, once per request), then the counts
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as queries:
        assert open_query_counts(monitor, trial) == counts
    assert len(queries) == 1
    assert counts == {
        "01": {"open": 5, "answered": 1, "lt7": 2, "7to30": 1, "gt30": 2},
        "02": {"open": 1, "answered": 0, "lt7": 0, "7to30": 1, "gt30": 0},
    }
    assert set(open_query_counts(coordinator, trial)) == {"01"}


def test_the_listing_filters_by_site_status_age_and_subject(
    client, monitor, coordinator, vitals, p02
):
    old = _raise(vitals, monitor)
    _age(old, 40)
    answered = _raise(vitals, monitor)
    query_answer(
        query=answered, text="ok", data_changed=False, user=coordinator, expected_version=1
    )
    other = _raise(AdverseEvent.objects.filter(participant=p02).first(), monitor, field="")
    client.force_login(monitor)
    url = reverse("review:query_listing", args=[CODE])

    def listed(params):
        page = client.get(url, params)
        assert page.status_code == 200
        return {q.pk for q in page.context["page"]}

    assert listed({}) == {old.pk, answered.pk, other.pk}
    assert listed({"site": "02"}) == {other.pk}
    assert listed({"status": "answered"}) == {answered.pk}
    assert listed({"status": "unresolved", "site": "01"}) == {old.pk, answered.pk}
    assert listed({"age": "gt30"}) == {old.pk}
    assert listed({"age": "lt7"}) == {other.pk}
    assert listed({"subject": "02-00"}) == {other.pk}
    assert listed({"status": "bogus"}) == {old.pk, answered.pk, other.pk}  # ignored, no 500


def test_coordinator02_cannot_see_site_01_queries(client, monitor, other_site_coordinator, vitals):
    query = _raise(vitals, monitor)
    client.force_login(other_site_coordinator)
    assert client.get(_detail(query)).status_code == 404
    page = client.get(reverse("review:query_listing", args=[CODE]))
    assert list(page.context["page"]) == []


def test_a_monitor_sees_only_the_queries_of_assigned_sites(client, monitor, data_manager, p02):
    query = _raise(AdverseEvent.objects.filter(participant=p02).first(), data_manager, field="")
    Membership.objects.filter(user=monitor, site__number="02").delete()
    client.force_login(monitor)
    assert client.get(_detail(query)).status_code == 404
    assert list(client.get(reverse("review:query_listing", args=[CODE])).context["page"]) == []
    assert open_query_counts(monitor, Trial.objects.get(code=CODE)) == {}


# Where the site sees its queries


def test_the_crf_page_shows_its_open_queries_and_the_field_queried(
    client, monitor, coordinator, vitals
):
    query = _raise(vitals, monitor)
    client.force_login(coordinator)
    page = client.get(record_url(vitals, CODE)).content.decode()
    assert 'id="review-panel"' in page and 'data-queried-fields="weight_kg"' in page
    assert "Source note says 47 kg" in page and _detail(query) + "#answer" in page
    assert 'id="raise-query"' not in page  # the site doesn't raise queries
    client.force_login(monitor)
    page = client.get(record_url(vitals, CODE)).content.decode()
    assert 'id="raise-query"' in page and ">Answer</a>" not in page


def test_the_adverse_event_page_shows_its_queries(client, monitor, coordinator, p):
    event = AdverseEvent.objects.filter(participant=p).first()
    _raise(event, monitor, field="ctcae_grade", text="Grade 2 per the notes?")
    client.force_login(coordinator)
    page = client.get(record_url(event, CODE)).content.decode()
    assert "Grade 2 per the notes?" in page and "CTCAE grade" in page


def test_the_casebook_and_dashboard_show_open_queries(client, monitor, coordinator, vitals):
    query = _raise(vitals, monitor)
    _age(query, 12)
    client.force_login(coordinator)
    casebook = client.get(
        reverse("safety:participant_casebook", args=[CODE, vitals.participant_id])
    )
    assert 'id="casebook-queries"' in casebook.content.decode()
    assert _detail(query) in casebook.content.decode()
    dashboard = client.get(reverse("participants:site_dashboard", args=[CODE])).content.decode()
    listing = reverse("review:query_listing", args=[CODE])
    assert f'href="{listing}?site=01&amp;status=open&amp;age=7to30">1</a>' in dashboard
    assert f'href="{listing}?site=01&amp;status=open&amp;age=gt30">0</a>' in dashboard
