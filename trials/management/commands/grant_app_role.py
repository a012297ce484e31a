"""Set up the database role the application connects as (trials/history_guard.py)."""

from django.core.management.base import BaseCommand, CommandError

from trials.history_guard import AppRoleError, grant_app_role


class Command(BaseCommand):
    help = (
        "Create the application's database role if missing and grant it read and write on the "
        "working tables but only SELECT and INSERT on the audit history and the signatures. "
        "Run it as the owner of the tables after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The role the app connects as, e.g. edc_app.")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, role, database, **options):
        try:
            counts = grant_app_role(role, using=database)
        except AppRoleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{role}: read and write on {counts['working']} tables; SELECT and INSERT only on "
            f"{counts['history']} append-only tables (audit history, signatures) and "
            "pghistory_context."
        )
