"""Logging in through the real form and reading a blinded casebook, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from participants.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("seeded")]

ALS_ARM_CODES = ["LS0.5", "LS2.5", "LS7.5", "LS15"]
ALS_ARM_NAMES = [f"L-serine {g} g BID" for g in ("0.5", "2.5", "7.5", "15")]


def test_coordinator_sees_own_site_and_a_blinded_casebook(page, login, screenshot):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot(page, "01-login")

    login("coordinator01")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="My trials")).to_be_visible()
    expect(page.get_by_role("navigation").first).to_contain_text("Carla Mendes")
    screenshot(page, "02-my-trials")

    page.get_by_role("link", name="LSER-ALS-01").click()
    expect(page).to_have_url(re.compile(r"/trials/LSER-ALS-01/$"))
    participants = page.locator("table a.subject-number")
    expect(participants).to_have_text(["01-001", "01-002", "01-003", "S01-004"])
    expect(page.get_by_role("link", name="02-001")).to_have_count(0)
    assert "02-001" not in page.content()
    screenshot(page, "03-trial-participants")

    page.get_by_role("link", name="01-001").click()
    first = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    expect(page).to_have_url(re.compile(rf"/trials/LSER-ALS-01/participants/{first.pk}/$"))
    expect(page.get_by_role("heading", name=re.compile("01-001"))).to_be_visible()
    expect(page.get_by_text("Randomized", exact=True)).to_be_visible()
    screenshot(page, "04-casebook-coordinator")

    html = page.content()
    for secret in ALS_ARM_CODES + ALS_ARM_NAMES:
        assert secret not in html, f"a blinded coordinator's casebook shows {secret!r}"
    assert not re.search(r"L-serine [\d.]+ g", html)


def test_a_wrong_password_is_refused_beside_the_form(page, login, screenshot):
    login("coordinator01", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    form = page.locator("form", has=page.get_by_role("button", name="Log in"))
    expect(form).to_contain_text("The username or password is not correct.")
    expect(page.get_by_role("heading", name="My trials")).to_have_count(0)
    screenshot(page, "01b-login-refused")


def test_log_out_returns_to_the_login_page(page, login):
    login("coordinator01")
    expect(page.get_by_role("heading", name="My trials")).to_be_visible()

    page.get_by_role("navigation").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    # The session is gone: a protected page sends the browser back to the login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_the_unblinded_pharmacist_sees_the_arm(page, login, screenshot):
    login("pharmacist")
    first = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    page.goto(f"/trials/LSER-ALS-01/participants/{first.pk}/")
    expect(page.get_by_text("Randomized", exact=True)).to_be_visible()
    arm = first.allocation.arm  # drawn from the seeded randomization list
    expect(page.get_by_text(f"Arm {arm.code}: {arm.name}")).to_be_visible()
    screenshot(page, "05-casebook-pharmacist")


def test_the_study_coordinator_reads_a_participants_audit_trail(page, login, screenshot):
    login("studycoordinator")
    page.get_by_role("link", name="Admin").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Trial configuration")).to_be_visible()
    screenshot(page, "06-admin-index")

    participant = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    page.goto(f"/admin/participants/participant/{participant.pk}/history/")
    trail = page.locator("#audit-trail")
    expect(trail).to_contain_text("insert")
    expect(trail).to_contain_text("subject_number")
    expect(trail).to_contain_text("01-001")
    screenshot(page, "07-admin-participant-history")
    html = page.content()
    for secret in ALS_ARM_CODES + ALS_ARM_NAMES:
        assert secret not in html, f"a participant's audit trail shows {secret!r}"
