"""Point Django at the bench database before it starts: never the demo's.

The embedded PostgreSQL (config/settings.py) serves one database per name: the bench uses
EDC_DB_NAME=edc_bench (override with EDC_BENCH_DB_NAME). With BENCH_DATABASE_URL set, that
server is used instead; a DATABASE_URL in the environment is ignored, so a bench run can't
write its 300,000 rows into the database the app uses.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.pop("DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ["EDC_DB_NAME"] = os.environ.get("EDC_BENCH_DB_NAME", "edc_bench")
    # Production settings (DEBUG off), plain HTTP for the in-process client.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-7d1e")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    # The in-process client's host. Not django.test's setup_test_environment: it wraps every
    # template render in a signal, which would count test overhead as server time.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
