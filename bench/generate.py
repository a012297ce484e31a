"""Generate the bench trial in the bench database (bench/README.md).

    python bench/generate.py [--sites 50] [--participants-per-site 100] [--force]

A thin entry to `manage.py generate_bench_data` (review/management/commands/) run against
the bench database (bench/_setup.py), never the demo's.
"""

import sys

from _setup import configure

if __name__ == "__main__":
    configure()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("generate_bench_data", *sys.argv[1:])
