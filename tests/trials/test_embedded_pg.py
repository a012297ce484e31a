"""The embedded PostgreSQL: a clear sentence when it cannot start."""

from tests.processes import run_python


def test_it_says_in_one_sentence_why_the_embedded_server_cannot_start(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    out = run_python(
        "manage.py",
        "check",
        env={"EDC_PGDATA": str(blocker / "pgdata"), "DEBUG": "1"},
        drop=("DATABASE_URL",),
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "The embedded PostgreSQL could not start" in out.stderr
    assert "set DATABASE_URL" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
