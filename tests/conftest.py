"""Shared fixtures: a seeded demo database and named users per role (STYLE.md)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from participants.models import Participant
from tests.factories import DEMO_USERNAMES


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark the tests that commit for real ("transactional": the live server's browser tests
    and the concurrency tests). pytest-django empties the database after each of them, so
    `make test` runs them apart from the others, which share the seeded database (and run
    in parallel: an emptied worker database would fail every test after it)."""
    for item in items:
        db = item.get_closest_marker("django_db")
        if (
            "transactional_db" in item.fixturenames
            or "live_server" in item.fixturenames
            or (db is not None and db.kwargs.get("transaction"))
        ):
            item.add_marker(pytest.mark.transactional)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the demo trials once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        call_command("seed_demo", force=True, verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # The test client and live server speak plain HTTP; production redirects to HTTPS.
    settings.SECURE_SSL_REDIRECT = False


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def coordinator(db):
    """Site coordinator at site 01, both trials."""
    return _user(DEMO_USERNAMES["coordinator"])


@pytest.fixture
def other_site_coordinator(db):
    """Site coordinator at site 02."""
    return _user(DEMO_USERNAMES["other_site_coordinator"])


@pytest.fixture
def investigator(db):
    return _user(DEMO_USERNAMES["investigator"])


@pytest.fixture
def monitor(db):
    return _user(DEMO_USERNAMES["monitor"])


@pytest.fixture
def data_manager(db):
    return _user(DEMO_USERNAMES["data_manager"])


@pytest.fixture
def unblinded_pharmacist(db):
    return _user(DEMO_USERNAMES["unblinded_pharmacist"])


@pytest.fixture
def study_coordinator(db):
    return _user(DEMO_USERNAMES["study_coordinator"])


@pytest.fixture
def outsider(db):
    """A valid account with no role in any trial."""
    return get_user_model().objects.create_user("outsider", password="outsider-pass-2026!")


@pytest.fixture
def site01_participant(db):
    return (
        Participant.objects.filter(trial__code="LSER-ALS-01", site__number="01")
        .exclude(subject_number="")
        .order_by("subject_number")
        .first()
    )


@pytest.fixture
def site02_participant(db):
    return (
        Participant.objects.filter(trial__code="LSER-ALS-01", site__number="02")
        .exclude(subject_number="")
        .order_by("subject_number")
        .first()
    )


def in_own_connection(fn, *args, **kwargs):
    """Run `fn` in a thread with its own database connection, so that its writes commit
    (the test's own connection sits in a transaction rolled back after the test; it still
    sees what other connections commit, at READ COMMITTED). Returns fn's result."""
    import threading

    from django.db import connection

    result, errors = [], []

    def run():
        try:
            result.append(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    return result[0] if result else None


@pytest.fixture
def concurrent_trial(db):
    """A committed double-blind trial at a new site for tests of concurrent transactions,
    removed again after the test (the seeded trials are left alone)."""
    from tests.factories import ArmFactory, SiteFactory, TrialFactory, TrialSiteFactory

    def make():
        trial = TrialFactory(code="CONCURRENCY-01")
        site = SiteFactory(number="77")
        TrialSiteFactory(trial=trial, site=site)
        ArmFactory(trial=trial, code="A")
        ArmFactory(trial=trial, code="B")
        return trial, site

    def remove(trial, site):
        from participants.models import Allocation, EligibilityAnswer, Participant

        participants = Participant.objects.filter(trial=trial)
        Allocation.objects.filter(participant__in=participants).delete()
        EligibilityAnswer.objects.filter(participant__in=participants).delete()
        participants.delete()
        trial.trial_sites.all().delete()
        trial.arms.all().delete()
        trial.delete()
        site.delete()

    trial, site = in_own_connection(make)
    yield trial, site
    in_own_connection(remove, trial, site)


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction around a whole module, rolled back after it: a module-scoped fixture
    that depends on this writes there once, and each test's own transaction nests inside.
    (The function-scoped _plain_http above does not reach module fixtures: set here too.)"""
    from django.db import transaction
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(SECURE_SSL_REDIRECT=False),
    ):
        yield
        transaction.set_rollback(True)
