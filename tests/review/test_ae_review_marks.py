"""Monitors mark adverse events reviewed, at the version they were shown."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from review.models import AdverseEventReviewMark
from review.services import adverse_event_mark_reviewed
from safety.choices import CourseEntryKind
from safety.models import AdverseEvent
from safety.services import adverse_event_save
from tests.factories import AdverseEventFactory, ParticipantFactory, SiteFactory, TrialSiteFactory
from trials.audit import history_for
from trials.models import Membership, Trial

pytestmark = pytest.mark.django_db

URL = reverse("review:ae_listing", args=["LSER-ALS-01"])
MARK = reverse("review:ae_mark_reviewed", args=["LSER-ALS-01"])


@pytest.fixture
def event(site01_participant):
    return AdverseEventFactory(
        participant=site01_participant,
        verbatim_term="ZZ tremor",
        onset_date=datetime.date(2026, 2, 1),
    )


@pytest.fixture
def other_event(site02_participant):
    return AdverseEventFactory(participant=site02_participant, verbatim_term="ZZ rash")


def _row(client, event, query=""):
    rows = client.get(URL + query).context["rows"]
    return next((row for row in rows if row.event.pk == event.pk), None)


def _new_terms(client):
    return [row.event.verbatim_term for row in client.get(URL + "?new=true").context["rows"]]


def test_a_monitor_marks_one_row_reviewed_and_it_leaves_the_new_filter(client, monitor, event):
    client.force_login(monitor)
    assert _row(client, event).review_status == "new"
    assert "ZZ tremor" in _new_terms(client)
    response = client.post(MARK, {"event": f"{event.pk}:{event.version}", "query": "new=true"})
    assert response.status_code == 302 and response["Location"] == URL + "?new=true"
    mark = AdverseEventReviewMark.objects.get(adverse_event=event, reviewer=monitor)
    assert mark.reviewed_version == event.version
    row = _row(client, event)
    assert row.review_status == "reviewed"
    assert f"reviewed {mark.reviewed_at:%Y-%m-%d}" in client.get(URL).content.decode()
    assert "ZZ tremor" not in _new_terms(client)


def test_an_event_changed_after_review_reappears_as_changed(
    client, monitor, coordinator, site01_participant
):
    event = adverse_event_save(
        participant=site01_participant,
        user=coordinator,
        values={
            "verbatim_term": "ZZ cramps",
            "onset_date": timezone.localdate() - datetime.timedelta(days=10),
            "ongoing": True,
            "severity": "MILD",
            "ctcae_grade": 1,
        },
    )
    adverse_event_mark_reviewed(events={event.pk: event.version}, user=monitor)
    client.force_login(monitor)
    assert "ZZ cramps" not in _new_terms(client)
    adverse_event_save(
        participant=site01_participant,
        user=coordinator,
        event=event,
        expected_version=event.version,
        values={"severity": "MODERATE", "ctcae_grade": 2},
        reason="Worse at follow-up",
        kind=CourseEntryKind.FOLLOW_UP,
        as_of=timezone.localdate() - datetime.timedelta(days=5),
    )
    assert "ZZ cramps" in _new_terms(client)
    assert _row(client, event).review_status == "changed"
    assert "changed since your review" in client.get(URL + "?new=true").content.decode()


def test_marking_the_page_marks_the_versions_shown_not_later_ones(
    client, monitor, event, other_event
):
    client.force_login(monitor)
    page = client.get(URL).content.decode()
    assert f'name="event" value="{event.pk}:1"' in page
    # the coordinator saves the event again after the monitor's page was drawn
    AdverseEvent.objects.filter(pk=event.pk).update(version=2)
    shown = [f"{event.pk}:1", f"{other_event.pk}:1"]
    response = client.post(MARK, {"event": shown, "query": ""})
    assert response.status_code == 302 and response["Location"] == URL
    marks = dict(
        AdverseEventReviewMark.objects.filter(reviewer=monitor).values_list(
            "adverse_event_id", "reviewed_version"
        )
    )
    assert marks == {event.pk: 1, other_event.pk: 1}
    assert _row(client, event).review_status == "changed"
    assert _row(client, other_event).review_status == "reviewed"
    assert "ZZ tremor" in _new_terms(client) and "ZZ rash" not in _new_terms(client)


def test_the_page_form_posts_every_row_shown(client, monitor, event):
    client.force_login(monitor)
    response = client.get(URL)
    body = response.content.decode()
    form = body.split('id="ae-mark-page"')[1].split("</form>")[0]
    for row in response.context["rows"]:
        assert f'value="{row.event.pk}:{row.event.version}"' in form


def test_a_mark_never_moves_back_and_is_audited(monitor, event):
    AdverseEvent.objects.filter(pk=event.pk).update(version=3)
    adverse_event_mark_reviewed(events={event.pk: 3}, user=monitor)
    adverse_event_mark_reviewed(events={event.pk: 2}, user=monitor)  # a stale tab
    mark = AdverseEventReviewMark.objects.get(adverse_event=event, reviewer=monitor)
    assert mark.reviewed_version == 3
    assert history_for(mark)  # pghistory recorded the insert


def test_a_version_the_event_never_had_is_refused(monitor, event):
    with pytest.raises(ValidationError):
        adverse_event_mark_reviewed(events={event.pk: 7}, user=monitor)
    assert not AdverseEventReviewMark.objects.exists()


@pytest.mark.parametrize(
    "role", ["coordinator", "investigator", "data_manager", "unblinded_pharmacist"]
)
def test_only_monitors_mark_reviewed(client, request, role, event):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.post(MARK, {"event": f"{event.pk}:1"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        adverse_event_mark_reviewed(events={event.pk: 1}, user=user)
    assert not AdverseEventReviewMark.objects.exists()
    assert b"Mark this page reviewed" not in client.get(URL).content


def test_a_monitor_cannot_mark_an_event_outside_the_sites_assigned(client, monitor, other_event):
    Membership.objects.filter(user=monitor, site__number="02").delete()
    client.force_login(monitor)
    assert client.post(MARK, {"event": f"{other_event.pk}:1"}).status_code == 404
    with pytest.raises(AdverseEvent.DoesNotExist):
        adverse_event_mark_reviewed(events={other_event.pk: 1}, user=monitor)
    assert not AdverseEventReviewMark.objects.exists()


def test_an_event_of_another_trial_is_not_found_through_this_trial(client, monitor):
    trial = Trial.objects.exclude(code="LSER-ALS-01").first()
    site = SiteFactory(number="94")
    TrialSiteFactory(trial=trial, site=site)
    Membership.objects.create(user=monitor, trial=trial, site=site, role="monitor")
    elsewhere = AdverseEventFactory(participant=ParticipantFactory(trial=trial, site=site))
    client.force_login(monitor)
    assert client.post(MARK, {"event": f"{elsewhere.pk}:1"}).status_code == 404
    assert not AdverseEventReviewMark.objects.exists()


def test_a_garbled_post_gets_a_message_not_a_500(client, monitor, event):
    client.force_login(monitor)
    response = client.post(MARK, {"event": "abc"}, follow=True)
    assert response.status_code == 200
    assert b"reload it" in response.content
    response = client.post(MARK, {}, follow=True)
    assert b"Choose at least one adverse event" in response.content
    assert not AdverseEventReviewMark.objects.exists()


def test_marking_is_post_only(client, monitor):
    client.force_login(monitor)
    assert client.get(MARK).status_code == 405
