"""Run the project in a fresh Python process, with an environment of the test's choosing
(settings are read once per process, so testing another environment needs a new one)."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def run_python(*args: str, env: dict, drop: tuple = ()) -> subprocess.CompletedProcess:
    """`python ARGS` in the project folder with os.environ, minus `drop`, plus `env`."""
    full_env = {k: v for k, v in os.environ.items() if k not in drop}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, *args],
        env=full_env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
