"""The monitor's home: per assigned site, the numbers a monitoring visit starts from, each
linking to the listing filtered to it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant, Visit
from review.views.monitor import site_counts
from safety.models import AdverseEvent, RenalSignal
from tests.factories import AdverseEventFactory, ParticipantFactory, SiteFactory, TrialSiteFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db

URL = reverse("review:monitor_home", args=["LSER-ALS-01"])


def _row(html, number):
    match = re.search(rf'<tr id="site-{number}">(.*?)</tr>', html, re.S)
    assert match, f"no row for site {number}"
    return match.group(1)


def test_the_monitor_sees_one_row_per_assigned_site_and_no_other(client, monitor):
    trial = Trial.objects.get(code="LSER-ALS-01")
    site = SiteFactory(number="77")
    TrialSiteFactory(trial=trial, site=site)
    AdverseEventFactory(participant=ParticipantFactory(trial=trial, site=site))
    client.force_login(monitor)
    html = client.get(URL).content.decode()
    assert 'id="site-01"' in html and 'id="site-02"' in html
    assert 'id="site-77"' not in html


def test_the_counts_are_those_of_the_database(monitor):
    trial = Trial.objects.get(code="LSER-ALS-01")
    now = timezone.now()
    rows = {row["site"].number: row for row in site_counts(monitor, trial, now=now)}
    for number, row in rows.items():
        events = AdverseEvent.objects.filter(
            participant__trial=trial,
            participant__site__number=number,
            participant__entered_in_error=False,
            entered_in_error=False,
        )
        assert row["adverse_events"] == events.count()
        assert row["serious"] == events.filter(serious=True).count()
        assert row["sae_overdue"] == events.sae_report_overdue(now).count()
        assert (
            row["participants"]
            == Participant.objects.filter(
                trial=trial, site__number=number, entered_in_error=False
            ).count()
        )
        assert (
            row["open_signals"]
            == RenalSignal.objects.open()
            .filter(participant__trial=trial, participant__site__number=number)
            .count()
        )
    assert rows["01"]["open_signals"] >= 1  # the demo's signal at site 01


def test_an_overdue_sae_and_an_overdue_visit_are_counted_and_flagged(client, monitor):
    p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    trial = p.trial
    before = {r["site"].number: r for r in site_counts(monitor, trial)}["01"]
    aware = timezone.now() - datetime.timedelta(hours=30)
    AdverseEventFactory(
        participant=p,
        serious=True,
        sae_hospitalization=True,
        site_aware_at=aware,
        sae_report_due_at=aware + datetime.timedelta(hours=24),
    )
    today = timezone.localdate()
    Visit.objects.filter(pk=p.visits.filter(actual_date__isnull=True).first().pk).update(
        window_start=today - datetime.timedelta(days=20),
        window_end=today - datetime.timedelta(days=10),
    )
    after = {r["site"].number: r for r in site_counts(monitor, trial)}["01"]
    assert after["sae_overdue"] == before["sae_overdue"] + 1
    assert after["serious"] == before["serious"] + 1
    assert after["overdue_visits"] == before["overdue_visits"] + 1
    client.force_login(monitor)
    row = _row(client.get(URL).content.decode(), "01")
    listing = reverse("review:ae_listing", args=["LSER-ALS-01"])
    assert f'href="{listing}?site=01&amp;sae_overdue=true"' in row
    assert "text-danger" in row


def test_each_number_links_to_its_listing_filtered_to_the_site(client, monitor):
    client.force_login(monitor)
    row = _row(client.get(URL).content.decode(), "01")
    links = re.findall(r'href="([^"]+)"', row)
    assert links, row
    for link in links:
        link = link.replace("&amp;", "&")
        assert "site=01" in link
        response = client.get(link)
        assert response.status_code == 200, link


def test_the_serious_link_lists_as_many_events_as_it_counts(client, monitor):
    trial = Trial.objects.get(code="LSER-ALS-01")
    row = {r["site"].number: r for r in site_counts(monitor, trial)}["01"]
    client.force_login(monitor)
    listing = client.get(
        reverse("review:ae_listing", args=["LSER-ALS-01"]), {"site": "01", "serious": "true"}
    )
    assert listing.context["page"].paginator.count == row["serious"]


@pytest.mark.parametrize("role", ["coordinator", "investigator", "unblinded_pharmacist"])
def test_it_is_for_monitors_and_data_managers(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403


def test_a_data_manager_sees_every_site(client, data_manager):
    client.force_login(data_manager)
    html = client.get(URL).content.decode()
    assert 'id="site-01"' in html and 'id="site-02"' in html


def test_no_arm_appears(client, monitor):
    client.force_login(monitor)
    html = client.get(URL).content.decode()
    for arm in Trial.objects.get(code="LSER-ALS-01").arms.all():
        assert arm.name not in html


def test_marking_events_reviewed_takes_them_off_the_new_count(monitor):
    from review.services import adverse_event_mark_reviewed

    trial = Trial.objects.get(code="LSER-ALS-01")
    before = {r["site"].number: r for r in site_counts(monitor, trial)}["01"]
    assert before["new_since_review"] == before["adverse_events"] > 0
    events = AdverseEvent.objects.filter(
        participant__trial=trial, participant__site__number="01", entered_in_error=False
    )
    adverse_event_mark_reviewed(events={e.pk: e.version for e in events}, user=monitor)
    after = {r["site"].number: r for r in site_counts(monitor, trial)}["01"]
    assert after["new_since_review"] == 0
