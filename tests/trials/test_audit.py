"""The audit trail: every write is an event with who, why, from where, and it cannot be
changed afterwards."""

import re
from decimal import Decimal

import pghistory
import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from pghistory.models import Events

from participants.models import Participant
from tests.factories import LabResultFactory
from trials.audit import audit_reason, client_ip, history_for
from trials.models import Site

pytestmark = pytest.mark.django_db

ParticipantEvent = apps.get_model("participants", "ParticipantEvent")
LabResultEvent = apps.get_model("safety", "LabResultEvent")
SiteEvent = apps.get_model("trials", "SiteEvent")


def _events(model_event, obj, label):
    return list(model_event.objects.filter(pgh_obj_id=obj.pk, pgh_label=label).order_by("pgh_id"))


def _metadata(event) -> dict:
    return event.pgh_context.metadata if event.pgh_context_id else {}


# --- Writes from code: ORM save, bulk update, raw SQL, delete -----------------------------


def test_it_records_who_why_and_the_old_and_new_value_of_an_orm_save(
    site01_participant, coordinator
):
    participant = site01_participant
    assert participant.consent_version == "2.1"
    participant.consent_version = "3.0"
    with audit_reason("Re-consented on version 3.0", user=coordinator):
        participant.save()

    event = Events.objects.tracks(participant).order_by("pgh_created_at", "pgh_id").last()
    assert event.pgh_label == "update"
    assert event.pgh_context["user"] == coordinator.pk
    assert event.pgh_context["username"] == "coordinator01"
    assert event.pgh_context["reason"] == "Re-consented on version 3.0"
    assert event.pgh_diff["consent_version"] == ["2.1", "3.0"]

    last = history_for(participant)[-1]
    assert last["action"] == "update"
    assert last["user"] == "coordinator01"
    assert last["reason"] == "Re-consented on version 3.0"
    assert ("consent_version", "2.1", "3.0") in last["changes"]
    # only what changed: the subject number stayed, so it is not in the diff
    assert "subject_number" not in {field for field, _old, _new in last["changes"]}


def test_it_records_a_bulk_update_as_one_event_per_row_with_user_and_reason(data_manager):
    rows = Participant.objects.filter(trial__code="LSER-ALS-01", site__number="01").exclude(
        subject_number=""
    )
    pks = sorted(rows.values_list("pk", flat=True))
    assert len(pks) == 3
    with audit_reason("Consent version corrected (site error)", user=data_manager):
        updated = rows.update(consent_version="2.2")
    assert updated == 3

    events = ParticipantEvent.objects.filter(
        pgh_obj_id__in=pks, pgh_label="update", consent_version="2.2"
    )
    assert sorted(e.pgh_obj_id for e in events) == pks
    for event in events:
        assert _metadata(event)["user"] == data_manager.pk
        assert _metadata(event)["reason"] == "Consent version corrected (site error)"


def test_it_records_a_raw_sql_update_with_user_and_reason(site01_participant, data_manager):
    with (
        audit_reason("Status fixed by script", user=data_manager),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE participants_participant SET status_reason = %s WHERE id = %s",
            ["script fix", site01_participant.pk],
        )

    event = _events(ParticipantEvent, site01_participant, "update")[-1]
    assert event.status_reason == "script fix"
    assert _metadata(event) == {
        "reason": "Status fixed by script",
        "user": data_manager.pk,
        "username": "datamanager",
    }
    last = history_for(site01_participant)[-1]
    assert last["changes"] == [("status_reason", "", "script fix")]
    assert last["user"] == "datamanager"


def test_it_records_a_delete_with_the_deleted_values(data_manager):
    result = LabResultFactory(value=Decimal("0.9"))
    pk = result.pk
    with audit_reason("Entered twice", user=data_manager):
        result.delete()

    [event] = LabResultEvent.objects.filter(pgh_obj_id=pk, pgh_label="delete")
    assert event.value == Decimal("0.900")
    assert event.analyte == "CREAT"
    assert _metadata(event)["reason"] == "Entered twice"
    assert _metadata(event)["user"] == data_manager.pk
    labels = LabResultEvent.objects.filter(pgh_obj_id=pk).order_by("pgh_id")
    assert [e.pgh_label for e in labels] == ["insert", "delete"]


def test_it_records_a_write_outside_any_context_without_user_or_reason(site01_participant):
    Participant.objects.filter(pk=site01_participant.pk).update(status_reason="no context")

    event = _events(ParticipantEvent, site01_participant, "update")[-1]
    assert event.status_reason == "no context"
    assert event.pgh_context_id is None
    assert history_for(site01_participant)[-1]["user"] is None


# --- Nested contexts (a request, or seed_demo, around a service) ---------------------------


def test_it_keeps_each_reason_with_the_writes_of_its_own_block_when_blocks_nest(
    coordinator, data_manager
):
    first, second, third = (
        Participant.objects.filter(trial__code="LSER-ALS-01", site__number="01")
        .exclude(subject_number="")
        .order_by("subject_number")
    )
    # what the middleware does around every request
    with pghistory.context(user=coordinator.pk, url="/some/page/", ip="10.0.0.1"):
        Participant.objects.filter(pk=first.pk).update(status_reason="before any reason")
        with audit_reason("First reason", user=coordinator):
            Participant.objects.filter(pk=second.pk).update(status_reason="first")
        with audit_reason("Second reason", user=data_manager):
            Participant.objects.filter(pk=third.pk).update(status_reason="second")
        Participant.objects.filter(pk=first.pk).update(status_reason="after the reasons")

    before, after = _events(ParticipantEvent, first, "update")[-2:]
    in_first = _events(ParticipantEvent, second, "update")[-1]
    in_second = _events(ParticipantEvent, third, "update")[-1]
    assert _metadata(in_first) == {
        "user": coordinator.pk,
        "username": "coordinator01",
        "url": "/some/page/",
        "ip": "10.0.0.1",
        "reason": "First reason",
    }
    assert _metadata(in_second)["reason"] == "Second reason"
    assert _metadata(in_second)["user"] == data_manager.pk
    assert _metadata(in_second)["url"] == "/some/page/"
    for outside in (before, after):
        assert "reason" not in _metadata(outside)
        assert _metadata(outside)["user"] == coordinator.pk
        assert _metadata(outside)["url"] == "/some/page/"


def test_it_credits_seeded_records_to_their_own_service_call_not_the_last_one():
    """seed_demo wraps everything in one audit_reason; the services inside add their own."""
    site = Site.objects.get(number="01")
    [site_insert] = history_for(site)[:1]
    assert site_insert["action"] == "insert"
    assert site_insert["reason"] == "Demo data (seed_demo)"
    assert site_insert["user"] is None

    participant = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    screened, consented, enrolled, baseline = history_for(participant)[:4]
    assert (screened["action"], screened["reason"], screened["user"]) == (
        "insert",
        "Screened: eligible",
        "coordinator01",
    )
    assert consented["reason"] == "Informed consent recorded"
    assert enrolled["reason"] == "Enrolled"
    assert baseline["reason"] == "Baseline date set; visit schedule created"
    assert baseline["user"] == "coordinator01"


# --- The event tables are append-only -----------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE participants_participantevent SET consent_version = 'forged' WHERE pgh_obj_id = %s",
        "DELETE FROM participants_participantevent WHERE pgh_obj_id = %s",
    ],
    ids=["update", "delete"],
)
def test_it_refuses_to_change_or_remove_an_audit_event_at_the_database(
    statement, site01_participant
):
    before = list(
        ParticipantEvent.objects.filter(pgh_obj_id=site01_participant.pk)
        .order_by("pgh_id")
        .values_list("pgh_id", "consent_version")
    )
    assert before  # the seeded insert and update

    with (
        pytest.raises(DatabaseError, match="Cannot update or delete rows"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [site01_participant.pk])

    after = list(
        ParticipantEvent.objects.filter(pgh_obj_id=site01_participant.pk)
        .order_by("pgh_id")
        .values_list("pgh_id", "consent_version")
    )
    assert after == before


def test_it_refuses_an_orm_update_of_an_audit_event_too(site01_participant):
    events = ParticipantEvent.objects.filter(pgh_obj_id=site01_participant.pk)
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        events.update(consent_version="forged")
    assert not events.filter(consent_version="forged").exists()


# --- Requests: the middleware adds user, path and client address ---------------------------


@pytest.fixture
def site01():
    return Site.objects.get(number="01")


def _change_site_in_admin(client, site, principal_investigator):
    url = f"/admin/trials/site/{site.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "number": site.number,
            "name": site.name,
            "principal_investigator": principal_investigator,
            "reason_for_change": "PI changed at site initiation visit",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return url


def test_it_stores_the_user_path_and_client_address_of_a_request(client, study_coordinator, site01):
    client.force_login(study_coordinator)
    url = _change_site_in_admin(client, site01, "Dr Lena Vogel")

    site01.refresh_from_db()
    assert site01.principal_investigator == "Dr Lena Vogel"
    event = _events(SiteEvent, site01, "update")[-1]
    assert event.principal_investigator == "Dr Lena Vogel"
    assert _metadata(event) == {
        "user": study_coordinator.pk,
        "username": "studycoordinator",
        "url": url,
        "ip": "127.0.0.1",
        "reason": "PI changed at site initiation visit",
    }


def test_it_shows_an_admin_change_field_by_field_on_the_history_page(
    client, study_coordinator, site01
):
    client.force_login(study_coordinator)
    url = _change_site_in_admin(client, site01, "Dr Lena Vogel")

    response = client.get(f"/admin/trials/site/{site01.pk}/history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert _row_shows(body, "principal_investigator", "Dr Ana Reyes", "Dr Lena Vogel")
    assert re.search(r"<td[^>]*>studycoordinator</td>", body)
    assert "PI changed at site initiation visit" in body
    assert f"{url} 127.0.0.1" in body
    # the seeded insert is there too, with its reason
    assert "Demo data (seed_demo)" in body


def test_it_shows_a_participants_audit_trail_to_the_study_coordinator_without_the_arm(
    client, study_coordinator
):
    participant = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    client.force_login(study_coordinator)

    response = client.get(f"/admin/participants/participant/{participant.pk}/history/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Audit trail: 01-001" in body
    assert _row_shows(body, "subject_number", "", "01-001")
    assert "Screened: eligible" in body
    # the participant's own trail only: nothing from the allocation (blinding)
    assert "Randomized" not in body
    assert "arm_id" not in body


def test_it_hides_a_participants_audit_trail_from_a_site_coordinator(client, coordinator):
    participant = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    client.force_login(coordinator)
    response = client.get(f"/admin/participants/participant/{participant.pk}/history/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_it_trusts_x_forwarded_for_only_when_configured(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.1.2.3"
    )
    settings.AUDIT_TRUST_X_FORWARDED_FOR = False
    assert client_ip(request) == "10.1.2.3"
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    assert client_ip(request) == "203.0.113.7"


def _row_shows(body: str, field: str, old: str, new: str) -> bool:
    """A history table row with these three cells in a row: field, old value, new value."""
    cells = [rf"<td[^>]*>\s*{re.escape(text)}\s*</td>\s*" for text in (field, old, new)]
    return re.search("".join(cells), body) is not None


def test_an_admin_change_without_a_reason_is_refused_and_nothing_is_saved(
    client, study_coordinator, site01
):
    client.force_login(study_coordinator)
    url = f"/admin/trials/site/{site01.pk}/change/"
    response = client.post(
        url, {"number": site01.number, "name": site01.name, "principal_investigator": "Dr X"}
    )
    assert response.status_code == 200
    assert "Give a reason for this change." in response.content.decode()
    site01.refresh_from_db()
    assert site01.principal_investigator == "Dr Ana Reyes"


def test_each_event_is_stamped_with_the_time_of_its_own_change(site01_participant, coordinator):
    from django.db import transaction as tx

    with tx.atomic(), audit_reason("two edits in one transaction", user=coordinator):
        site01_participant.consent_version = "A"
        site01_participant.save()
        site01_participant.consent_version = "B"
        site01_participant.save()
    first, second = (
        Events.objects.tracks(site01_participant)
        .filter(pgh_label="update")
        .order_by("-pgh_id")[:2][::-1]
    )
    assert second.pgh_created_at > first.pgh_created_at
