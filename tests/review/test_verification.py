"""Source data verification: a monitor marks a form verified at the version seen; a later
change clears the mark visibly until the form is verified again."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Participant, VitalSigns
from participants.services import StaleEdit, crf_save
from review.models import SourceVerification
from review.records import record_key, record_url, reviewable_models
from review.selectors import forms_awaiting_verification
from review.services import record_verify
from safety.models import AdverseEvent
from trials.models import Membership, Trial

pytestmark = pytest.mark.django_db

CODE = "LSER-ALS-01"


@pytest.fixture
def vitals():
    p = Participant.objects.get(trial__code=CODE, subject_number="01-001")
    return VitalSigns.objects.get(participant=p, entered_in_error=False)


def _verify_url(record):
    return reverse("review:record_verify", args=[CODE, record.participant_id, *record_key(record)])


def _badge(client, record) -> str:
    page = client.get(record_url(record, CODE)).content.decode()
    start = page.rindex("<span", 0, page.index('id="sdv-status"'))
    return page[start : page.index("</span>", start)]


def test_a_monitor_marks_a_form_verified_then_a_change_clears_it_until_verified_again(
    client, monitor, coordinator, vitals
):
    client.force_login(monitor)
    assert "Not verified" in _badge(client, vitals)
    response = client.post(_verify_url(vitals), {"version": vitals.version})
    assert response.status_code == 302 and response["Location"] == record_url(vitals, CODE)
    assert "Source verified" in _badge(client, vitals) and "Mona Lind" in _badge(client, vitals)

    changed = crf_save(
        record=vitals,
        values={"heart_rate": 80},
        user=coordinator,
        expected_version=vitals.version,
        reason="Second reading from the source",
    )
    client.force_login(coordinator)
    badge = _badge(client, changed)
    assert 'data-status="cleared"' in badge and "text-bg-warning" in badge
    assert f"the form changed on {changed.updated_at:%Y-%m-%d} (version 1 → 2)" in badge

    client.force_login(monitor)
    client.post(_verify_url(changed), {"version": changed.version})
    mark = SourceVerification.objects.get()  # one per record, moved to the new version
    assert mark.verified_version == 2
    assert 'data-status="verified"' in _badge(client, changed)
    assert mark.pgh_event_model.objects.filter(pgh_obj=mark).count() == 2  # both marks kept


@pytest.mark.parametrize("role", ["coordinator", "investigator", "data_manager"])
def test_only_a_monitor_verifies(client, request, role, vitals):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.post(_verify_url(vitals), {"version": vitals.version}).status_code == 403
    assert 'id="verify-form"' not in client.get(record_url(vitals, CODE)).content.decode()
    with pytest.raises(PermissionDenied):
        record_verify(record=vitals, user=user, expected_version=vitals.version)
    assert not SourceVerification.objects.exists()


def test_a_form_changed_after_the_page_was_opened_is_not_verified(
    client, monitor, coordinator, vitals
):
    crf_save(
        record=vitals,
        values={"weight_kg": Decimal("74.5")},
        user=coordinator,
        expected_version=1,
        reason="Rounded wrongly",
    )
    client.force_login(monitor)
    response = client.post(_verify_url(vitals), {"version": 1}, follow=True)
    assert b"Not verified: the form changed after you opened it" in response.content
    with pytest.raises(StaleEdit):
        record_verify(record=vitals, user=monitor, expected_version=1)
    assert not SourceVerification.objects.exists()


def test_the_adverse_event_page_has_the_verification_panel(client, monitor):
    event = AdverseEvent.objects.filter(participant__site__number="01").first()
    client.force_login(monitor)
    page = client.get(record_url(event, CODE)).content.decode()
    assert 'id="verify-form"' in page and "Not verified" in page


def test_forms_awaiting_verification_by_site_one_query_per_form_kind(monitor, vitals):
    trial = Trial.objects.get(code=CODE)
    forms_awaiting_verification(monitor, trial)  # content types cached on first use
    with CaptureQueriesContext(connection) as queries:
        before = forms_awaiting_verification(monitor, trial)
    assert len(queries) == len(reviewable_models())
    assert set(before) == {"01", "02"}
    record_verify(record=vitals, user=monitor, expected_version=vitals.version)
    after = forms_awaiting_verification(monitor, trial)
    assert after == {**before, "01": before["01"] - 1}


def test_the_listing_filters_by_site_and_status_and_shows_only_assigned_sites(
    client, monitor, coordinator, vitals
):
    record_verify(record=vitals, user=monitor, expected_version=1)
    url = reverse("review:sdv_listing", args=[CODE])
    client.force_login(monitor)

    def rows(params):
        page = client.get(url, params)
        assert page.status_code == 200
        return page.context["rows"]

    verified = rows({"status": "verified"})
    key = record_key(vitals)
    assert [((r["row_ct"], r["row_pk"]), r["label"]) for r in verified] == [
        (key, "Vital signs · Baseline")
    ]
    awaiting = rows({"status": "awaiting", "site": "01"})
    assert key not in {(r["row_ct"], r["row_pk"]) for r in awaiting}
    assert {r["site_number"] for r in rows({"site": "02"})} == {"02"}
    crf_save(
        record=vitals,
        values={"heart_rate": 90},
        user=coordinator,
        expected_version=1,
        reason="Typo",
    )
    cleared = rows({"status": "cleared"})
    assert [r["status"] for r in cleared] == ["Cleared (version 1 → 2)"]
    assert (
        len(rows({"status": "awaiting", "site": "01"}))
        == (forms_awaiting_verification(monitor, Trial.objects.get(code=CODE))["01"])
    )
    Membership.objects.filter(user=monitor, site__number="02").delete()
    assert {r["site_number"] for r in rows({})} == {"01"}
