"""Every form of the app, posted random and hostile input (hypothesis), never answers 500.

The form views are read from the URLconf (every view that reads POST data; one without a
form on any page fails test_every_form_view_is_fuzzed); their forms from the pages the
app shows, as a browser sees them, by the roles that post them; also the admin's add and
change pages (study coordinator) and the listings' filters (GET). Each example changes a
few fields of the form as the page filled it (hostile text, huge, NUL, out-of-range and
malformed numbers and dates, missing or repeated fields) and is posted in a savepoint
rolled back after it, so examples do not affect each other. Derandomized: CI runs the same
examples every time. A refused form must say why on the page (a 200 answer to a POST).
"""

import inspect
import math

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants.form_states import forms_due
from participants.forms.base import ReportsHiddenErrors
from participants.models import CRF_MODELS, LockLevel, Participant, VitalSigns
from participants.services import participant_consent, participant_enrol
from review.records import record_key
from review.services import query_raise
from review.services.locks import lock_apply
from safety.choices import Panel
from safety.models import AdverseEvent, LabPanel, RenalSignal
from tests.factories import DEMO_USERNAMES, screened_participant
from tests.html_forms import forms_on
from trials.choices import Assessment
from trials.models import Trial

pytestmark = pytest.mark.django_db

CODE = "LSER-ALS-01"
ADMIN_APPS = ("trials", "participants", "safety", "review", "meddra")
# Who shows each page and posts its forms: every role that enters or reviews data.
ROLES = {
    role: DEMO_USERNAMES[role]
    for role in (
        "study_coordinator",
        "coordinator",
        "investigator",
        "monitor",
        "data_manager",
        "unblinded_pharmacist",
    )
}
# Views that read POST data and are not fuzzed here, with why.
NOT_FUZZED = {"logout": "takes no input; POST-only logout is tested in tests/trials"}
# Views that may answer a POST with a page and no error: the arm, shown once; the page of a
# participant randomized meanwhile.
RENDERS_ON_SUCCESS = {"participants:emergency_unblind", "participants:randomize"}
ERROR_MARKERS = (b"invalid-feedback", b"alert-danger", b"errorlist", b"alert-warning")

HOSTILE = [
    "",
    " ",
    '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "'; DROP TABLE participants_participant; --",
    "' OR '1'='1",
    "\x00",
    "a\x00b",
    "\ufeff\u202e\U0001f600\u0301",
    '=HYPERLINK("http://x")',
    "-1",
    "0",
    "1e309",
    "NaN",
    "-Infinity",
    "99999999999999999999999999999999",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/2026",
    "2026-13-01T25:61",
    "../../etc/passwd",
    "%s%n{0}",
    "x" * 100_000,
]

_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: str(f) if not math.isnan(f) else "nan"
    ),
    st.dates().map(lambda d: d.isoformat()),
)


def _field_values(field):
    """What the fuzzer may send for one field: its value as the page filled it (or one of
    its options), hostile text, nothing, or the field twice."""
    page = list(field.values) or [""]
    offered = st.sampled_from(field.options) if field.options else st.sampled_from(page)
    return st.one_of(
        st.just(page),
        offered.map(lambda v: [v]),
        _text.map(lambda v: [v]),
        st.just([]),
        st.lists(st.one_of(offered, _text), min_size=2, max_size=3),
    )


@st.composite
def _data(draw, form, changed=8):
    """The form as the page filled it, with up to `changed` of its fields fuzzed."""
    data = form.data()
    # The CSRF token stays: without it the middleware refuses the POST (403) before any view.
    names = sorted(name for name in form.fields if name != "csrfmiddlewaretoken")
    for name in draw(st.sets(st.sampled_from(names), max_size=changed)) if names else ():
        values = draw(_field_values(form.fields[name]))
        if values:
            data[name] = values
        else:
            data.pop(name, None)
    return data


def _walk(patterns, namespace=""):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if not ns.startswith("admin:"):
                yield from _walk(p.url_patterns, ns)
        else:
            yield f"{namespace}{p.name}", p


def _reads_post(view) -> bool:
    if hasattr(view, "view_class"):
        return hasattr(view.view_class, "post")
    source = inspect.getsource(inspect.unwrap(view))
    return "request.POST" in source or "require_POST" in source


URLS = dict(_walk(get_resolver().url_patterns))
POST_VIEWS = sorted(name for name, url in URLS.items() if _reads_post(url.callback))


def _ready_to_enrol(trial, site, user, *, enrol: bool) -> Participant:
    p = screened_participant(trial, site, user)
    p = participant_consent(
        participant=p, consent_date=timezone.localdate(), consent_version="2.1", user=user
    )
    return participant_enrol(participant=p, user=user) if enrol else p


def _pages() -> list[tuple[tuple[str, ...], str]]:
    """The pages of the demo trial that show forms, with the roles whose forms they are,
    filled with seeded objects (and a query, a lock, a participant ready to enrol and one
    ready to randomize, made here)."""
    user = get_user_model().objects.get
    coordinator = user(username="coordinator01")
    participants = Participant.objects.filter(trial__code=CODE, site__number="01").order_by("pk")
    p = participants.first()
    ae = AdverseEvent.objects.filter(participant=p, entered_in_error=False).first()
    panel = LabPanel.objects.filter(participant=p, entered_in_error=False).first()
    signal = RenalSignal.objects.open().filter(participant__in=participants).first()
    vitals = VitalSigns.objects.filter(participant=p, entered_in_error=False).first()
    ct, record_id = record_key(vitals)
    query = query_raise(
        participant=p, record=vitals, field_name="", text="Check.", user=user(username="monitor")
    )
    lock = lock_apply(
        trial=p.trial,
        level=LockLevel.PARTICIPANT,
        participant=participants.exclude(pk=p.pk).first(),
        user=user(username="datamanager"),
    )
    ready = _ready_to_enrol(p.trial, p.site, coordinator, enrol=False)
    enrolled = _ready_to_enrol(p.trial, p.site, coordinator, enrol=True)
    visits = list(p.visits.select_related("definition").order_by("target_date"))
    done = next(v for v in visits if v.actual_date)
    due = next(v for v in visits if not v.actual_date)
    dose_visit = next(
        v
        for v in visits
        if Assessment.DOSING in forms_due(v) and (v.actual_date or v.target_date) >= ae.onset_date
    )

    def at(name, *args, query=""):
        return reverse(name, args=[CODE, *args]) + query

    entry, review = ("coordinator",), ("monitor", "data_manager")
    pages = [
        (entry, at("participants:screening_create")),
        (("unblinded_pharmacist",), at("participants:randomization_import")),
        (entry + review, at("safety:participant_casebook", p.pk)),
        (entry, at("safety:participant_casebook", ready.pk)),
        (entry, at("participants:randomize", enrolled.pk)),
        (entry, at("participants:consent_record", ready.pk)),
        (entry, at("participants:baseline_set", enrolled.pk)),
        (entry, at("participants:unscheduled_visit_add", p.pk)),
        (("investigator",), at("participants:emergency_unblind", p.pk)),
        (entry, at("participants:visit_detail", p.pk, done.pk)),
        (entry, at("participants:visit_detail", p.pk, due.pk)),
        (entry, at("safety:end_of_study", p.pk)),
        (entry, at("safety:adverse_event", p.pk, ae.pk)),
        (entry, at("safety:adverse_event_add", p.pk)),
        (entry, at("safety:adverse_event_edit", p.pk, ae.pk)),
        (
            entry,
            at("safety:adverse_event_dose_change", p.pk, ae.pk, query=f"?visit={dose_visit.pk}"),
        ),
        (entry, at("safety:lab_panel_edit", p.pk, panel.pk)),
        (entry, at("safety:renal_signal_close", signal.participant_id, signal.pk)),
        (review, at("review:query_raise", p.pk, query=f"?ct={ct}&id={record_id}")),
        (entry + review, at("review:query_detail", p.pk, query.pk)),
        (("data_manager",), at("review:lock_list")),
        (("data_manager",), at("review:lock_release", lock.pk)),
        (("investigator",), at("review:signature_sign", p.pk)),
        (("monitor",), at("review:ae_listing")),
        (("monitor",), at("review:lab_listing")),
        (("monitor",), at("review:query_listing")),
        (("monitor",), at("review:sdv_listing")),
    ]
    pages += [(entry, at("safety:lab_panel_add", p.pk, code)) for code in Panel.values]
    # and every page without parameters (the account's pages, for one)
    pages += [(entry, reverse(name)) for name, url in URLS.items() if not url.pattern.converters]
    for code in CRF_MODELS:
        model = CRF_MODELS[code]
        saved = model.objects.filter(participant=p, entered_in_error=False).first()
        visit = saved.visit if saved else next(v for v in visits if code in forms_due(v))
        pages.append((entry + ("monitor",), at("participants:crf_edit", p.pk, visit.pk, code)))
    return pages


def _admin_pages() -> list[tuple[tuple[str, ...], str]]:
    """The admin's add pages of our models and the trial's and a site's change pages (the
    study coordinator's configuration)."""
    trial = Trial.objects.get(code=CODE)
    pages = [
        reverse("admin:trials_trial_change", args=[trial.pk]),
        reverse("admin:trials_site_change", args=[trial.sites.order_by("number").first().pk]),
    ]
    for model in admin.site._registry:
        if model._meta.app_label in ADMIN_APPS:
            pages.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    return [(("study_coordinator",), page) for page in pages]


@pytest.fixture(scope="module")
def forms(module_db):
    """(role, form) of every form the pages show, one per action and set of fields, found
    once for the module."""
    found = {}
    client = Client()
    for form in forms_on(client.get(reverse("login")), reverse("login")):
        found[(form.url_name, form.method, frozenset(form.fields))] = (None, form)
    users = get_user_model().objects
    for roles, page in _pages() + _admin_pages():
        for role in roles:
            client.force_login(users.get(username=ROLES[role]))
            response = client.get(page)
            if response.status_code != 200:
                continue
            for form in forms_on(response, page):
                key = (form.url_name, form.method, frozenset(form.fields))
                found.setdefault(key, (role, form))
    return list(found.values())


def _fuzz(client, role, form, *, max_examples):
    users = get_user_model().objects

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=_data(form))
    def post(data):
        with transaction.atomic():
            client.logout()
            if role:
                client.force_login(users.get(username=ROLES[role]))
            send = client.post if form.method == "post" else client.get
            response = send(form.action, data)
            transaction.set_rollback(True)
        assert response.status_code < 500, (form.action, data)
        refused = form.method == "post" and response.status_code == 200
        if refused and form.url_name not in RENDERS_ON_SUCCESS:
            assert any(m in response.content for m in ERROR_MARKERS), (form.action, data)

    post()


def test_every_form_view_is_fuzzed(forms):
    """A view that reads POST data without a form on any page would go unfuzzed."""
    fuzzed = {form.url_name for _, form in forms if form.method == "post"}
    assert set(POST_VIEWS) - fuzzed - set(NOT_FUZZED) == set()


@pytest.mark.parametrize("view", [v for v in POST_VIEWS if v not in NOT_FUZZED])
def test_a_form_never_answers_500(client, forms, view):
    targets = [(role, f) for role, f in forms if f.url_name == view and f.method == "post"]
    assert targets, f"no page shows a form posting to {view}"
    for role, form in targets:
        _fuzz(client, role, form, max_examples=15)


def test_the_admin_forms_never_answer_500(client, forms):
    targets = [
        (role, f)
        for role, f in forms
        if (f.url_name or "").startswith("admin:") and f.url_name != "admin:logout"
    ]
    assert {f.url_name for _, f in targets} >= {
        "admin:trials_trial_change",
        "admin:trials_site_add",
        "admin:trials_membership_add",
    }
    for role, form in targets:
        _fuzz(client, role, form, max_examples=10)


def test_listing_filters_never_answer_500(client, forms):
    targets = [(role, f) for role, f in forms if f.method == "get"]
    assert {f.url_name for _, f in targets} >= {
        "review:ae_listing",
        "review:lab_listing",
        "review:query_listing",
        "review:sdv_listing",
    }
    for role, form in targets:
        _fuzz(client, role, form, max_examples=15)


# What the fuzzing found (each answered 500, or refused without saying why), by its input.


def test_a_lock_posted_with_next_set_to_a_sql_string_is_saved_and_goes_back(client, data_manager):
    """next="'; DROP TABLE ..." was taken by redirect() for a view name to reverse: a 500
    after the lock was saved. Only a path on this site is followed."""
    p = Participant.objects.get(trial__code=CODE, subject_number="01-001")
    client.force_login(data_manager)
    response = client.post(
        reverse("review:lock_add", args=[CODE]),
        {"level": "PARTICIPANT", "participant": p.pk, "next": HOSTILE[3]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("review:lock_list", args=[CODE])
    assert p.locks.filter(unlocked_at__isnull=True).count() == 1


@pytest.mark.parametrize("version", ["", "<script>", "1e309"])
def test_a_visit_date_posted_without_its_version_says_to_reload(client, coordinator, version):
    """version="" (the hidden input) was refused with no message on the page."""
    p = Participant.objects.get(trial__code=CODE, subject_number="01-001")
    visit = p.visits.filter(actual_date__isnull=False).first()
    client.force_login(coordinator)
    response = client.post(
        reverse("participants:visit_date", args=[CODE, p.pk, visit.pk]),
        {"actual_date": visit.actual_date, "version": version, "reason_for_change": "typo"},
    )
    assert response.status_code == 200
    assert ReportsHiddenErrors.HIDDEN_ERROR in response.content.decode()
    assert p.visits.get(pk=visit.pk).version == visit.version


def test_a_query_closed_without_its_version_says_to_reload(client, monitor):
    """close-version="" was refused with no message on the page."""
    p = Participant.objects.get(trial__code=CODE, subject_number="01-001")
    vitals = VitalSigns.objects.filter(participant=p, entered_in_error=False).first()
    query = query_raise(participant=p, record=vitals, field_name="", text="Check.", user=monitor)
    client.force_login(monitor)
    response = client.post(
        reverse("review:query_detail", args=[CODE, p.pk, query.pk]),
        {"action": "close", "close-version": "", "close-text": ""},
    )
    assert response.status_code == 200
    assert ReportsHiddenErrors.HIDDEN_ERROR in response.content.decode()
    query.refresh_from_db()
    assert query.status == "OPEN"


@pytest.mark.parametrize("user", [" ", "abc", "1.5"])
def test_a_membership_added_with_a_user_that_is_no_key_is_refused_beside_it(
    client, study_coordinator, user
):
    """user=" " in the admin's membership form: Django's autocomplete widget, redrawing the
    refused form, looked the value up and raised (a 500)."""
    trial = Trial.objects.get(code=CODE)
    client.force_login(study_coordinator)
    response = client.post(
        reverse("admin:trials_membership_add"),
        {"user": user, "trial": trial.pk, "role": "monitor", "reason_for_change": "New monitor"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors["user"])
