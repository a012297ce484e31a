"""The database backstop of locks: a trigger on every clinical table refuses INSERT, UPDATE
and DELETE of a row an active lock covers, whatever issued it (a service that forgot to
ask, a bulk `.update()`, raw SQL, a shell session).

One PL/pgSQL function reads the row generically (`to_jsonb`) and finds its trial,
participant, visit and form from its columns; each table's trigger passes how:
  participant  the participants_participant row itself (id, trial_id)
  visit        a participants_visit row (id is the visit, participant_id)
  record       a form (participant_id, visit_id if any; the form is its own content type
               and id)
  child        a row of a form (a lab result of its panel, a course entry of its adverse
               event): the form is the parent's content type and id, and the participant
               and visit come from the parent when the row has none.
The services refuse first with a readable message (participants/locks.py); this trigger is
what makes "locked data is read-only for everyone" hold without trusting them.

Used by the migrations (participants 0003, safety 0002): keep the SQL it emits stable.
"""

TRIGGER_NAME = "edc_lock_guard"

FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION edc_lock_covering(
    rec jsonb, kind text, p_app text, p_model text, parent_table text, parent_col text
) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    p_id bigint;
    v_id bigint;
    t_id bigint;
    obj_id bigint;
    ct_id integer;
    lk record;
BEGIN
    IF kind = 'participant' THEN
        p_id := (rec->>'id')::bigint;
        t_id := (rec->>'trial_id')::bigint;
    ELSIF kind = 'visit' THEN
        p_id := (rec->>'participant_id')::bigint;
        v_id := (rec->>'id')::bigint;
    ELSE
        p_id := (rec->>'participant_id')::bigint;
        v_id := (rec->>'visit_id')::bigint;
        IF kind = 'child' THEN
            obj_id := (rec->>parent_col)::bigint;
            IF p_id IS NULL THEN
                EXECUTE format('SELECT participant_id, visit_id FROM %I WHERE id = $1',
                               parent_table)
                    INTO p_id, v_id USING obj_id;
            END IF;
        ELSE
            obj_id := (rec->>'id')::bigint;
        END IF;
        SELECT id INTO ct_id FROM django_content_type
            WHERE app_label = p_app AND model = p_model;
    END IF;
    IF t_id IS NULL THEN
        SELECT trial_id INTO t_id FROM participants_participant WHERE id = p_id;
    END IF;
    SELECT l.level, l.locked_at, l.reason INTO lk FROM participants_lock l
        WHERE l.unlocked_at IS NULL AND l.trial_id = t_id AND (
            l.level = 'TRIAL'
            OR (l.level = 'PARTICIPANT' AND l.participant_id = p_id)
            OR (l.level = 'VISIT' AND l.visit_id = v_id)
            OR (l.level = 'FORM' AND l.content_type_id = ct_id AND l.object_id = obj_id)
        )
        ORDER BY l.locked_at LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN format('%s lock of %s', initcap(lk.level),
                  to_char(lk.locked_at, 'YYYY-MM-DD HH24:MI TZ'));
END
$$;

CREATE OR REPLACE FUNCTION edc_refuse_locked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    msg text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        msg := edc_lock_covering(to_jsonb(OLD), TG_ARGV[0], TG_ARGV[1], TG_ARGV[2],
                                 TG_ARGV[3], TG_ARGV[4]);
    END IF;
    IF msg IS NULL AND TG_OP IN ('INSERT', 'UPDATE') THEN
        msg := edc_lock_covering(to_jsonb(NEW), TG_ARGV[0], TG_ARGV[1], TG_ARGV[2],
                                 TG_ARGV[3], TG_ARGV[4]);
    END IF;
    IF msg IS NOT NULL THEN
        RAISE EXCEPTION 'Locked data can''t be changed: % on % refused (%).',
            TG_OP, TG_TABLE_NAME, msg
            USING ERRCODE = 'P0001', HINT = 'Ask a data manager to unlock it, with a reason.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
"""

DROP_FUNCTIONS_SQL = """
DROP FUNCTION IF EXISTS edc_refuse_locked();
DROP FUNCTION IF EXISTS edc_lock_covering(jsonb, text, text, text, text, text);
"""


def guard_sql(
    table: str,
    kind: str,
    app: str = "",
    model: str = "",
    parent_table: str = "",
    parent_col: str = "",
) -> tuple[str, str]:
    """(create, drop) SQL of the lock trigger on one table."""
    args = ", ".join(f"'{value}'" for value in (kind, app, model, parent_table, parent_col))
    create = (
        f"CREATE TRIGGER {TRIGGER_NAME} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION edc_refuse_locked({args});"
    )
    drop = f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {table};"
    return create, drop


def form_guard_sql(app: str, model: str) -> tuple[str, str]:
    """The trigger of a form's table (a CRF, an adverse event, a lab panel...)."""
    return guard_sql(f"{app}_{model}", "record", app, model)
