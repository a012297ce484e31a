"""Audit history cannot be altered (issue 6; trials/history_guard.py; docs/part11.md).

As the application's database role (made here by `grant_app_role`, entered with SET ROLE
inside the test's transaction): UPDATE, DELETE and TRUNCATE of every event table and of
pghistory_context fail, `SET pgtrigger.ignore` does not help, and the app's own writes still
work. As the owner: the guard triggers refuse UPDATE and DELETE even with pghistory's own
trigger switched off."""

import io
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from pghistory.models import Context

from participants.models import VitalSigns
from participants.services import crf_save
from trials.audit import history_for
from trials.history_guard import (
    CONTEXT_TRIGGER,
    EVENT_TRIGGER,
    append_only_tables,
    history_tables,
)

pytestmark = pytest.mark.django_db

EVENT_TABLES = history_tables()
APPEND_ONLY_TABLES = append_only_tables()
CONTEXT_TABLE = Context._meta.db_table
PROTECTED_TABLES = [*APPEND_ONLY_TABLES, CONTEXT_TABLE]


@pytest.fixture
def app_role(db):
    """The application's role, made by the command inside the test's transaction (so it is
    gone after the test); one name per test database, as xdist workers share the server."""
    role = f"{connection.settings_dict['NAME']}_app"
    call_command("grant_app_role", role, stdout=io.StringIO())
    return role


@contextmanager
def as_role(role):
    """Run the block as `role` in a savepoint: an error rolls the role back with it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        yield cursor
        cursor.execute("RESET ROLE")


def _ignore_every_trigger_of(cursor, table):
    """What django-pgtrigger's `pgtrigger.ignore(...)` does: name the triggers to skip in a
    setting that any session may set. Here: every trigger on the table."""
    cursor.execute(
        "SELECT array_agg(tgname::text) FROM pg_trigger WHERE tgrelid = %s::regclass", [table]
    )
    [names] = cursor.fetchone()
    cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(names) + "}"])


def _fingerprint(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
            f" FROM {table} t"
        )
        return cursor.fetchone()


# --- The tables come from the models ---------------------------------------------------------


def test_the_list_holds_every_tracked_models_events_and_every_table_pghistory_protects():
    tracked = [model for model in apps.get_models() if hasattr(model, "pgh_event_models")]
    from_models = {
        event_model._meta.db_table
        for model in tracked
        for event_model in model.pgh_event_models.values()
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname LIKE 'pgtrigger_append_only_%%'"
        )
        protected_by_pghistory = {name for (name,) in cursor.fetchall()}
    assert len(tracked) >= 30
    assert from_models == protected_by_pghistory == set(EVENT_TABLES)
    # and the signatures, which their model declares never changed
    assert set(APPEND_ONLY_TABLES) == {*EVENT_TABLES, "review_signature"}


# --- As the application's role ----------------------------------------------------------------


STATEMENTS = {
    "update": "UPDATE {table} SET {pk} = {pk}",
    "delete": "DELETE FROM {table}",
    "truncate": "TRUNCATE {table}",
    "disable-triggers": "ALTER TABLE {table} DISABLE TRIGGER ALL",
    "drop-trigger": "DROP TRIGGER {trigger} ON {table}",
}


@pytest.mark.parametrize("action", STATEMENTS)
@pytest.mark.parametrize("table", PROTECTED_TABLES)
def test_the_app_role_cannot_change_the_audit_history_even_ignoring_triggers(
    app_role, table, action
):
    is_context = table == CONTEXT_TABLE
    statement = STATEMENTS[action].format(
        table=table,
        pk="pgh_id" if table in EVENT_TABLES else "id",
        trigger=CONTEXT_TRIGGER if is_context else EVENT_TRIGGER,
    )
    if is_context and action == "update":
        statement = f'UPDATE {table} SET metadata = metadata || \'{{"reason": "forged"}}\''
        expected = "Cannot update the audit context"  # the app may update its own rows only
    elif action in {"disable-triggers", "drop-trigger"}:
        expected = "must be owner"
    else:
        expected = "permission denied"
    before = _fingerprint(table)

    with pytest.raises(DatabaseError, match=expected), as_role(app_role) as cursor:
        _ignore_every_trigger_of(cursor, table)
        cursor.execute(statement)

    assert _fingerprint(table) == before


def test_the_app_role_writes_data_events_and_their_context(app_role, investigator):
    vitals = VitalSigns.objects.filter(
        visit__participant__trial__code="LSER-ALS-01", visit__participant__site__number="01"
    ).first()
    with as_role(app_role) as cursor:
        saved = crf_save(
            record=vitals,
            values={"heart_rate": vitals.heart_rate + 1},
            user=investigator,
            expected_version=vitals.version,
            reason="Pulse re-measured",
        )
        # a second change in the same transaction: a context of its own, upserted by pghistory
        crf_save(
            record=saved,
            values={"heart_rate": vitals.heart_rate + 2},
            user=investigator,
            expected_version=saved.version,
            reason="Pulse re-measured again",
        )
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role,)

    first, second = history_for(vitals)[-2:]
    assert (first["user"], first["reason"]) == ("investigator01", "Pulse re-measured")
    assert (second["user"], second["reason"]) == ("investigator01", "Pulse re-measured again")
    assert ("heart_rate", vitals.heart_rate + 1, vitals.heart_rate + 2) in second["changes"]


def test_the_app_role_serves_a_login_and_a_form_change_with_its_audit_context(client, app_role):
    vitals = VitalSigns.objects.filter(
        visit__participant__trial__code="LSER-ALS-01", visit__participant__site__number="01"
    ).first()
    visit = vitals.visit
    url = reverse(
        "participants:crf_edit",
        args=[visit.participant.trial.code, visit.participant.pk, visit.pk, "vitals"],
    )
    data = {
        field: value
        for field, value in {
            "report_date": vitals.report_date.isoformat(),
            "weight_kg": vitals.weight_kg,
            "height_cm": vitals.height_cm,
            "systolic_bp": vitals.systolic_bp,
            "diastolic_bp": vitals.diastolic_bp,
            "heart_rate": vitals.heart_rate + 1,
            "temperature_c": vitals.temperature_c,
            "version": vitals.version,
            "reason_for_change": "Source says one more",
        }.items()
        if value is not None
    }
    with as_role(app_role):
        login = client.post(
            reverse("login"), {"username": "coordinator01", "password": "lserine-demo-2026"}
        )
        assert login.status_code == 302
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]

    last = history_for(vitals)[-1]
    assert (last["user"], last["reason"], last["url"]) == (
        "coordinator01",
        "Source says one more",
        url,
    )
    assert ("heart_rate", vitals.heart_rate, vitals.heart_rate + 1) in last["changes"]


def test_the_command_is_idempotent_and_refuses_a_role_that_could_undo_it(app_role):
    out = io.StringIO()
    call_command("grant_app_role", app_role, stdout=out)
    assert f"SELECT and INSERT only on {len(APPEND_ONLY_TABLES)} append-only" in out.getvalue()
    owner = connection.settings_dict["USER"]
    with pytest.raises(CommandError, match="superuser|owns"):
        call_command("grant_app_role", owner, stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a plain role name"):
        call_command("grant_app_role", 'x"; DROP TABLE y; --', stdout=io.StringIO())


# --- As the owner: the guard triggers -----------------------------------------------------------


@pytest.mark.parametrize("table", PROTECTED_TABLES)
def test_every_history_table_has_its_guard_trigger_enabled_always(table):
    trigger = CONTEXT_TRIGGER if table == CONTEXT_TABLE else EVENT_TRIGGER
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled, pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE tgrelid = %s::regclass AND tgname = %s",
            [table, trigger],
        )
        [(enabled, definition)] = cursor.fetchall()
    assert enabled == "A"  # fires even with session_replication_role = replica
    assert "BEFORE DELETE OR UPDATE" in definition
    assert "FOR EACH ROW" in definition


@pytest.mark.parametrize(
    "table",
    [
        "participants_participantevent",
        "participants_visitevent",
        "safety_adverseeventevent",
        "safety_labresultevent",
        "trials_siteevent",
    ],
)
@pytest.mark.parametrize("action", ["update", "delete"])
def test_the_owner_cannot_change_an_event_even_ignoring_pgtrigger(table, action):
    before = _fingerprint(table)
    assert before[0] > 0  # seeded events to change
    statement = {
        "update": f"UPDATE {table} SET pgh_label = 'forged'",
        "delete": f"DELETE FROM {table}",
    }[action]
    with (
        pytest.raises(
            DatabaseError, match="Cannot update or delete rows from .* table: it is append-only"
        ),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _ignore_every_trigger_of(cursor, table)
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement)
    assert _fingerprint(table) == before


def test_without_the_guard_pghistorys_own_trigger_is_skipped_by_pgtrigger_ignore():
    """Why the guard exists: any session may set pgtrigger.ignore."""
    table = "participants_participantevent"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {EVENT_TRIGGER} ON {table}")
        _ignore_every_trigger_of(cursor, table)
        cursor.execute(f"UPDATE {table} SET pgh_label = 'forged'")
        assert cursor.rowcount > 0
        transaction.set_rollback(True)


@pytest.mark.parametrize("action", ["update", "delete"])
def test_the_owner_cannot_change_the_context_of_an_earlier_transaction(action):
    seeded = Context.objects.exclude(metadata={}).order_by("created_at").first()
    statement = {
        "update": "UPDATE pghistory_context SET metadata = '{}' WHERE id = %s",
        "delete": "DELETE FROM pghistory_context WHERE id = %s",
    }[action]
    with (
        pytest.raises(DatabaseError, match=f"Cannot {action} the audit context {seeded.id}"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _ignore_every_trigger_of(cursor, CONTEXT_TABLE)
        cursor.execute(statement, [seeded.id])
    assert Context.objects.get(id=seeded.id).metadata == seeded.metadata


def test_a_context_can_gain_metadata_within_its_own_transaction(investigator, app_role):
    """pghistory adds to a context within a request (the user, once logged in): its upsert
    updates the row it wrote in the same transaction."""
    import pghistory

    vitals = VitalSigns.objects.first()
    with as_role(app_role), pghistory.context(url="/accounts/login/"):
        VitalSigns.objects.filter(pk=vitals.pk).update(heart_rate=vitals.heart_rate + 1)
        pghistory.context(user=investigator.pk)  # what pghistory's middleware does on login
        VitalSigns.objects.filter(pk=vitals.pk).update(heart_rate=vitals.heart_rate + 2)
    first, second = history_for(vitals)[-2:]
    assert first["user"] == second["user"] == investigator.pk
