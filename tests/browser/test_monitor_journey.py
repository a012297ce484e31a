"""Issue 5's journey in Chromium. As the monitor: open the monitor's home, filter the AE
listing to serious events, open one and raise a query on its grade. As coordinator01:
correct the grade with a reason for change and answer the query, saying the data changed.
As the monitor: close the query and see the change in the audit trail. Every page on the
way is checked for the arm (both users are blinded)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Participant
from review.models import Query
from safety.services import adverse_event_save
from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.test_site_journey import BlindingWatch

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("seeded")]

REASON = "Grade corrected against the hospital discharge letter"


def _serious_event():
    """A serious adverse event at site 01, reported by coordinator01 (the demo has none)."""
    participant = (
        Participant.objects.filter(trial__code="LSER-ALS-01", site__number="01")
        .exclude(subject_number="")
        .exclude(baseline_date=None)
        .order_by("subject_number")
        .first()
    )
    now = timezone.now()
    return adverse_event_save(
        participant=participant,
        user=get_user_model().objects.get(username="coordinator01"),
        values={
            "verbatim_term": "Diarrhoea with dehydration",
            "llt_code": 10012727,  # Diarrhea, demo MedDRA subset
            "onset_date": timezone.localdate() - datetime.timedelta(days=3),
            "ongoing": True,
            "severity": "SEVERE",
            "ctcae_grade": 2,
            "serious": True,
            "sae_hospitalization": True,
            "site_aware_at": now - datetime.timedelta(hours=2),
            "relationship": "POSSIBLE",
            "action_taken": "DOSE NOT CHANGED",
            "outcome": "NOT RECOVERED/NOT RESOLVED",
        },
    )


def _new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return context.new_page()


def _login(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("lserine-demo-2026")
    page.get_by_role("button", name="Log in").click()


def test_monitor_queries_a_serious_event_the_site_corrects_and_the_monitor_closes(
    page, browser, live_server, screenshot
):
    event = _serious_event()
    monitor_watch = BlindingWatch(page)

    # The monitor: home page, then the AE listing filtered to serious events.
    _login(page, "monitor")
    page.get_by_role("link", name="Monitor home").first.click()
    expect(page.locator("#monitor-sites")).to_be_visible()
    monitor_watch.check()
    screenshot(page, "monitor_home")
    page.locator("#monitor-listings").get_by_role("link", name="Adverse events").click()
    page.check("#id_serious")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"serious=true"))
    rows = page.locator("#ae-listing tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Diarrhoea with dehydration")
    expect(rows.first).to_have_class(re.compile("ae-serious"))
    monitor_watch.check()
    screenshot(page, "monitor_ae_listing_serious")

    # Open the event and raise a query on its CTCAE grade.
    rows.first.locator("td.subject-number a").click()
    expect(page.locator("h1")).to_contain_text("Diarrhoea with dehydration")
    page.get_by_role("link", name="Raise a query").click()
    page.select_option("#id_field_name", "ctcae_grade")
    page.fill("#id_text", "Hospitalised for dehydration: is grade 2 right? Please check.")
    page.get_by_role("button", name="Raise the query").click()
    expect(page.locator("#query-status")).to_have_text("Open")
    monitor_watch.check()
    query = Query.objects.get(object_id=event.pk)
    query_url = page.url

    # coordinator01: sees the open query on the event's page, corrects the grade with a
    # reason, then answers saying the data changed.
    site = _new_page(browser, live_server)
    site_watch = BlindingWatch(site)
    _login(site, "coordinator01")
    site.goto(f"/trials/LSER-ALS-01/participants/{event.participant_id}/adverse-events/{event.pk}/")
    expect(site.locator("#record-queries")).to_contain_text("Hospitalised for dehydration")
    site_watch.check()
    site.get_by_role("link", name="Follow-up or correction").click()
    site.check("input[name=kind][value=CORRECTION]")
    site.check("input[name=ctcae_grade][value='3']")
    site.fill("#id_reason_for_change", REASON)
    site.get_by_role("button", name=re.compile("^Save")).first.click()
    expect(site.locator("#adverse-event")).to_contain_text("3")
    aware_at = event.site_aware_at
    event.refresh_from_db()
    assert event.ctcae_grade == 3
    assert event.site_aware_at == aware_at  # the form shows minutes; seconds are kept
    site.locator("#record-queries").get_by_role("link", name="Answer").click()
    site.fill("#id_answer-text", "Checked the discharge letter: grade 3 (hospitalisation).")
    site.check("#id_answer-data_changed")
    site.get_by_role("button", name="Send the answer").click()
    expect(site.locator("#query-status")).to_have_text("Answered")
    expect(site.locator("#query-thread")).to_contain_text(REASON)
    site_watch.check()
    screenshot(site, "site_query_answered")

    # The monitor closes the query and reads the change in the audit trail.
    page.goto(query_url)
    expect(page.locator("#query-thread")).to_contain_text(REASON)
    page.fill("#id_close-text", "Thank you.")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator("#query-status")).to_have_text("Closed")
    query.refresh_from_db()
    assert query.status == "CLOSED"
    page.locator("#query-summary").get_by_role("link").first.click()
    page.locator(".audit-trail-link").first.click()
    change = page.locator("#audit-trail tr.audit-change", has_text=REASON).filter(
        has_text=re.compile("grade", re.I)
    )
    expect(change.first).to_be_visible()
    expect(change.first).to_contain_text("coordinator01")
    monitor_watch.check()
    screenshot(page, "monitor_audit_trail")
    assert monitor_watch.pages_checked == 4 and site_watch.pages_checked == 2
    assert (SCREENSHOT_DIR / "monitor_audit_trail.png").stat().st_size > 0
