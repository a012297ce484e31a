#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config.embedded_pg import EmbeddedPostgresError

    try:
        execute_from_command_line(sys.argv)
    except EmbeddedPostgresError as exc:
        # One clear sentence, not a traceback (issue: set-up a newcomer can trust).
        sys.stderr.write(f"{exc}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
