"""Audit history cannot be altered, not even by the application's own database user
(21 CFR 11.10(e); docs/part11.md).

The append-only tables are derived from the models: every pghistory event model, whatever
app it is in, and every model that declares its rows are never changed (a pgtrigger Protect
of UPDATE and DELETE: the investigators' signatures). A newly tracked model is covered
without code of its own. Three layers:

1. Privileges. The application connects as a role that owns no table
   (`python manage.py grant_app_role <role>`, after every `migrate`). On the append-only
   tables it may SELECT and INSERT only; PostgreSQL itself refuses its UPDATE, DELETE and
   TRUNCATE, and only an owner may disable or drop a trigger.
2. A trigger on every append-only table that refuses UPDATE and DELETE for everyone, the
   owner included. pghistory's own Protect trigger ("append_only", from django-pgtrigger)
   is skipped by any session that runs `SET pgtrigger.ignore = '{...}'`; this one has no
   such switch, and it is enabled ALWAYS, so `session_replication_role = replica` does not
   skip it either.
3. pghistory_context, the who / why / from where of the events: pghistory's event triggers
   upsert its row (`_pgh_attach_context`: INSERT ... ON CONFLICT (id) DO UPDATE SET metadata,
   updated_at), so the application needs UPDATE on those two columns. A trigger allows that
   update only for a row written by the current transaction (pghistory stamps created_at
   with now(), the start of the transaction), and refuses every DELETE.

TRUNCATE is left to the privileges (layer 1): a row trigger does not see it, and Django's
test runner empties the tables of its own test database with it.

Installed after every `migrate` (post_migrate, trials/apps.py).
"""

import re

import pgtrigger
from django.apps import apps
from django.db import connections, transaction
from pghistory.models import Context, Event

EVENT_TRIGGER = "edc_history_append_only"
CONTEXT_TRIGGER = "edc_history_context_guard"

FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION edc_history_refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'Cannot update or delete rows from % table: it is append-only', TG_TABLE_NAME;
END
$$;

CREATE OR REPLACE FUNCTION edc_history_context_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'Cannot delete the audit context %: audit history is append-only',
            OLD.id;
    END IF;
    IF OLD.created_at = pg_catalog.now() AND NEW.id = OLD.id
            AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Cannot update the audit context % of an earlier transaction: audit '
        'history is append-only', OLD.id;
END
$$;
"""

MIGRATIONS_TABLE = "django_migrations"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class AppRoleError(Exception):
    """The application role cannot be set up as asked; the message says why."""


def history_tables() -> list[str]:
    """The table of every pghistory event model: the audit trail."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, Event) and model._meta.managed and not model._meta.proxy
    )


def _never_changed(model) -> bool:
    """A model that declares its rows are never changed nor deleted (a pgtrigger Protect of
    UPDATE and DELETE without a condition), such as an investigator's signature."""
    return any(
        isinstance(trigger, pgtrigger.Protect)
        and trigger.condition is None
        and {"UPDATE", "DELETE"} <= set(str(trigger.operation).split(" OR "))
        for trigger in getattr(model._meta, "triggers", ())
    )


def append_only_tables() -> list[str]:
    """The event tables and the tables of the models whose rows are never changed."""
    never_changed = {
        model._meta.db_table
        for model in apps.get_models()
        if _never_changed(model) and not issubclass(model, Event)
    }
    return sorted({*history_tables(), *never_changed})


def _existing_tables(cursor, connection) -> set[str]:
    return set(connection.introspection.table_names(cursor))


def install_triggers(*, using: str = "default") -> None:
    """Create the guard triggers where they are missing and enable them ALWAYS (idempotent)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        existing = _existing_tables(cursor, connection)
        guarded = {table: EVENT_TRIGGER for table in append_only_tables() if table in existing}
        if Context._meta.db_table in existing:
            guarded[Context._meta.db_table] = CONTEXT_TRIGGER
        if not guarded:
            return
        cursor.execute(FUNCTIONS_SQL)
        cursor.execute(
            "SELECT c.relname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname IN (%s, %s) AND c.relnamespace = current_schema()::regnamespace",
            [EVENT_TRIGGER, CONTEXT_TRIGGER],
        )
        enabled = dict(cursor.fetchall())
        for table, trigger in sorted(guarded.items()):
            if table not in enabled:
                function = "edc_history_refuse_change" if trigger == EVENT_TRIGGER else trigger
                cursor.execute(
                    f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {quote(table)}"
                    f" FOR EACH ROW EXECUTE FUNCTION {function}()"
                )
            if enabled.get(table) != "A":
                cursor.execute(f"ALTER TABLE {quote(table)} ENABLE ALWAYS TRIGGER {trigger}")


def install_triggers_after_migrate(sender, using, **kwargs) -> None:
    install_triggers(using=using)


def grant_app_role(role: str, *, using: str = "default") -> dict:
    """Create the application's database role if missing and grant it what the app needs:
    read and write on the working tables, SELECT and INSERT only on the append-only tables, and on
    pghistory_context the column UPDATE pghistory's upsert needs. Idempotent; run it after
    every `migrate`, as the owner of the tables. Refuses a role that could undo it: a
    superuser, a role that may create roles, or a member of a table owner's role.
    Returns how many tables of each kind it granted."""
    if not ROLE_NAME.match(role):
        raise AppRoleError(f"{role!r} is not a plain role name (lower-case letters, digits and _).")
    connection = connections[using]
    quote = connection.ops.quote_name
    append_only = set(append_only_tables())
    context = Context._meta.db_table
    with transaction.atomic(using=using), connection.cursor() as cursor:
        existing = _existing_tables(cursor, connection)
        cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(f"CREATE ROLE {quote(role)} LOGIN")
        elif row[0]:
            raise AppRoleError(
                f"{role} is a superuser or may create roles: it could lift the protection of "
                "the audit history. Use a role without SUPERUSER and CREATEROLE."
            )
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r'"
            " AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)"
            " AND pg_has_role(%s, c.relowner, 'MEMBER') ORDER BY 1",
            [sorted(existing), role],
        )
        owned = [name for (name,) in cursor.fetchall()]
        if owned:
            raise AppRoleError(
                f"{role} owns (or is a member of the owner of) {', '.join(owned[:3])}"
                f"{' and others' if len(owned) > 3 else ''}: the owner can disable the "
                "triggers that protect the audit history. Connect the app as another role."
            )
        cursor.execute("SELECT current_schema()")
        cursor.execute(f"GRANT USAGE ON SCHEMA {quote(cursor.fetchone()[0])} TO {quote(role)}")
        history = sorted(append_only & existing)
        working = sorted(existing - append_only - {context, MIGRATIONS_TABLE})
        for table in working:
            cursor.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quote(table)} TO {quote(role)}"
            )
        # Read by `runserver` and `check` for unapplied migrations; written by `migrate` only.
        if MIGRATIONS_TABLE in existing:
            cursor.execute(f"GRANT SELECT ON {quote(MIGRATIONS_TABLE)} TO {quote(role)}")
        for table in history:
            cursor.execute(f"REVOKE ALL ON {quote(table)} FROM {quote(role)}")
            cursor.execute(f"GRANT SELECT, INSERT ON {quote(table)} TO {quote(role)}")
        if context in existing:
            cursor.execute(f"REVOKE ALL ON {quote(context)} FROM {quote(role)}")
            cursor.execute(f"GRANT SELECT, INSERT ON {quote(context)} TO {quote(role)}")
            cursor.execute(
                f"GRANT UPDATE (metadata, updated_at) ON {quote(context)} TO {quote(role)}"
            )
    return {"working": len(working), "history": len(history)}
