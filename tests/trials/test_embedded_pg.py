"""The embedded PostgreSQL: a clear sentence when it cannot start."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_it_says_in_one_sentence_why_the_embedded_server_cannot_start(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"EDC_PGDATA": str(blocker / "pgdata"), "DEBUG": "1"})
    out = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "The embedded PostgreSQL could not start" in out.stderr
    assert "set DATABASE_URL" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
