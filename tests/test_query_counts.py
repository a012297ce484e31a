"""Every page does a bounded number of SQL queries, whatever the amount of data
(DESIGN.md rule 7): the count is measured, data is multiplied, and the count must not move."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meddra.models import Llt, MeddraRelease, Pt
from participants.models import EmergencyUnblinding, Participant, RandomizationSlot, VitalSigns
from tests.factories import (
    DEMO_USERNAMES,
    AdverseEventFactory,
    LabResultFactory,
    ParticipantFactory,
    VisitFactory,
)
from trials.models import Arm, Site, Trial

pytestmark = pytest.mark.django_db


def _casebook():
    p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    return reverse("safety:participant_casebook", args=[p.trial.code, p.pk])


def _p(name, *extra):
    def url():
        p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
        return reverse(f"participants:{name}", args=[p.trial.code, p.pk, *extra])

    return url


def _bl(name, *extra):
    def url():
        p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
        visit = p.visits.get(definition__code="BL")
        return reverse(f"participants:{name}", args=[p.trial.code, p.pk, visit.pk, *extra])

    return url


def _m1(name, *extra):
    def url():
        p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
        visit = p.visits.get(definition__code="M1")
        return reverse(f"participants:{name}", args=[p.trial.code, p.pk, visit.pk, *extra])

    return url


def _labs(name, *extra):
    def url():
        p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
        return reverse(f"safety:{name}", args=[p.trial.code, p.pk, *extra])

    return url


def _ae(name, *, event=True, visit=False):
    """An adverse event page of 01-001 (its first event); `visit`: with ?visit=<baseline>."""

    def url():
        p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
        extra = [p.adverse_events.order_by("pk").first().pk] if event else []
        url = reverse(f"safety:{name}", args=[p.trial.code, p.pk, *extra])
        if visit:
            url += f"?visit={p.visits.get(definition__code='M1').pk}"
        return url

    return url


def _ae_listing(query):
    return lambda: reverse("review:ae_listing", args=["LSER-ALS-01"]) + query


def _panel_edit():
    from safety.models import LabPanel

    panel = LabPanel.objects.filter(participant__subject_number="01-001", panel="RENAL").first()
    return reverse("safety:lab_panel_edit", args=["LSER-ALS-01", panel.participant_id, panel.pk])


def _signal_close():
    from safety.models import RenalSignal

    signal = RenalSignal.objects.open().get(
        participant__trial__code="LSER-ALS-01", participant__subject_number="01-001"
    )
    return reverse(
        "safety:renal_signal_close", args=["LSER-ALS-01", signal.participant_id, signal.pk]
    )


def _review(name, *, query=False, record=False):
    """A review page for 01-001: its first query (raised here if there is none yet), or
    its baseline vital signs (`record`: ?ct=&id= of the form)."""

    def url():
        from participants.models import VitalSigns
        from review.records import record_key

        p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
        query_pk = _query_of(p).pk  # a listing with no row at all would skip its page query
        if query:
            return reverse(f"review:{name}", args=[p.trial.code, p.pk, query_pk])
        if record:
            ct, pk = record_key(VitalSigns.objects.get(participant=p, entered_in_error=False))
            return reverse(f"review:{name}", args=[p.trial.code, p.pk]) + f"?ct={ct}&id={pk}"
        return reverse(f"review:{name}", args=[p.trial.code])

    return url


def _signed_casebook():
    """01-001's casebook with an investigator's signature: made first (PAGES[0]), so every
    casebook measurement sees it, before and after `_grow()` (which invalidates it)."""
    from django.contrib.auth import get_user_model

    from review.models import Signature, SignatureMeaning
    from review.signatures import casebook_records, fingerprint

    p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    Signature.objects.create(
        participant=p,
        signer=get_user_model().objects.get(username="investigator01"),
        printed_name="Demo Investigator",
        meaning=SignatureMeaning.REVIEWED_ACCURATE,
        signed_at=timezone.now(),
        fingerprint=fingerprint(casebook_records(p)),
    )
    return _casebook()


def _review_of(name, record=None, **params):
    """A review page of 01-001 (`record`: a callable giving the record for ?ct=&id=)."""

    def url():
        from review.records import record_key

        p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
        query = dict(params)
        if record is not None:
            query["ct"], query["id"] = record_key(record(p))
        if "visit" in query:
            query["visit"] = p.visits.get(definition__code="BL").pk
        url = reverse(name, args=[p.trial.code, p.pk])
        return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    return url


def _query_of(p):
    from django.contrib.auth import get_user_model

    from participants.models import VitalSigns
    from review.models import Query
    from review.services import query_raise

    query = Query.objects.filter(participant=p).order_by("pk").first()
    if query is None:
        query = query_raise(
            participant=p,
            record=VitalSigns.objects.get(participant=p, entered_in_error=False),
            field_name="weight_kg",
            text="Weight as in the source?",
            user=get_user_model().objects.get(username="monitor"),
        )
    return query


def _lock_list():
    """The lock list, with one lock released (a page of released locks to read)."""
    from django.contrib.auth import get_user_model

    from participants.models import LockLevel
    from review.services.locks import lock_apply, lock_release

    p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-003")
    dm = get_user_model().objects.get(username="datamanager")
    lock = lock_apply(trial=p.trial, level=LockLevel.PARTICIPANT, participant=p, user=dm)
    lock_release(lock=lock, reason="Reopened", user=dm)
    return reverse("review:lock_list", args=["LSER-ALS-01"])


def _lock_release():
    from django.contrib.auth import get_user_model

    from participants.models import LockLevel
    from review.services.locks import lock_apply

    p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-002")
    dm = get_user_model().objects.get(username="datamanager")
    lock = lock_apply(trial=p.trial, level=LockLevel.PARTICIPANT, participant=p, user=dm)
    return reverse("review:lock_release", args=[p.trial.code, lock.pk])


PAGES = [
    ("investigator", _signed_casebook),
    ("monitor", lambda: reverse("review:monitor_home", args=["LSER-ALS-01"])),
    ("data_manager", lambda: reverse("review:monitor_home", args=["LSER-ALS-01"])),
    ("monitor", lambda: reverse("participants:site_dashboard", args=["LSER-ALS-01"]) + "?site=01"),
    ("coordinator", lambda: reverse("participants:site_dashboard", args=["LSER-ALS-01"])),
    ("monitor", lambda: reverse("participants:site_dashboard", args=["LSER-ALS-01"])),
    ("coordinator", lambda: reverse("participants:screening_create", args=["LSER-ALS-01"])),
    ("coordinator", _p("consent_record")),
    ("coordinator", _p("baseline_set")),
    ("coordinator", _p("unscheduled_visit_add")),
    ("coordinator", _bl("visit_detail")),
    ("monitor", _bl("visit_detail")),
    ("coordinator", _bl("crf_edit", "vitals")),
    ("coordinator", _bl("crf_edit", "alsfrs_r")),
    ("coordinator", _bl("crf_edit", "fvc")),
    ("coordinator", _bl("crf_edit", "pk")),
    ("coordinator", _bl("crf_edit", "dosing")),
    ("unblinded_pharmacist", _bl("crf_edit", "dosing")),
    ("coordinator", lambda: reverse("trials:home")),
    ("coordinator", lambda: reverse("participants:trial_participants", args=["LSER-ALS-01"])),
    ("coordinator", _casebook),
    ("monitor", _casebook),
    ("coordinator", lambda: reverse("review:lab_listing", args=["LSER-ALS-01"])),
    ("monitor", lambda: reverse("review:lab_listing", args=["LSER-ALS-01"])),
    ("monitor", lambda: reverse("review:lab_listing", args=["LSER-ALS-01"]) + "?abnormal=true"),
    (
        "coordinator",
        lambda: reverse("review:lab_listing", args=["LSER-ALS-01"]) + "?abnormal=true",
    ),
    ("monitor", lambda: reverse("review:lab_listing", args=["LSER-ALS-01"]) + "?sort=-egfr"),
    ("coordinator", lambda: reverse("review:lab_listing", args=["LSER-ALS-01"]) + "?sort=site"),
    ("coordinator", _labs("lab_panel_add", "RENAL")),
    ("coordinator", _labs("lab_panel_add", "CBC")),
    ("coordinator", _panel_edit),
    ("coordinator", _signal_close),
    ("unblinded_pharmacist", _casebook),
    ("data_manager", _casebook),
    ("investigator", _casebook),
    (
        "unblinded_pharmacist",
        lambda: reverse("participants:randomization_list", args=["LSER-ALS-01"]),
    ),
    ("unblinded_pharmacist", lambda: reverse("admin:participants_randomizationslot_changelist")),
    ("study_coordinator", lambda: reverse("admin:participants_emergencyunblinding_changelist")),
    ("study_coordinator", lambda: reverse("admin:participants_participant_changelist")),
    ("study_coordinator", lambda: reverse("admin:participants_visit_changelist")),
    ("study_coordinator", lambda: reverse("admin:safety_adverseevent_changelist")),
    ("study_coordinator", lambda: reverse("admin:safety_labresult_changelist")),
    ("study_coordinator", lambda: reverse("admin:trials_membership_changelist")),
    ("study_coordinator", lambda: reverse("admin:trials_trial_changelist")),
    (
        "study_coordinator",
        lambda: reverse(
            "admin:participants_participant_history",
            args=[Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001").pk],
        ),
    ),
    ("unblinded_pharmacist", lambda: reverse("admin:participants_allocation_changelist")),
    ("coordinator", _ae("adverse_event")),
    ("monitor", _ae("adverse_event")),
    ("coordinator", _ae("adverse_event_add", event=False)),
    ("coordinator", _ae("adverse_event_edit")),
    ("coordinator", _ae("adverse_event_dose_change")),
    ("coordinator", _ae("adverse_event_dose_change", visit=True)),
    ("monitor", lambda: reverse("safety:sae_listing", args=["LSER-ALS-01"])),
    *[
        (role, _ae_listing(query))
        for role in ("monitor", "coordinator")
        for query in ("", "?site=01&min_grade=1&related=true&ongoing=true", "?sort=pt", "?new=true")
    ],
    ("coordinator", _m1("crf_edit", "ae_review")),
    ("coordinator", lambda: reverse("meddra:llt_search") + "?q=a"),
    ("study_coordinator", lambda: reverse("admin:meddra_meddrarelease_changelist")),
    ("monitor", _review("query_listing")),
    ("coordinator", _review("query_listing")),
    (
        "monitor",
        lambda: reverse("review:query_listing", args=["LSER-ALS-01"]) + "?status=open&site=01",
    ),
    ("monitor", _review("sdv_listing")),
    (
        "monitor",
        lambda: reverse("review:sdv_listing", args=["LSER-ALS-01"]) + "?status=awaiting&site=01",
    ),
    ("monitor", _review("query_detail", query=True)),
    ("coordinator", _review("query_detail", query=True)),
    ("monitor", _review("query_raise", record=True)),
    ("monitor", _bl("crf_edit", "vitals")),
    ("monitor", _ae("adverse_event")),
    ("data_manager", _lock_list),
    ("coordinator", lambda: reverse("review:lock_list", args=["LSER-ALS-01"])),
    ("data_manager", _lock_release),
    ("monitor", _review_of("review:audit_trail")),
    ("monitor", _review_of("review:audit_trail", visit=True)),
    (
        "monitor",
        _review_of(
            "review:audit_trail",
            record=lambda p: VitalSigns.objects.filter(participant=p).first(),
        ),
    ),
    (
        "coordinator",
        _review_of(
            "review:audit_trail",
            record=lambda p: p.adverse_events.order_by("pk").first(),
        ),
    ),
    ("investigator", _review_of("review:signature_sign")),
    ("investigator", _review_of("review:signature_sign", visit=True)),
    ("data_manager", _casebook),
    ("data_manager", _bl("visit_detail")),
    ("data_manager", _bl("crf_edit", "vitals")),
]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _grow():
    """More participants at site 01, and many more records for 01-001."""
    trial = Trial.objects.get(code="LSER-ALS-01")
    site = Site.objects.get(number="01")
    today = timezone.localdate()
    for n in range(25):
        p = ParticipantFactory(
            trial=trial,
            site=site,
            subject_number=f"01-{500 + n}",
            consent_date=today - datetime.timedelta(days=60),
        )
        visit = VisitFactory(
            participant=p,
            actual_date=None,
            target_date=today,
            window_start=today - datetime.timedelta(days=n + 1),
            window_end=today + datetime.timedelta(days=3) - datetime.timedelta(days=n % 7),
        )
        VitalSigns.objects.create(
            participant=p, visit=visit, report_date=today, weight_kg=70, complete=False
        )
    p = Participant.objects.get(trial=trial, subject_number="01-001")
    for n in range(15):
        VisitFactory(participant=p, target_date=datetime.date(2026, 3, 1) + datetime.timedelta(n))
        AdverseEventFactory(participant=p, verbatim_term=f"Event {n}")
        LabResultFactory(participant=p)
        p.consent_version = f"v{n}"
        p.save()  # more audit events for the history page
        EmergencyUnblinding.objects.create(
            participant=p,
            unblinded_by=p.allocation.allocated_by,
            unblinded_at=timezone.now(),
            reason=f"Emergency {n}",
        )
    _grow_review_marks(p)
    release = MeddraRelease.objects.get(active=True)
    pt = Pt.objects.filter(release=release).first()
    Llt.objects.bulk_create(
        Llt(release=release, code=98000000 + n, name=f"Abdominal term {n}", pt=pt)
        for n in range(40)
    )
    _grow_labs(p)
    _grow_review(p)
    _grow_locks_and_signatures(trial, p)
    arm = Arm.objects.filter(trial=trial).first()
    RandomizationSlot.objects.bulk_create(
        RandomizationSlot(
            trial=trial,
            site=site,
            factor_level="C/C",
            block=100 + n,
            sequence=1000 + n,
            randomization_number=f"X{n:04d}",
            arm=arm,
            participant=ParticipantFactory(trial=trial, site=site) if n % 2 else None,
            taken_at=timezone.now() if n % 2 else None,
        )
        for n in range(40)
    )


def _grow_review_marks(p):
    """The monitor's review marks on some of 01-001's events (the listing shows them)."""
    from django.contrib.auth import get_user_model

    from review.services import adverse_event_mark_reviewed

    monitor = get_user_model().objects.get(username="monitor")
    events = p.adverse_events.order_by("pk")[:10]
    adverse_event_mark_reviewed(events={e.pk: e.version for e in events}, user=monitor)


def _grow_locks_and_signatures(trial, p):
    """More locks (active and released) in the trial and signatures on 01-001."""
    from django.contrib.auth import get_user_model

    from participants.models import Lock, LockLevel
    from review.models import Signature, SignatureMeaning

    users = get_user_model().objects
    dm, investigator = users.get(username="datamanager"), users.get(username="investigator01")
    now = timezone.now()
    for n, other in enumerate(
        Participant.objects.filter(trial=trial, subject_number__startswith="01-5")
    ):
        released = n % 2 == 0
        Lock.objects.create(
            level=LockLevel.PARTICIPANT,
            trial=trial,
            participant=other,
            locked_by=dm,
            locked_at=now,
            target_label=f"Participant {other.number}",
            unlocked_by=dm if released else None,
            unlocked_at=now if released else None,
            unlock_reason="Reopened" if released else "",
        )
    for n in range(5):
        Signature.objects.create(
            participant=p,
            signer=investigator,
            printed_name="Demo Investigator",
            meaning=SignatureMeaning.REVIEWED_ACCURATE,
            signed_at=now,
            fingerprint={f"participants.visit:{n}": 1},
        )


def _grow_labs(p):
    """More lab panels for 01-001 (renal, with a later signal, and a CBC), saved as a site
    would, so the casebook, listing and signal pages see more rows of every kind."""
    from safety.models import LabPanel
    from safety.services import lab_panel_save

    user = p.allocation.allocated_by
    for n in range(6):
        day = timezone.localdate() - datetime.timedelta(days=2 + n)
        lab_panel_save(
            panel_record=LabPanel(
                participant=p, panel="RENAL", report_date=day, collection_time=datetime.time(7)
            ),
            values={"CREAT": (f"{1.2 + n / 10:.2f}", "mg/dL"), "BUN": ("15", "mg/dL")},
            user=user,
        )
        lab_panel_save(
            panel_record=LabPanel(
                participant=p, panel="CBC", report_date=day, collection_time=datetime.time(7)
            ),
            values={"HGB": ("13.1", "g/dL"), "PLAT": ("210", "10^3/uL")},
            user=user,
        )


def _grow_review(p):
    """Queries (open, answered, closed, some old) and SDV marks on 01-001's forms, and
    queries on the new participants, so the review panels and listings have rows."""
    from django.contrib.auth import get_user_model

    from participants.models import VitalSigns
    from review.models import Query
    from review.records import reviewable_models
    from review.services import query_answer, query_close, query_raise, record_verify

    users = get_user_model().objects
    monitor, site = users.get(username="monitor"), users.get(username="coordinator01")
    vitals = VitalSigns.objects.get(participant=p, entered_in_error=False)
    events = list(p.adverse_events.order_by("pk")[:3])
    for n, record in enumerate([vitals, vitals, vitals, *events] * 3):
        query = query_raise(
            participant=p, record=record, field_name="", text=f"Question {n}", user=monitor
        )
        if n % 3 == 1:
            query = query_answer(
                query=query, text="Checked", data_changed=False, user=site, expected_version=1
            )
        if n % 5 == 4:
            query_close(query=query, text="", user=monitor, expected_version=query.version)
    for other in VitalSigns.objects.filter(participant__subject_number__startswith="01-5"):
        query_raise(
            participant=other.participant,
            record=other,
            field_name="weight_kg",
            text="?",
            user=monitor,
        )
    Query.objects.filter(pk__in=Query.objects.order_by("pk").values("pk")[:10]).update(
        raised_at=timezone.now() - datetime.timedelta(days=40)
    )
    for model in reviewable_models():
        for record in model.objects.filter(participant=p, entered_in_error=False)[:3]:
            record_verify(record=record, user=monitor, expected_version=record.version)


# The named users of tests/conftest.py, by fixture name.
ROLES_MEASURED = (
    "coordinator",
    "monitor",
    "data_manager",
    "investigator",
    "unblinded_pharmacist",
    "study_coordinator",
)
USERS = {role: DEMO_USERNAMES[role] for role in ROLES_MEASURED}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Every page measured on the seeded data, then all of them again after one `_grow()`,
    inside one transaction rolled back at the end. Growing once for all pages (rather than
    once per page) keeps this module quick as pages are added. Maps the page's index to
    (url, before, after), or to the exception its measuring raised."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client, override_settings

    results = {}
    plain_http = override_settings(SECURE_SSL_REDIRECT=False)  # as conftest's _plain_http
    with django_db_blocker.unblock(), transaction.atomic(), plain_http:
        clients, urls = {}, {}
        for role, username in USERS.items():
            clients[role] = Client()
            clients[role].force_login(get_user_model().objects.get(username=username))
        for i, (role, url_for) in enumerate(PAGES):
            try:
                urls[i] = url_for()
                _count(clients[role], urls[i])  # warm caches (content types, session)
                results[i] = [urls[i], _count(clients[role], urls[i]), None]
            except Exception as exc:  # noqa: BLE001 - reported by the page's own test
                results[i] = exc
        _grow()
        for i, (role, _url_for) in enumerate(PAGES):
            if isinstance(results[i], list):
                try:
                    results[i][2] = _count(clients[role], urls[i])
                except Exception as exc:  # noqa: BLE001 - reported by the page's own test
                    results[i] = exc
        transaction.set_rollback(True)
    return results


@pytest.mark.parametrize(
    "index", range(len(PAGES)), ids=[f"{r}-{i}" for i, (r, _) in enumerate(PAGES)]
)
def test_the_page_does_the_same_number_of_queries_with_more_data(measured, index):
    result = measured[index]
    if isinstance(result, Exception):
        raise result
    url, before, after = result
    assert after == before, f"{url}: {before} queries, then {after} with more data"
    # A ceiling besides the constancy: the casebook, which gathers from four apps (visits,
    # AEs, labs, queries, locks, signatures), is the largest at 26.
    assert before <= 30, f"{url}: {before} queries"


def test_growing_the_data_adds_rows_the_pages_show(db):
    """The growth step must add data, or the equal counts above would prove nothing."""
    from safety.models import AdverseEvent, LabResult

    p = Participant.objects.get(trial__code="LSER-ALS-01", subject_number="01-001")
    before = (
        Participant.objects.filter(site__number="01").count(),
        AdverseEvent.objects.filter(participant=p).count(),
        LabResult.objects.filter(panel__participant=p).count(),
    )
    _grow()
    after = (
        Participant.objects.filter(site__number="01").count(),
        AdverseEvent.objects.filter(participant=p).count(),
        LabResult.objects.filter(panel__participant=p).count(),
    )
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
