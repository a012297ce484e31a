"""The embedded PostgreSQL server used when DATABASE_URL is not set.

The `pgserver` package ships PostgreSQL binaries; the data lives in var/pgdata (or
EDC_PGDATA) and the server keeps running between commands, so `make run` twice keeps the
data entered before. It listens on a Unix socket only.
"""

import warnings
from pathlib import Path

# pgserver keeps its lock file under the user's runtime folder; without XDG_RUNTIME_DIR
# (servers, containers) platformdirs falls back to /tmp and warns on every command.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


class EmbeddedPostgresError(Exception):
    """The embedded server could not be started; the message says why and what to do."""


def start(pgdata: Path) -> dict:
    """Start (or reuse) the embedded server in `pgdata`; return Django's connection keys."""
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbeddedPostgresError(
            "The embedded PostgreSQL is not installed (pip package 'pgserver'): run "
            "'make run', or set DATABASE_URL to a PostgreSQL server."
        ) from exc
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(pgdata, cleanup_mode=None)
        socket_dir = server.get_postmaster_info().socket_dir
    except Exception as exc:  # noqa: BLE001 - any failure gets the same plain sentence
        raise EmbeddedPostgresError(
            f"The embedded PostgreSQL could not start in {pgdata} ({type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no detail'}); "
            "set DATABASE_URL to a PostgreSQL server (postgres://user@host:5432/name), "
            "or EDC_PGDATA to a writable folder."
        ) from exc
    port = server.get_postmaster_info().port
    return {"HOST": str(socket_dir), "PORT": str(port or ""), "USER": "postgres", "PASSWORD": ""}


def ensure_database(name: str, connection: dict) -> None:
    """Create the application database on the embedded server if it is missing."""
    import psycopg

    conninfo = (
        f"host={connection['HOST']} port={connection['PORT'] or 5432} "
        f"user={connection['USER']} dbname=postgres"
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
